"""The Scrapy project: settings, spiders (one per site family), middlewares and the crawl runner."""
