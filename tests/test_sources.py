"""Source files: valid ones load, every kind of mistake is named with its file, source and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.sources import SourcesError, dump_sources, load_sources

VALID = """
sources:
  - id: luoyang-gov
    agency: 洛阳市人民政府
    level: prefecture
    family: trs
    start_urls: [http://www.ly.gov.cn/]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_source_file_loads_with_allowed_hosts_defaulting_to_start_hosts(
    tmp_path: Path,
) -> None:
    (source,) = load_sources(write(tmp_path, VALID))
    assert source.id == "luoyang-gov"
    assert source.allowed_hosts == ("www.ly.gov.cn",)
    assert source.allows("http://www.ly.gov.cn/zwgk/index.htm")
    assert not source.allows("http://evil.example/")
    assert not source.allows("file:///etc/passwd")


def test_dumped_sources_load_back_equal(tmp_path: Path) -> None:
    sources = load_sources(write(tmp_path, VALID))
    out = tmp_path / "out.yaml"
    dump_sources(sources, out, header="written by a test")
    assert load_sources(out) == sources


@pytest.mark.parametrize(
    "text, message",
    [
        ("sources: [", "not valid YAML"),
        ("- just a list", "expected a mapping with a 'sources:' list"),
        (VALID.replace("family: trs", "family: wordpress"), "'family' must be one of"),
        (VALID.replace("    agency: 洛阳市人民政府\n", ""), "'agency' is required"),
        (VALID.replace("http://www.ly.gov.cn/", "ftp://www.ly.gov.cn/"), "not an http(s) URL"),
        (VALID.replace("id: luoyang-gov", "id: Luoyang Gov"), "'id' must be"),
        (VALID + "    colour: red\n", "unknown field(s) colour"),
        (VALID + "    robots: {obey: false}\n", "must give its 'reason'"),
        (VALID + "    allowed_hosts: [other.gov.cn]\n", "is not on its allowed_hosts"),
        (VALID + VALID.split("sources:")[1], "appears twice"),
    ],
)
def test_malformed_source_file_gives_a_clear_message(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(SourcesError) as info:
        load_sources(write(tmp_path, text))
    assert message in str(info.value)
    assert "sources.yaml" in str(info.value)


def test_missing_source_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SourcesError, match="cannot read source file"):
        load_sources(tmp_path / "nope.yaml")


def test_a_source_naming_no_family_is_auto_and_is_written_without_one(tmp_path: Path) -> None:
    (source,) = load_sources(write(tmp_path, VALID.replace("    family: trs\n", "")))
    assert source.family == "auto"
    out = tmp_path / "out.yaml"
    dump_sources([source], out)
    assert "family" not in out.read_text(encoding="utf-8")
    assert load_sources(out) == [source]
