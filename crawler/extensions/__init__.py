"""nianbao's Scrapy extensions: `recovery`, a second chance within the run for failed reports."""
