"""What a document is: its kind, issuing agency, report year, publication date and template.

Everything here reads the title and the text the agency wrote; nothing is looked up. The report
year is the year the report is ABOUT (a 2020 report is published in early 2021), so it is read from
the title and the report's own phrases before falling back on the publication date.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from pipeline.extraction.keys import (
    TEMPLATE_2019,
    TEMPLATE_2021,
    TEMPLATE_PRE2019,
    TEMPLATE_UNKNOWN,
)
from pipeline.extraction.report import DOC_ANNUAL_REPORT, DOC_OTHER, DOC_SELF_INSPECTION

_CN_DIGITS = {"〇": "0", "零": "0", "○": "0", "Ｏ": "0", "一": "1", "二": "2", "三": "3", "四": "4",
              "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}  # fmt: skip
_CN_YEAR = re.compile(r"[二][〇零○Ｏ一二三四五六七八九]{3}(?=年)")
_YEAR = r"((?:19|20)\d{2})"
# Words that name no agency: "我局2020年…", "本机关…", the 政府 of "2020年政府信息公开…".
_NOT_AGENCY = re.compile(
    r"^(我|本|全|各|该|贵)|^(市|区|县|省|局|单位|机关|部门|政府|人民政府|政务)$"
)
# A name without its place: 市民政局, 区人民政府, 县财政局.
_UNQUALIFIED = re.compile(r"^(省|市|区|县|州|盟|旗|镇|乡)")
_AGENCY_END = re.compile(
    r"(局|委|委员会|办|办公室|政府|院|厅|部|会|署|中心|所|处|站|街道|街道办事处|镇|乡|区|县|市|省|"
    r"队|馆|公司|集团|管委会|管理委员会|分局|支队|大队|总队|监狱|学校|大学|台|社|园|团|室)$"
)
_TRAILING_NOTE = re.compile(r"[（(][^（）()，。；]{1,20}[）)]$")
_BAD_AGENCY_CHARS = re.compile(r"[，。；：、“”《》（）()\s\d:;,.!?！？]")
_BODY_AGENCY_PATTERNS = (
    re.compile(rf"(?:特向社会|现予|现)公布(?P<agency>[^，。；]{{2,40}}?){_YEAR}\s*年"),
    re.compile(rf"现将(?P<agency>[^，。；]{{2,30}}?){_YEAR}\s*年"),
    re.compile(r"本报告由(?P<agency>[^，。；]{2,30}?)(?:根据|依据|按照|编制)"),
    re.compile(
        rf"{_YEAR}\s*年度?\s*[，,]?\s*(?P<agency>[^，。；]{{2,30}}?)"
        r"(?:严格按照|认真贯彻|认真落实|深入贯彻|坚持|以习近平|紧紧围绕|始终坚持|按照|围绕)"
    ),
)
_TITLE_AGENCY_BEFORE_YEAR = re.compile(rf"^(?:关于)?(?P<agency>.+?)(?:关于)?{_YEAR}\s*年")
_TITLE_AGENCY_AFTER_YEAR = re.compile(
    rf"^{_YEAR}\s*年度?(?P<agency>.+?)(?:政府信息公开|政务公开|信息公开|政府信息)"
)
_REPORT_ABOUT_YEAR = (
    re.compile(rf"统计期限自\s*{_YEAR}\s*年"),
    re.compile(rf"{_YEAR}\s*年度?\s*(?:的)?(?:政府信息公开|政务公开|信息公开)[^。]{{0,12}}报告"),
    re.compile(rf"特向社会公布[^，。；]{{0,30}}?{_YEAR}\s*年"),
)
_OTHER_TITLE_END = re.compile(r"(通知|指南|目录|公告|意见|办法|方案|规定|制度|函|批复|决定|细则)$")
_SPACE_RUN = re.compile(r"[ \t\u00a0\u3000]+")
# A space next to CJK text (or between a digit and CJK text). Written to start with the space so
# that the regex engine jumps from space to space instead of trying lookbehinds everywhere.
_LAYOUT_SPACE = re.compile(r" (?:(?<=[^\x00-\x7f\d] )|(?=[^\x00-\x7f\d])|(?<=\d )(?=[^\x00-\x7f]))")
_SIGNATURE_DATE = re.compile(rf"{_YEAR}\s*年\s*(\d{{1,2}})\s*月\s*(\d{{1,2}})\s*日\s*$")


@dataclass(frozen=True)
class DocumentMetadata:
    """The facts about a document other than its numbers."""

    doc_type: str
    agency: str | None
    year: int | None
    published: str | None
    title: str | None


def normalise(text: str) -> str:
    """Text for matching: Chinese-numeral years as digits, no spaces around CJK text or digits."""
    text = _CN_YEAR.sub(lambda m: "".join(_CN_DIGITS[c] for c in m.group(0)), text)
    text = _SPACE_RUN.sub(" ", text)
    return _LAYOUT_SPACE.sub("", text)


def title_from_text(text: str) -> str | None:
    """The title of a plain-text report: its first short lines, joined (titles wrap)."""
    lines: list[str] = []
    for raw in text.strip().splitlines():
        line = normalise(raw.strip().lstrip("#").strip())
        if not line:
            if lines:
                break
            continue
        if len(line) > 40 or "。" in line or line.startswith(("根据", "一、")):
            break
        lines.append(line)
        if len(lines) == 3 or line.endswith(("报告", "年报")):
            break
    title = "".join(lines)
    return title if len(title) >= 4 else None


def classify(title: str | None, text: str = "") -> str:
    """annual_report, self_inspection or other, from the title (else the start of the text)."""
    subject = normalise(title or "")
    subject = re.sub(r"[（(][^）)]*[）)]$", "", subject).strip()
    if not subject:
        subject = normalise(text[:300])
    if "自查" in subject:
        return DOC_SELF_INSPECTION
    about_disclosure = any(word in subject for word in ("信息公开", "政务公开", "年报"))
    # 公开报告: "区公安局2017年度政府信息公开报告", a real title without 工作 or 年度报告.
    if about_disclosure and re.search(r"(年度报告|年报|工作报告|公开报告)$", subject):
        return DOC_ANNUAL_REPORT
    if about_disclosure and "年度报告" in subject and not _OTHER_TITLE_END.search(subject):
        return DOC_ANNUAL_REPORT
    return DOC_OTHER


def _doubled_start(name: str) -> bool:
    return len(name) > 3 and name[0] == name[1] and not name[0].isascii()


def repair_agency(name: str, text: str = "") -> str:
    """Undo a doubled first character ("濮濮阳市民政局"), a common copy-paste artefact."""
    if _doubled_start(name):
        # Keep a genuinely doubled name only when the document spells it that way elsewhere too.
        if text.count(name) < 2:
            return name[1:]
    return name


def _plausible(candidate: str | None) -> str | None:
    if not candidate:
        return None
    candidate = candidate.strip().strip("“”\"'：:")
    # A trailing parenthetical belongs to the name: "某区财政局（某区国资办）".
    core = _TRAILING_NOTE.sub("", candidate)
    if not 2 <= len(core) <= 30 or _BAD_AGENCY_CHARS.search(core):
        return None
    if _NOT_AGENCY.search(core) or not _AGENCY_END.search(core):
        return None
    return candidate


def signature_agency(text: str) -> str | None:
    """The agency a report is signed by: the line just above (or below) its date on its last
    lines (洛阳市民政局 / 2024年1月20日)."""
    lines = [normalise(line.strip()) for line in text.strip().splitlines()[-8:]]
    lines = [line for line in lines if line]
    for at in range(len(lines) - 1, -1, -1):
        if len(lines[at]) <= 20 and _SIGNATURE_DATE.search(lines[at]):
            for near in (at - 1, at + 1):
                if 0 <= near < len(lines) and _plausible(lines[near]):
                    return lines[near]
            return None
    return None


def find_agency(
    title: str | None,
    text: str,
    *,
    publisher: str | None = None,
    meta_source: str | None = None,
    source_agency: str | None = None,
) -> str | None:
    """The issuing agency as the report's own page names it: its title, the 发布机构 of its
    metadata table (`publisher`), its own phrases (现将…), its signature; then <meta>; the
    portal's agency (`source_agency`) only when the page names none."""
    candidates: list[str | None] = []
    if title:
        subject = normalise(title)
        for pattern in (_TITLE_AGENCY_BEFORE_YEAR, _TITLE_AGENCY_AFTER_YEAR):
            match = pattern.search(subject)
            if match:
                candidates.append(match.group("agency"))
    candidates.append(normalise(publisher) if publisher else None)
    body = normalise(text[:5000])
    for pattern in _BODY_AGENCY_PATTERNS:
        candidates.extend(match.group("agency") for match in pattern.finditer(body))
    candidates.append(signature_agency(text))
    named = [agency for agency in map(_plausible, candidates) if agency]
    # The page's own names first, one with its place (洛阳市民政局) before one without (市民政局,
    # which every city has); then <meta>, then the portal's agency.
    ordered = [a for a in named if not _UNQUALIFIED.match(a)] + [
        a for a in named if _UNQUALIFIED.match(a)
    ]
    for agency in [*ordered, _plausible(meta_source), _plausible(source_agency)]:
        if agency:
            # Only a doubled name needs the whole text (normalised) to be looked at.
            return repair_agency(agency, normalise(text) if _doubled_start(agency) else "")
    return None


def find_year(title: str | None, text: str, published: str | None = None) -> int | None:
    """The year the report covers: title, report phrases, the commonest year, publication - 1."""
    if title:
        match = re.search(rf"{_YEAR}\s*年", normalise(title))
        if match:
            return int(match.group(1))
    body = normalise(text[:8000])
    for pattern in _REPORT_ABOUT_YEAR:
        match = pattern.search(body)
        if match:
            return int(match.group(1))
    published_year = int(published[:4]) if published else None
    years = Counter(
        int(y)
        for y in re.findall(rf"{_YEAR}\s*年", body)
        if not published_year or int(y) <= published_year
    )
    if years:
        return years.most_common(1)[0][0]
    # Reports are published in the first quarter of the following year.
    return published_year - 1 if published_year else None


def signature_date(text: str) -> str | None:
    """The date a report is signed with on its last lines, as YYYY-MM-DD."""
    for line in reversed([line.strip() for line in text.strip().splitlines()[-6:]]):
        match = _SIGNATURE_DATE.search(normalise(line))
        if match and len(line) <= 20:
            year, month, day = (int(part) for part in match.groups())
            if 1 <= month <= 12 and 1 <= day <= 31:
                return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def choose_template(tables_template: str | None, year: int | None) -> str:
    """The template the tables were read as; else pre2019 for early years; else unknown."""
    if tables_template in (TEMPLATE_2019, TEMPLATE_2021):
        return tables_template
    if year is not None and year < 2019:
        return TEMPLATE_PRE2019
    return TEMPLATE_UNKNOWN


def read_metadata(
    title: str | None,
    text: str,
    *,
    published: str | None = None,
    meta: dict[str, str] | None = None,
    link_text: str | None = None,
    publisher: str | None = None,
    source_agency: str | None = None,
) -> DocumentMetadata:
    """Kind, agency, year and date of a document; `title` None means "read it from the text"."""
    meta = meta or {}
    title = title or title_from_text(text) or (normalise(link_text) if link_text else None)
    published = published or signature_date(text)
    agency = find_agency(
        title,
        text,
        publisher=publisher,
        meta_source=meta.get("contentsource") or meta.get("author"),
        source_agency=source_agency,
    )
    return DocumentMetadata(
        doc_type=classify(title, text),
        agency=agency,
        year=find_year(title, text, published),
        published=published,
        title=title,
    )
