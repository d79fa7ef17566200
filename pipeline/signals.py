"""nianbao's own Scrapy signals, so middlewares can tell the store pipeline what they saw.

- `response_archived(document: FetchedDocument)`: a response was written to the WARC archive.
- `fetch_failed(url: str, source_id: str | None, role: str, reason: str, link_text: str | None)`: a
  request got no response at all after its retries (timeout, connection refused, DNS…), so nothing
  could be archived.
- `document_failed(document: FetchedDocument, reason: str)`: the store pipeline recorded a page as
  failed, whatever the cause (no response, an error status, a challenge, unreadable content).
"""

response_archived = object()
fetch_failed = object()
document_failed = object()
