"""Distributed crawling: several `nianbao crawl --redis URL` workers sharing one Redis queue.

scrapy-redis provides the shared scheduler queue and dupefilter; this module makes them safe to
share and to lose a worker from:

- **Keys per crawl.** Every key starts with `nianbao:<crawl key>:<spider>:`; the crawl key defaults
  to a digest of the sources crawled, so workers started with the same source file meet, and two
  different crawls on one Redis do not collide.
- **Start requests seeded once.** The first worker to claim the seed key (SET NX) feeds its start
  requests (start pages and known reports to revalidate) into the queue; the others only pop.
- **A reliable queue.** Popping a request moves it atomically (a Lua script) from the queue into
  the worker's in-flight hash; it is acknowledged (removed) once its response has been archived
  and its callback's output scheduled, or once it failed for good. Each worker refreshes a
  heartbeat key with a TTL; any live worker moves the in-flight entries of workers whose heartbeat
  has expired back into the queue (bypassing the dupefilter), so a killed worker loses nothing.
- **Nobody quits early.** An idle worker stays up while the queue has work, another worker holds
  in-flight requests, or seeding is unfinished; the last worker out deletes the crawl's keys,
  the heartbeats of idle or killed workers still listed included. A heartbeat never brings back a
  crawl so cleared (a killed worker's last one would leave its name listed for good).
- **Seeds are not lost.** One worker feeds a family's start requests; if it dies before it has
  finished, one idle worker takes the seeding over and feeds them again (the dupefilter drops
  those already pushed).

The database is not written through Redis: every worker archives to WARC files named with its
worker id, and the one database is built by `nianbao rebuild` over the archive (see README,
"Scaling out").
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import socket
from collections.abc import Iterable
from typing import Any
from weakref import WeakKeyDictionary

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.defer import deferred_from_coro
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from crawler.sources import Source

logger = logging.getLogger(__name__)

META_INFLIGHT = "nianbao_inflight"  # the request's field in its worker's in-flight hash
SEED_DONE = "done"

# Pop the best request (lowest score) and keep it in this worker's in-flight hash, in one step:
# between the two a kill would lose it.
_POP_RELIABLY = """
local popped = redis.call('ZRANGE', KEYS[1], 0, 0)
if #popped == 0 then return false end
redis.call('ZREM', KEYS[1], popped[1])
local field = redis.sha1hex(popped[1])
redis.call('HSET', KEYS[2], field, popped[1])
return {field, popped[1]}
"""

# Move a dead worker's in-flight requests back into the queue, first in line; atomic, so two live
# workers noticing the same death requeue once.
_REQUEUE_DEAD = """
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
local entries = redis.call('HVALS', KEYS[2])
for _, data in ipairs(entries) do redis.call('ZADD', KEYS[1], -1000, data) end
redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[4], ARGV[1])
return #entries
"""

# Refresh a worker's heartbeat and listing, unless the crawl was cleared under it: the seed key
# and its listing gone (ARGV[3] is 1 once the worker has joined). Atomic with _CLEAR_CRAWL.
_HEARTBEAT = """
if ARGV[3] == '1' and redis.call('EXISTS', KEYS[3]) == 0
    and redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 0 then return 0 end
redis.call('SET', KEYS[1], '1', 'PX', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[1])
return 1
"""

# Take the seeding over from a seeder that died before it finished (its heartbeat expired): the
# start requests it did not push would otherwise never be crawled. Atomic, so one worker wins.
_TAKE_OVER_SEEDING = """
local seeder = redis.call('GET', KEYS[1])
if not seeder or seeder == ARGV[2] or seeder == ARGV[1] then return 0 end
if redis.call('EXISTS', ARGV[3] .. seeder) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1
"""

# Delete a finished crawl's keys with the heartbeats of the workers still listed (idle or dead).
_CLEAR_CRAWL = """
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[4])) do
    redis.call('DEL', ARGV[1] .. worker)
end
return redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
"""


def worker_id() -> str:
    """This process's worker id: host name and pid, safe in file names and Redis keys."""
    host = re.sub(r"[^A-Za-z0-9.-]+", "-", socket.gethostname()) or "host"
    return f"{host}-{os.getpid()}"


def default_crawl_key(sources: Iterable[Source]) -> str:
    """The crawl key workers share when started on the same sources."""
    ids = "\n".join(sorted(source.id for source in sources))
    return hashlib.sha256(ids.encode("utf-8")).hexdigest()[:12]


def distributed_settings(
    redis_url: str, crawl_key: str, worker: str | None = None, heartbeat_ttl: float | None = None
) -> dict[str, Any]:
    """Setting overrides that turn a crawl into one worker of a distributed crawl."""
    from crawler import settings as defaults

    prefix = f"nianbao:{crawl_key}:%(spider)s"
    downloader = dict(defaults.DOWNLOADER_MIDDLEWARES)
    # The same archiving, into files named with the worker id (no clash when archives are merged).
    downloader["crawler.middlewares.archive.WarcArchiveMiddleware"] = None
    downloader["crawler.middlewares.distributed.WorkerWarcArchiveMiddleware"] = 950
    # Outermost: sees the requests that failed for good, after retries and failure recording.
    downloader["crawler.middlewares.distributed.AckFailedMiddleware"] = 10
    overrides: dict[str, Any] = {
        "REDIS_URL": redis_url,
        "SCHEDULER": "crawler.distributed.DistributedScheduler",
        "SCHEDULER_QUEUE_CLASS": "crawler.distributed.ReliableQueue",
        "SCHEDULER_QUEUE_KEY": f"{prefix}:requests",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:dupefilter",
        # Workers come and go; the last one out clears the keys (DistributedScheduler.close).
        "SCHEDULER_PERSIST": True,
        "NIANBAO_REDIS_KEY": f"nianbao:{crawl_key}",
        "NIANBAO_WORKER_ID": worker or worker_id(),
        "DOWNLOADER_MIDDLEWARES": downloader,
        "SPIDER_MIDDLEWARES": {
            **defaults.SPIDER_MIDDLEWARES,
            "crawler.middlewares.distributed.SeedAndAckMiddleware": 10,
        },
    }
    if heartbeat_ttl is not None:
        overrides["NIANBAO_REDIS_HEARTBEAT_TTL"] = heartbeat_ttl
    return overrides


class Coordinator:
    """One worker's view of one spider's shared state in Redis."""

    def __init__(self, server: Any, prefix: str, worker: str, ttl: float) -> None:
        self.server = server
        self.worker = worker
        self.ttl = max(ttl, 1.0)
        self.queue_key = f"{prefix}:requests"
        self.dupefilter_key = f"{prefix}:dupefilter"
        self.workers_key = f"{prefix}:workers"
        self.seed_key = f"{prefix}:seeded"
        self._prefix = prefix
        self._pop = server.register_script(_POP_RELIABLY)
        self._requeue = server.register_script(_REQUEUE_DEAD)
        self._heartbeat = server.register_script(_HEARTBEAT)
        self._clear = server.register_script(_CLEAR_CRAWL)
        self._take_over = server.register_script(_TAKE_OVER_SEEDING)
        self._joined = False

    def inflight_key(self, worker: str | None = None) -> str:
        return f"{self._prefix}:inflight:{worker or self.worker}"

    def alive_key(self, worker: str | None = None) -> str:
        return f"{self._prefix}:alive:{worker or self.worker}"

    # -- membership -------------------------------------------------------------------------------

    def heartbeat(self) -> bool:
        """Join the crawl, or stay in it; False once the crawl has been cleared without us.

        A worker taken for dead during a long pause joins again while the crawl is on."""
        beat = self._heartbeat(
            keys=[self.alive_key(), self.workers_key, self.seed_key],
            args=[self.worker, int(self.ttl * 1000), int(self._joined)],
        )
        self._joined = True
        return bool(beat)

    def others(self) -> list[str]:
        return [_text(w) for w in self.server.smembers(self.workers_key) if _text(w) != self.worker]

    def requeue_dead(self) -> int:
        """Return the in-flight requests of workers whose heartbeat expired to the queue."""
        moved = 0
        for other in self.others():
            count = self._requeue(
                keys=[
                    self.queue_key,
                    self.inflight_key(other),
                    self.alive_key(other),
                    self.workers_key,
                ],
                args=[other],
            )
            if count:
                logger.warning("worker %s is gone: %d in-flight requests requeued", other, count)
            moved += int(count or 0)
        return moved

    # -- seeding ----------------------------------------------------------------------------------

    def claim_seeding(self) -> bool:
        """True for the one worker that is to feed the start requests."""
        return bool(self.server.set(self.seed_key, self.worker, nx=True))

    def seeding_done(self) -> None:
        self.server.set(self.seed_key, SEED_DONE)

    def take_over_seeding(self) -> bool:
        """True when the seeder died before it finished and this worker is now the one to feed
        the start requests again (the dupefilter drops those the dead seeder had pushed)."""
        return bool(
            self._take_over(
                keys=[self.seed_key], args=[self.worker, SEED_DONE, f"{self._prefix}:alive:"]
            )
        )

    def seeding_finished(self) -> bool:
        value = self.server.get(self.seed_key)
        if value is None:
            return True  # nobody seeded yet or the crawl was cleared: nothing to wait for
        seeder = _text(value)
        if seeder == SEED_DONE:
            return True
        # A seeder that died mid-way will never finish; its requests are what it got to push.
        return not self.server.exists(self.alive_key(seeder))

    # -- the queue --------------------------------------------------------------------------------

    def pop(self) -> tuple[str, bytes] | None:
        popped = self._pop(keys=[self.queue_key, self.inflight_key()])
        if not popped:
            return None
        field, data = popped
        return _text(field), data

    def ack(self, field: str | None) -> None:
        if field:
            self.server.hdel(self.inflight_key(), field)

    def work_left(self) -> bool:
        """Whether this worker should stay: queued requests, others' in-flight ones, or seeding."""
        self.requeue_dead()
        if self.server.zcard(self.queue_key):
            return True
        if any(self.server.hlen(self.inflight_key(other)) for other in self.others()):
            return True
        return not self.seeding_finished()

    def leave(self) -> None:
        """Leave the crawl; the last worker out with nothing left deletes the crawl's keys."""
        self.server.delete(self.inflight_key(), self.alive_key())
        self.server.srem(self.workers_key, self.worker)
        # Others still listed hold nothing in flight (or work_left says so), so they can only be
        # idle or dead: the crawl is over for everyone.
        if not self.work_left():
            self._clear(
                keys=[self.queue_key, self.dupefilter_key, self.seed_key, self.workers_key],
                args=[f"{self._prefix}:alive:"],
            )


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


_coordinators: WeakKeyDictionary[Crawler, Coordinator] = WeakKeyDictionary()


def coordinator_of(crawler: Crawler) -> Coordinator | None:
    """The coordinator of a distributed crawl's crawler (None when the crawl is not distributed)."""
    return _coordinators.get(crawler)


class ReliableQueue(PriorityQueue):
    """scrapy-redis's priority queue, popping into the worker's in-flight hash."""

    coordinator: Coordinator | None = None

    def pop(self, timeout: int = 0) -> Request | None:
        if self.coordinator is None:
            return super().pop(timeout)
        popped = self.coordinator.pop()
        if popped is None:
            return None
        field, data = popped
        request = self._decode_request(data)
        request.meta[META_INFLIGHT] = field
        return request


class DistributedScheduler(Scheduler):
    """scrapy-redis's scheduler with membership, a heartbeat and requeueing of dead workers."""

    crawler: Crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DistributedScheduler:
        scheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        crawler.signals.connect(scheduler.spider_idle, signal=signals.spider_idle)
        return scheduler

    def open(self, spider: Spider) -> Any:
        result = super().open(spider)
        settings = self.crawler.settings
        coordinator = Coordinator(
            self.server,
            f"{settings.get('NIANBAO_REDIS_KEY')}:{spider.name}",
            settings.get("NIANBAO_WORKER_ID") or worker_id(),
            settings.getfloat("NIANBAO_REDIS_HEARTBEAT_TTL", 30.0),
        )
        _coordinators[self.crawler] = coordinator
        self.queue.coordinator = coordinator
        coordinator.heartbeat()
        coordinator.requeue_dead()
        self._beat = task.LoopingCall(self._tick, coordinator)
        self._beat.start(min(coordinator.ttl / 3, 0.5), now=False)
        return result

    def _tick(self, coordinator: Coordinator) -> None:
        try:
            coordinator.heartbeat()
            coordinator.requeue_dead()
            queued = self.server.zcard(coordinator.queue_key)
        except Exception:  # a Redis hiccup must not stop the heartbeat for good
            logger.exception("heartbeat to Redis failed")
            return
        # An idle engine asks its scheduler again only every 5 s; work pushed by other workers
        # (or requeued) should not wait that long.
        slot = getattr(self.crawler.engine, "_slot", None)
        if queued and slot is not None:
            slot.nextcall.schedule()

    def has_pending_requests(self) -> bool:
        return bool(self.server.zcard(self.queue_key % {"spider": self.spider.name}))

    def spider_idle(self, spider: Spider) -> None:
        coordinator = coordinator_of(self.crawler)
        if coordinator is None:
            return
        if coordinator.take_over_seeding():
            logger.warning("the seeder of %s died before it finished: seeding again", spider.name)
            deferred_from_coro(self._seed_again(spider, coordinator))
            raise DontCloseSpider("seeding again after the seeder died")
        if coordinator.work_left():
            raise DontCloseSpider("other workers still have work that may feed the queue")

    async def _seed_again(self, spider: Spider, coordinator: Coordinator) -> None:
        async for output in spider.start():
            if isinstance(output, Request):
                self.crawler.engine.crawl(output)
        coordinator.seeding_done()

    def close(self, reason: str) -> Any:
        if getattr(self, "_beat", None) is not None and self._beat.running:
            self._beat.stop()
        coordinator = _coordinators.pop(self.crawler, None)
        if coordinator is not None:
            coordinator.leave()
        return super().close(reason)
