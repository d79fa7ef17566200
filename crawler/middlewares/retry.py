"""Retries that back off: exponential delays with jitter, and 429/503 `Retry-After` honoured.

Settings read: RETRY_* (Scrapy's own), NIANBAO_RETRY_BASE_DELAY (seconds before the first retry,
doubled each time), NIANBAO_RETRY_MAX_DELAY (cap on any wait, `Retry-After` included).

`BackoffRetryMiddleware` replaces Scrapy's retry middleware and only decides how long a retry waits;
`RetryDelayMiddleware` makes the retried request wait that long before it is downloaded, without
holding a download slot or blocking the reactor.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor
from twisted.internet.task import deferLater

META_RETRY_DELAY = "nianbao_retry_delay"


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait according to a `Retry-After` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


_JITTER = random.Random()


def backoff_delay(attempt: int, base: float, cap: float) -> float:
    """Exponential backoff with jitter (50–100 %) for the `attempt`-th retry (1-based)."""
    return min(cap, base * 2 ** (attempt - 1)) * (0.5 + _JITTER.random() / 2)


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings) -> None:  # type: ignore[no-untyped-def]
        super().__init__(settings)
        self.base_delay = settings.getfloat("NIANBAO_RETRY_BASE_DELAY", 1.0)
        self.max_delay = settings.getfloat("NIANBAO_RETRY_MAX_DELAY", 60.0)

    def _with_delay(self, retry: Request | None, response: Response | None) -> Request | None:
        if retry is None:
            return None
        attempt = retry.meta.get("retry_times", 1)
        delay = backoff_delay(attempt, self.base_delay, self.max_delay)
        if response is not None and response.status in (429, 503):
            header = response.headers.get("Retry-After")
            asked = retry_after_seconds(header.decode("latin-1") if header else None)
            if asked is not None:
                delay = max(delay, min(asked, self.max_delay))
        retry.meta[META_RETRY_DELAY] = delay
        return retry

    def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, f"HTTP {response.status}")
        return self._with_delay(retry, response) or response

    def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | Response | None:
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry"):
            return None
        return self._with_delay(self._retry(request, exception), None)


class RetryDelayMiddleware:
    """Waits out a retry's backoff before the request goes to the downloader."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryDelayMiddleware:
        return cls()

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        delay = request.meta.pop(META_RETRY_DELAY, 0)
        if delay > 0:
            await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))
        return None
