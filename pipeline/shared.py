"""Resources the spiders of one crawl process share (one per site family, all in one reactor).

Each spider acquires the resource when it opens and releases it when it closes; the first one
makes it and the last one closes it. One resource per key: the database by its path, the
extraction-ahead workers by their spool directory.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class SharedByKey(Generic[T]):
    """One `T` per key, with a count of its users."""

    def __init__(self) -> None:
        self._held: dict[str, tuple[T, int]] = {}

    def acquire(self, key: str, make: Callable[[], T]) -> T:
        """The resource for `key`, made by `make()` for its first user."""
        held = self._held.get(key)
        resource, users = held if held is not None else (make(), 0)
        self._held[key] = (resource, users + 1)
        return resource

    def release(self, key: str) -> bool:
        """One user fewer; True when that was the last one (or `key` was not held): the caller
        closes the resource then."""
        held = self._held.get(key)
        if held is not None and held[1] > 1:
            self._held[key] = (held[0], held[1] - 1)
            return False
        self._held.pop(key, None)
        return True
