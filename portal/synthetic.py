"""Synthetic annual reports for clearly fictional agencies, with internally consistent numbers.

Each report is a `ReportSpec` whose metrics are the ground truth: the template's sums hold (row
totals over the applicant columns, result rows summing to （七）总计, new + carried-in equal to
total + carried-out, review totals), numbers are mostly small and some zero cells print blank.
Across years an agency's 2021-template 现行有效件数 carries on: last year's + 本年制发 − 本年废止.
Years run 2019–2025; reports for 2019 and 2020 use the 2019 template, later ones the 2021 template.
Everything comes from `random.Random(seed)`, so a seed always yields the same portal.
"""

from __future__ import annotations

import random
from datetime import datetime

from pipeline.extraction.keys import (
    APPLY_COLUMNS,
    APPLY_ORG_COLUMNS,
    APPLY_RESULT_ROWS_2019,
    APPLY_RESULT_ROWS_2021,
    REVIEW_GROUPS,
    TEMPLATE_2021,
    template_for_year,
)
from pipeline.extraction.report import DOC_ANNUAL_REPORT
from portal.content import ReportSpec

YEARS = tuple(range(2019, 2026))
# Real provinces the fictional districts sit in, so the archive's regional views and peer
# comparisons have something to show; the districts themselves (示例市示例一区) are no real place.
PROVINCES = ("河南省", "浙江省", "四川省", "广东省", "湖北省", "江苏省", "山东省", "云南省")
# Districts given to one province in a row: its departments of one type have peers to compare.
_DISTRICTS_PER_PROVINCE = 2
_DEPARTMENTS = (
    "人民政府",
    "民政局",
    "人力资源和社会保障局",
    "自然资源和规划局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "农业农村局",
    "卫生健康委员会",
    "市场监督管理局",
    "教育局",
    "财政局",
    "人民政府办公室",
)
_NUMERALS = "一二三四五六七八九十"


def chinese_numeral(number: int) -> str:
    """1 → 一, 11 → 十一, 20 → 二十, 105 → 一百零五, 2024 → 二千零二十四 (up to 99,999)."""
    if not 0 < number < 100_000:
        raise ValueError(f"{number} is out of range")
    digits = "零" + _NUMERALS[:9]
    units = ("", "十", "百", "千", "万")
    text = ""
    zero_pending = False
    for position in range(4, -1, -1):
        digit = number // 10**position % 10
        if digit == 0:
            zero_pending = bool(text)
            continue
        if zero_pending:
            text += "零"
            zero_pending = False
        text += digits[digit] + units[position]
    # 一十一 is written 十一 when it stands alone.
    return text[1:] if text.startswith("一十") else text


def _district(index: int) -> str:
    """河南省示例市示例一区, 河南省示例市示例二区, 浙江省示例市示例一区, … — in a real province,
    fictional by name; after the last province the next round goes on counting (示例三区, …)."""
    per_round = len(PROVINCES) * _DISTRICTS_PER_PROVINCE
    round_number, position = divmod(index, per_round)
    province = PROVINCES[position // _DISTRICTS_PER_PROVINCE]
    number = round_number * _DISTRICTS_PER_PROVINCE + position % _DISTRICTS_PER_PROVINCE + 1
    return f"{province}示例市示例{chinese_numeral(number)}区"


def agency_name(index: int) -> str:
    district, department = divmod(index, len(_DEPARTMENTS))
    return f"{_district(district)}{_DEPARTMENTS[department]}（示例）"


def _small(rng: random.Random, zero_share: float = 0.5, high: int = 12) -> int:
    return 0 if rng.random() < zero_share else rng.randint(1, high)


def _active(rng: random.Random, template: str) -> dict[str, float | None]:
    values: dict[str, float | None] = {}
    if template == TEMPLATE_2021:
        for row in ("rules", "normative"):
            issued, repealed = _small(rng, 0.6, 5), _small(rng, 0.7, 3)
            values[f"active.{row}.issued"] = issued
            values[f"active.{row}.repealed"] = repealed
            values[f"active.{row}.in_force"] = issued + rng.randint(0, 60)
        for row in ("licensing", "penalty", "coercion"):
            values[f"active.{row}.decisions"] = _small(rng, 0.3, 400)
        values["active.fees.amount"] = round(rng.choice((0, 0, rng.uniform(0, 300))), 2)
        return values
    for row in ("rules", "normative"):
        made = _small(rng, 0.6, 5)
        values[f"active.{row}.made"] = made
        values[f"active.{row}.published"] = made
        values[f"active.{row}.total"] = made + rng.randint(0, 60)
    for row in ("licensing", "other_services", "penalty", "coercion"):
        values[f"active.{row}.prev"] = _small(rng, 0.4, 80)
        values[f"active.{row}.change"] = rng.choice((0, 0, 0, rng.randint(-5, 10)))
        values[f"active.{row}.decisions"] = _small(rng, 0.3, 600)
    values["active.fees.prev"] = _small(rng, 0.7, 6)
    values["active.fees.change"] = 0
    count = _small(rng, 0.5, 20)
    values["active.procurement.count"] = count
    values["active.procurement.amount"] = round(rng.uniform(1, 3000), 2) if count else 0
    return values


def _apply(rng: random.Random, template: str) -> dict[str, float | None]:
    result_rows = APPLY_RESULT_ROWS_2021 if template == TEMPLATE_2021 else APPLY_RESULT_ROWS_2019
    columns = [c for c in APPLY_COLUMNS if c != "total"]
    table: dict[str, dict[str, int]] = {}
    table["new"] = {
        c: _small(rng, 0.2 if c == "natural" else 0.8, 40 if c == "natural" else 4) for c in columns
    }
    table["carried_in"] = {c: _small(rng, 0.8, 3) for c in columns}
    table["carried_out"] = {c: min(_small(rng, 0.8, 3), table["new"][c]) for c in columns}
    table["total"] = {
        c: table["new"][c] + table["carried_in"][c] - table["carried_out"][c] for c in columns
    }
    for row in result_rows:
        table[row] = dict.fromkeys(columns, 0)
    # Spread each column's total over the result rows, favouring the common outcomes.
    weights = [
        8 if r in ("granted", "unable.not_held") else 3 if r == "partial" else 1
        for r in result_rows
    ]
    for column in columns:
        for _ in range(table["total"][column]):
            table[rng.choices(result_rows, weights)[0]][column] += 1
    blank_zero_orgs = rng.random() < 0.15  # some agencies leave zero legal-person cells empty
    values: dict[str, float | None] = {}
    for row, cells in table.items():
        for column in columns:
            value = cells[column]
            blank = blank_zero_orgs and value == 0 and column in APPLY_ORG_COLUMNS
            values[f"apply.{row}.{column}"] = None if blank else value
        values[f"apply.{row}.total"] = sum(cells.values())
    return values


def _review(rng: random.Random) -> dict[str, float | None]:
    values: dict[str, float | None] = {}
    for group in REVIEW_GROUPS:
        outcomes = [_small(rng, 0.85, 3) for _ in range(4)]
        for name, value in zip(("upheld", "corrected", "other", "pending"), outcomes, strict=True):
            values[f"{group}.{name}"] = value
        values[f"{group}.total"] = sum(outcomes)
    return values


def _prose(agency: str, year: int, metrics: dict[str, float | None]) -> tuple[list[str], list[str]]:
    received = metrics.get("apply.new.total") or 0
    intro = [
        f"根据《中华人民共和国政府信息公开条例》规定，现公布{agency}{year}年政府信息公开工作年度报告。"
        f"本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。",
        "一、总体情况",
        f"{year}年，{agency}认真贯彻落实政府信息公开工作要求，坚持以公开为常态、不公开为例外，"
        f"全年共收到政府信息公开申请{int(received)}件，均在法定期限内答复。",
    ]
    outro = [
        "五、存在的主要问题及改进情况",
        "政务公开工作人员业务水平有待进一步提高，下一步将加强培训，规范依申请公开办理流程。",
        "六、其他需要报告的事项",
        "无。",
    ]
    return intro, outro


def _continue_in_force(specs: list[ReportSpec]) -> None:
    """Make each agency's 现行有效件数 continue from its 2021-template report of the year before
    (the year-before's count + issued − repealed, repealing no more than there is). Draws nothing
    from the random generator, so every other number stays as it was."""
    by_agency_year = {(spec.agency, spec.year): spec for spec in specs}
    for spec in sorted(specs, key=lambda spec: (spec.agency, spec.year)):
        last = by_agency_year.get((spec.agency, spec.year - 1))
        if spec.template != TEMPLATE_2021 or last is None or last.template != TEMPLATE_2021:
            continue
        for row in ("rules", "normative"):
            before = last.metrics[f"active.{row}.in_force"] or 0
            issued = spec.metrics[f"active.{row}.issued"] or 0
            repealed = min(spec.metrics[f"active.{row}.repealed"] or 0, before + issued)
            spec.metrics[f"active.{row}.repealed"] = repealed
            spec.metrics[f"active.{row}.in_force"] = before + issued - repealed


def generate(count: int, seed: int = 0) -> list[ReportSpec]:
    """`count` synthetic reports; (agency, year) pairs never repeat."""
    rng = random.Random(seed)
    agencies_needed = -(-count // len(YEARS)) or 1
    pairs = [(a, y) for a in range(agencies_needed) for y in YEARS]
    chosen = rng.sample(pairs, count)
    specs: list[ReportSpec] = []
    for agency_index, year in chosen:
        agency = agency_name(agency_index)
        template = template_for_year(year)
        metrics = {**_active(rng, template), **_apply(rng, template), **_review(rng)}
        intro, outro = _prose(agency, year, metrics)
        published = datetime(
            year + 1, rng.randint(1, 3), rng.randint(1, 28), rng.randint(8, 17), rng.choice((0, 30))
        )
        specs.append(
            ReportSpec(
                agency=agency,
                year=year,
                template=template,
                doc_type=DOC_ANNUAL_REPORT,
                title=f"{agency}{year}年政府信息公开工作年度报告",
                published=published,
                metrics=metrics,
                intro=intro,
                outro=outro,
            )
        )
    _continue_in_force(specs)
    return specs
