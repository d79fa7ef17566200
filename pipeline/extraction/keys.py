"""The stable metric keys of the two official report templates.

Every number nianbao reads from a report's statistical tables is stored under one of these keys, so
that a 2019-format and a 2021-format report can be queried side by side. The keys are the contract
between extraction, the database, the sample portal's ground truth and Datasette; change them only
with a migration.
"""

from __future__ import annotations

TEMPLATE_2019 = "2019"
TEMPLATE_2021 = "2021"
TEMPLATE_PRE2019 = "pre2019"
TEMPLATE_UNKNOWN = "unknown"
TEMPLATES = (TEMPLATE_2019, TEMPLATE_2021, TEMPLATE_PRE2019, TEMPLATE_UNKNOWN)

# Table 二 主动公开政府信息情况
ACTIVE_KEYS_2019: tuple[str, ...] = (
    "active.rules.made",
    "active.rules.published",
    "active.rules.total",
    "active.normative.made",
    "active.normative.published",
    "active.normative.total",
    "active.licensing.prev",
    "active.licensing.change",
    "active.licensing.decisions",
    "active.other_services.prev",
    "active.other_services.change",
    "active.other_services.decisions",
    "active.penalty.prev",
    "active.penalty.change",
    "active.penalty.decisions",
    "active.coercion.prev",
    "active.coercion.change",
    "active.coercion.decisions",
    "active.fees.prev",
    "active.fees.change",
    "active.procurement.count",
    "active.procurement.amount",
)
ACTIVE_KEYS_2021: tuple[str, ...] = (
    "active.rules.issued",
    "active.rules.repealed",
    "active.rules.in_force",
    "active.normative.issued",
    "active.normative.repealed",
    "active.normative.in_force",
    "active.licensing.decisions",
    "active.penalty.decisions",
    "active.coercion.decisions",
    "active.fees.amount",
)

# Table 三 收到和处理政府信息公开申请情况: rows in the order the template prints them.
_APPLY_ROWS_HEAD: tuple[str, ...] = (
    "new",
    "carried_in",
    "granted",
    "partial",
    "denied.secret",
    "denied.law",
    "denied.safety",
    "denied.third_party",
    "denied.internal",
    "denied.process",
    "denied.enforcement",
    "denied.query",
    "unable.not_held",
    "unable.need_create",
    "unable.unclear",
    "unprocessed.petition",
    "unprocessed.repeat",
    "unprocessed.publication",
    "unprocessed.mass",
    "unprocessed.confirm",
)
APPLY_ROWS_2019: tuple[str, ...] = _APPLY_ROWS_HEAD + ("other", "total", "carried_out")
APPLY_ROWS_2021: tuple[str, ...] = _APPLY_ROWS_HEAD + (
    "other.no_correction",
    "other.no_fee",
    "other.other",
    "total",
    "carried_out",
)
# A 2021-format table 三 that prints （六）其他处理 as the 2019 form's single row (a hybrid some
# agencies publish): that row is recorded as printed under `apply.other.single.<column>`, and the
# three 2021 rows it stands for are missing (the report is `partial`). Not in TEMPLATE_KEYS.
APPLY_HYBRID_OTHER_ROW = "other.single"
# 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计
APPLY_COLUMNS: tuple[str, ...] = (
    "natural",
    "business",
    "research",
    "nonprofit",
    "legal",
    "other_org",
    "total",
)
# The five legal-person columns, summed by some portals into an extra 法人小计 column; it is kept
# under this column name when printed but is not part of the template's required keys.
APPLY_ORG_COLUMNS: tuple[str, ...] = ("business", "research", "nonprofit", "legal", "other_org")
APPLY_SUBTOTAL_COLUMN = "org_subtotal"

# Rows whose sum is （七）总计, per template.
APPLY_RESULT_ROWS_2019: tuple[str, ...] = APPLY_ROWS_2019[2:-2]
APPLY_RESULT_ROWS_2021: tuple[str, ...] = APPLY_ROWS_2021[2:-2]

# Table 四 行政复议、行政诉讼
REVIEW_OUTCOMES: tuple[str, ...] = ("upheld", "corrected", "other", "pending", "total")
REVIEW_GROUPS: tuple[str, ...] = ("review", "litigation.direct", "litigation.after_review")
REVIEW_KEYS: tuple[str, ...] = tuple(f"{g}.{o}" for g in REVIEW_GROUPS for o in REVIEW_OUTCOMES)


def apply_keys(rows: tuple[str, ...]) -> tuple[str, ...]:
    """All `apply.<row>.<col>` keys for the given rows, row-major."""
    return tuple(f"apply.{row}.{col}" for row in rows for col in APPLY_COLUMNS)


TEMPLATE_KEYS: dict[str, tuple[str, ...]] = {
    TEMPLATE_2019: ACTIVE_KEYS_2019 + apply_keys(APPLY_ROWS_2019) + REVIEW_KEYS,
    TEMPLATE_2021: ACTIVE_KEYS_2021 + apply_keys(APPLY_ROWS_2021) + REVIEW_KEYS,
}


def _row_keys(metric_keys: tuple[str, ...]) -> tuple[str, ...]:
    # A metric key is its row's key and a column: 'apply.denied.secret' + '.natural'.
    return tuple(dict.fromkeys(key.rsplit(".", 1)[0] for key in metric_keys))


# The rows of tables 二, 三 and 四 per template, in template order: 'active.rules',
# 'apply.denied.secret', 'review', 'litigation.direct'… Each is the prefix of its cells' metric
# keys. A report whose tables were read but lack some of these rows is `partial`.
TEMPLATE_ROWS: dict[str, tuple[str, ...]] = {
    template: _row_keys(metric_keys) for template, metric_keys in TEMPLATE_KEYS.items()
}


def template_for_year(year: int) -> str:
    """The template a report for `year` is expected to use (2019 format up to the 2020 reports)."""
    if year < 2019:
        return TEMPLATE_PRE2019
    return TEMPLATE_2019 if year <= 2020 else TEMPLATE_2021


# Reports before 2019 (pre2019) printed no fixed template, but many carried the old 统计表 of
# 2008–2018 guidance (主动公开政府信息数 / 受理申请数 / 行政复议数量 …). Its rows are kept
# under this namespace; the keys are nianbao's own, not the State Council's. They are not in
# TEMPLATE_KEYS (whose keys the publishing step labels as table 二/三/四 cells).
PRE2019_KEYS: tuple[str, ...] = (
    "pre2019.active.total",
    "pre2019.active.normative",
    "pre2019.normative.made",
    "pre2019.active.gazette",
    "pre2019.active.website",
    "pre2019.active.weibo",
    "pre2019.active.wechat",
    "pre2019.active.other_channels",
    "pre2019.response.hotspots",
    "pre2019.apply.received",
    "pre2019.apply.in_person",
    "pre2019.apply.fax",
    "pre2019.apply.online",
    "pre2019.apply.letter",
    "pre2019.apply.closed",
    "pre2019.apply.on_time",
    "pre2019.apply.extended",
    "pre2019.apply.answered",
    "pre2019.apply.already_public",
    "pre2019.apply.granted",
    "pre2019.apply.partial",
    "pre2019.apply.denied",
    "pre2019.apply.not_this_agency",
    "pre2019.apply.not_exist",
    "pre2019.apply.correction",
    "pre2019.apply.other_route",
    "pre2019.review.total",
    "pre2019.review.upheld",
    "pre2019.review.corrected",
    "pre2019.review.other",
    "pre2019.litigation.total",
    "pre2019.litigation.upheld",
    "pre2019.litigation.corrected",
    "pre2019.litigation.other",
    "pre2019.complaints.total",
    "pre2019.fees.amount",
    "pre2019.staff.offices",
    "pre2019.staff.reading_points",
    "pre2019.staff.total",
    "pre2019.staff.full_time",
    "pre2019.staff.part_time",
    "pre2019.budget.amount",
    "pre2019.meetings.count",
    "pre2019.training.sessions",
    "pre2019.training.people",
)
