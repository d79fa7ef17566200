"""nianbao's own Scrapy signals, so middlewares can tell the store pipeline what they saw.

- `response_archived(document: FetchedDocument)`: a response was written to the WARC archive.
- `fetch_failed(url: str, source_id: str | None, role: str, reason: str)`: a request got no response
  at all after its retries (timeout, connection refused, DNS…), so nothing could be archived.
"""

response_archived = object()
fetch_failed = object()
