"""nianbao's downloader and spider middlewares, one per module, each named for its job (as Scrapy
names its own).

- `archive`: every request/response exchange written raw to WARC before anything parses it
- `failures`: requests that ended with no response at all, reported to the store pipeline
- `challenges`: anti-bot challenge pages stopped at the door (archived, never parsed)
- `host_guard`: the crawl kept on its portals (hosts, schemes, private addresses, bombs)
- `retry`: retries that back off, honouring `Retry-After`
- `robots`: robots.txt obeyed, Crawl-delay included
- `revalidation`: conditional requests for archived reports; the stored copy stands in for a 304
- `revisits` (spider middleware): known reports requested only on the nights they are due
- `distributed`: what a Redis worker adds (seed once, acknowledge requests, name its WARCs)
"""
