"""Source files: the portals nianbao crawls, described as data.

A source file is YAML with a top-level `sources:` list. Each source is one portal (one site of one
family); per-portal quirks live here, never in spider code:

    sources:
      - id: luoyang-gov                 # unique, [a-z0-9-]
        agency: 洛阳市人民政府           # the publishing agency (fallback when a page names none)
        region: 河南省洛阳市             # optional
        level: prefecture               # optional: national|province|prefecture|county|township|department
        family: trs                     # optional: auto (default) | trs | hanweb | plain, a hint
        start_urls: [http://www.ly.gov.cn/]
        allowed_hosts: [www.ly.gov.cn]  # host or host:port; links elsewhere are not followed
        column_urls: []                 # optional: known 年报 list pages, skips discovery
        encoding: gbk                   # optional: declared page encoding when the server lies
        allow_private: false            # optional: allow loopback/private addresses (sample portal)
        robots:                         # optional override of robots.txt, with its reason
          obey: false
          reason: "…"
        verified: false                 # optional: false until a crawl has seen reports there
        provenance: "…"                 # where the URL came from (every source in sources/ says)
        answered: 2026-12-07            # optional: when `sources check --network --mark` last reached it

`load_sources` validates a file and raises `SourcesError` with a message naming the file, the
source and the field, so a typo is found before a night's crawl starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

FAMILIES = ("auto", "trs", "hanweb", "plain")
# No family named: every list page's pager and list API are detected (crawler.spiders.auto).
AUTO_FAMILY = "auto"
LEVELS = ("national", "province", "prefecture", "county", "township", "department")
_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class SourcesError(ValueError):
    """A source file that cannot be used, with a message a user can act on."""


@dataclass(frozen=True)
class Source:
    id: str
    agency: str
    family: str
    start_urls: tuple[str, ...]
    allowed_hosts: tuple[str, ...]
    region: str | None = None
    level: str | None = None
    column_urls: tuple[str, ...] = ()
    encoding: str | None = None
    allow_private: bool = False
    obey_robots: bool = True
    robots_reason: str | None = None
    verified: bool = True
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def allows(self, url: str) -> bool:
        """Whether `url` is on one of this source's hosts (host or host:port)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return False
        netloc = parts.netloc.lower()
        host = (parts.hostname or "").lower()
        return any(allowed in (netloc, host) for allowed in self.allowed_hosts)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "agency": self.agency,
            "family": self.family,
            "start_urls": list(self.start_urls),
            "allowed_hosts": list(self.allowed_hosts),
        }
        for name in ("region", "level", "encoding", "robots_reason"):
            if getattr(self, name):
                data[name] = getattr(self, name)
        if self.column_urls:
            data["column_urls"] = list(self.column_urls)
        if self.allow_private:
            data["allow_private"] = True
        if not self.obey_robots:
            data["robots"] = {"obey": False, "reason": self.robots_reason}
            data.pop("robots_reason", None)
        if not self.verified:
            data["verified"] = False
        if self.family == AUTO_FAMILY:
            del data["family"]  # the default: a source file need not name one
        data.update(self.extra)
        return data


_KNOWN_FIELDS = {
    "id",
    "agency",
    "region",
    "level",
    "family",
    "start_urls",
    "allowed_hosts",
    "column_urls",
    "encoding",
    "allow_private",
    "robots",
    "verified",
    "notes",
    "provenance",
    "answered",
}
# Kept as they are, for people: what the portal is, where its URL came from, when it last answered.
_NOTE_FIELDS = ("notes", "provenance", "answered")


def _url_list(where: str, name: str, value: Any, required: bool) -> tuple[str, ...]:
    if value is None:
        if required:
            raise SourcesError(f"{where}: '{name}' is required (a list of http(s) URLs)")
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SourcesError(f"{where}: '{name}' must be a list of URLs")
    for url in value:
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            raise SourcesError(f"{where}: '{name}' has {url!r}, which is not an http(s) URL")
    if required and not value:
        raise SourcesError(f"{where}: '{name}' must not be empty")
    return tuple(value)


def parse_source(entry: Any, where: str) -> Source:
    """Validate one entry of a `sources:` list."""
    if not isinstance(entry, dict):
        raise SourcesError(f"{where}: each source must be a mapping, got {type(entry).__name__}")
    source_id = entry.get("id")
    if not isinstance(source_id, str) or not _ID_PATTERN.match(source_id):
        raise SourcesError(
            f"{where}: 'id' must be lower-case letters, digits and '-', got {source_id!r}"
        )
    where = f"{where} (id {source_id})"
    unknown = set(entry) - _KNOWN_FIELDS
    if unknown:
        raise SourcesError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    agency = entry.get("agency")
    if not isinstance(agency, str) or not agency.strip():
        raise SourcesError(f"{where}: 'agency' is required")
    family = entry.get("family", AUTO_FAMILY)
    if family not in FAMILIES:
        raise SourcesError(
            f"{where}: 'family' must be one of {', '.join(FAMILIES)}, got {family!r}"
        )
    level = entry.get("level")
    if level is not None and level not in LEVELS:
        raise SourcesError(f"{where}: 'level' must be one of {', '.join(LEVELS)}, got {level!r}")
    start_urls = _url_list(where, "start_urls", entry.get("start_urls"), required=True)
    column_urls = _url_list(where, "column_urls", entry.get("column_urls"), required=False)
    hosts = entry.get("allowed_hosts")
    if hosts is None:
        hosts = sorted({urlsplit(u).netloc.lower() for u in start_urls})
    if isinstance(hosts, str):
        hosts = [hosts]
    if not isinstance(hosts, list) or not hosts or not all(isinstance(h, str) for h in hosts):
        raise SourcesError(f"{where}: 'allowed_hosts' must be a non-empty list of host names")
    robots = entry.get("robots") or {}
    if not isinstance(robots, dict):
        raise SourcesError(f"{where}: 'robots' must be a mapping with 'obey' and 'reason'")
    obey = robots.get("obey", True)
    reason = robots.get("reason")
    if obey is False and not (isinstance(reason, str) and reason.strip()):
        raise SourcesError(f"{where}: a robots override (obey: false) must give its 'reason'")
    source = Source(
        id=source_id,
        agency=agency.strip(),
        family=family,
        start_urls=start_urls,
        allowed_hosts=tuple(h.lower() for h in hosts),
        region=entry.get("region"),
        level=level,
        column_urls=column_urls,
        encoding=entry.get("encoding"),
        allow_private=bool(entry.get("allow_private", False)),
        obey_robots=bool(obey),
        robots_reason=reason,
        verified=bool(entry.get("verified", True)),
        extra={name: entry[name] for name in _NOTE_FIELDS if name in entry},
    )
    for url in start_urls + column_urls:
        if not source.allows(url):
            raise SourcesError(
                f"{where}: {url} is not on its allowed_hosts {list(source.allowed_hosts)}"
            )
    return source


def parse_sources(data: Any, where: str = "sources") -> list[Source]:
    """Validate the parsed YAML of a whole source file."""
    if not isinstance(data, dict) or not isinstance(data.get("sources"), list):
        raise SourcesError(f"{where}: expected a mapping with a 'sources:' list")
    sources = [
        parse_source(entry, f"{where}: sources[{i}]") for i, entry in enumerate(data["sources"])
    ]
    seen: set[str] = set()
    for source in sources:
        if source.id in seen:
            raise SourcesError(f"{where}: source id {source.id!r} appears twice")
        seen.add(source.id)
    return sources


def load_sources(path: str | Path) -> list[Source]:
    """Read and validate a source file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourcesError(f"{path}: cannot read source file: {exc.strerror or exc}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SourcesError(f"{path}: not valid YAML: {exc}") from exc
    return parse_sources(data, str(path))


def dump_sources(sources: list[Source], path: str | Path, header: str = "") -> None:
    """Write sources as a source file (used by the sample portal and by discovery)."""
    text = yaml.safe_dump(
        {"sources": [s.to_dict() for s in sources]}, allow_unicode=True, sort_keys=False
    )
    Path(path).write_text((f"# {header}\n" if header else "") + text, encoding="utf-8")
