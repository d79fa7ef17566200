"""Resources shared by a crawl process's spiders: made by the first user, closed by the last."""

from __future__ import annotations

from pipeline.shared import SharedByKey


def test_the_first_user_makes_the_resource_and_the_last_one_is_told_to_close_it() -> None:
    shared: SharedByKey[list[str]] = SharedByKey()
    made: list[list[str]] = []

    def make() -> list[str]:
        made.append([])
        return made[-1]

    first, second = shared.acquire("db", make), shared.acquire("db", make)
    other = shared.acquire("spool", make)

    assert first is second and other is not first and len(made) == 2
    assert shared.release("db") is False
    assert shared.release("db") is True
    assert shared.acquire("db", make) is not first  # a later user gets a new one
