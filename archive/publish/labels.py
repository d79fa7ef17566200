"""The `metric_labels` table: every metric key with the Chinese and English words the templates
print for its table, row and column, derived from the keys of `pipeline.extraction.keys`.
"""

from __future__ import annotations

import sqlite_utils

from pipeline.extraction import keys

TABLE_NAMES = {
    "二": ("二、主动公开政府信息情况", "Table 2: information published proactively"),
    "三": (
        "三、收到和处理政府信息公开申请情况",
        "Table 3: disclosure applications received and handled",
    ),
    "四": (
        "四、政府信息公开行政复议、行政诉讼情况",
        "Table 4: administrative reviews and lawsuits",
    ),
}

# Table 二: row stems and the columns each template prints, as printed (zh) and in English.
_ACTIVE_ROWS = {
    "rules": ("规章", "Rules"),
    "normative": ("行政规范性文件", "Normative documents"),
    "licensing": ("行政许可", "Administrative licensing"),
    "other_services": ("其他对外管理服务事项", "Other external management services"),
    "penalty": ("行政处罚", "Administrative penalties"),
    "coercion": ("行政强制", "Administrative coercion"),
    "fees": ("行政事业性收费", "Administrative fees"),
    "procurement": ("政府集中采购", "Centralised government procurement"),
}
_ACTIVE_COLUMNS = {
    "made": ("本年新制作数量", "made this year"),
    "published": ("本年新公开数量", "newly published this year"),
    "total": ("对外公开总数量", "total published"),
    "prev": ("上一年项目数量", "items the year before"),
    "change": ("本年增/减", "change this year"),
    "decisions": ("处理决定数量", "decisions"),
    "count": ("采购项目数量", "procurement items"),
    "amount": ("采购总金额", "total amount"),
    "issued": ("本年制发件数", "issued this year"),
    "repealed": ("本年废止件数", "repealed this year"),
    "in_force": ("现行有效件数", "in force"),
}
# The 2019 template words one row differently.
_ACTIVE_ROWS_2019 = {"normative": ("规范性文件", "Normative documents")}
# The 2021 template words two shared columns differently.
_ACTIVE_COLUMNS_2021 = {
    "decisions": ("本年处理决定数量", "decisions this year"),
    "amount": ("本年收费金额", "fees collected this year"),
}

# Table 三 row labels as the templates print them, group heading first.
_APPLY_ROWS = {
    "new": ("一、本年新收政府信息公开申请数量", "New applications this year"),
    "carried_in": ("二、上年结转政府信息公开申请数量", "Carried over from last year"),
    "granted": ("三、本年度办理结果（一）予以公开", "Outcome: disclosed"),
    "partial": (
        "三、本年度办理结果（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        "Outcome: partly disclosed",
    ),
    "denied.secret": ("（三）不予公开 1.属于国家秘密", "Refused: state secret"),
    "denied.law": ("（三）不予公开 2.其他法律行政法规禁止公开", "Refused: barred by other law"),
    "denied.safety": (
        "（三）不予公开 3.危及“三安全一稳定”",
        "Refused: endangers security or stability",
    ),
    "denied.third_party": ("（三）不予公开 4.保护第三方合法权益", "Refused: third-party rights"),
    "denied.internal": ("（三）不予公开 5.属于三类内部事务信息", "Refused: internal affairs"),
    "denied.process": ("（三）不予公开 6.属于四类过程性信息", "Refused: deliberative process"),
    "denied.enforcement": ("（三）不予公开 7.属于行政执法案卷", "Refused: enforcement case file"),
    "denied.query": ("（三）不予公开 8.属于行政查询事项", "Refused: administrative query matter"),
    "unable.not_held": ("（四）无法提供 1.本机关不掌握相关政府信息", "Unable: not held"),
    "unable.need_create": (
        "（四）无法提供 2.没有现成信息需要另行制作",
        "Unable: would need creating",
    ),
    "unable.unclear": ("（四）无法提供 3.补正后申请内容仍不明确", "Unable: still unclear"),
    "unprocessed.petition": (
        "（五）不予处理 1.信访举报投诉类申请",
        "Not processed: petition/complaint",
    ),
    "unprocessed.repeat": ("（五）不予处理 2.重复申请", "Not processed: repeated application"),
    "unprocessed.publication": (
        "（五）不予处理 3.要求提供公开出版物",
        "Not processed: asks for a publication",
    ),
    "unprocessed.mass": (
        "（五）不予处理 4.无正当理由大量反复申请",
        "Not processed: mass repeated applications",
    ),
    "unprocessed.confirm": (
        "（五）不予处理 5.要求行政机关确认或重新出具已获取信息",
        "Not processed: asks to confirm or reissue information",
    ),
    "other": ("（六）其他处理", "Other handling"),
    "other.no_correction": (
        "（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "Other: applicant did not supplement in time",
    ),
    "other.no_fee": (
        "（六）其他处理 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "Other: applicant did not pay the fee in time",
    ),
    "other.other": ("（六）其他处理 3.其他", "Other: other"),
    # A 2021 table printing （六） as the 2019 form's single row (keys.APPLY_HYBRID_OTHER_ROW).
    "other.single": (
        "（六）其他处理（2021 年表中按 2019 年格式印为一行）",
        "Other handling, one row as in the 2019 form (printed in a 2021 table)",
    ),
    "total": ("（七）总计", "Total handled"),
    "carried_out": ("四、结转下年度继续办理", "Carried over to next year"),
}
_APPLY_COLUMNS = {
    "natural": ("自然人", "natural persons"),
    "business": ("法人或其他组织·商业企业", "businesses"),
    "research": ("法人或其他组织·科研机构", "research institutions"),
    "nonprofit": ("法人或其他组织·社会公益组织", "non-profit organisations"),
    "legal": ("法人或其他组织·法律服务机构", "legal service providers"),
    "other_org": ("法人或其他组织·其他", "other organisations"),
    keys.APPLY_SUBTOTAL_COLUMN: ("法人或其他组织·小计", "organisations, subtotal"),
    "total": ("总计", "total"),
}

_REVIEW_GROUPS = {
    "review": ("行政复议", "Administrative review"),
    "litigation.direct": ("行政诉讼·未经复议直接起诉", "Lawsuit without prior review"),
    "litigation.after_review": ("行政诉讼·复议后起诉", "Lawsuit after review"),
}
_REVIEW_OUTCOMES = {
    "upheld": ("结果维持", "upheld"),
    "corrected": ("结果纠正", "corrected"),
    "other": ("其他结果", "other outcome"),
    "pending": ("尚未审结", "pending"),
    "total": ("总计", "total"),
}

_AMOUNT_KEYS = frozenset({"active.procurement.amount", "active.fees.amount"})
# 2019 table 二 counts items (项) in its 上一年项目数量 / 本年增减 columns, documents (件) elsewhere.
_ITEM_COLUMNS = frozenset({"prev", "change", "count"})


def _active_label(key: str, template: str) -> dict[str, str]:
    _, row, column = key.split(".")
    rows = {**_ACTIVE_ROWS, **_ACTIVE_ROWS_2019} if template == "2019" else _ACTIVE_ROWS
    row_zh, row_en = rows[row]
    columns = {**_ACTIVE_COLUMNS, **_ACTIVE_COLUMNS_2021} if template == "2021" else _ACTIVE_COLUMNS
    column_zh, column_en = columns[column]
    if key in _AMOUNT_KEYS:
        unit = "万元"
    else:
        unit = "项" if column in _ITEM_COLUMNS else "件"
    return {
        "label_zh": f"{row_zh}·{column_zh}",
        "label_en": f"{row_en}, {column_en}",
        "row_zh": row_zh,
        "column_zh": column_zh,
        "unit": unit,
    }


def _apply_label(key: str) -> dict[str, str]:
    stem, column = key[len("apply.") :].rsplit(".", 1)
    row_zh, row_en = _APPLY_ROWS[stem]
    column_zh, column_en = _APPLY_COLUMNS[column]
    return {
        "label_zh": f"{row_zh}·{column_zh}",
        "label_en": f"{row_en}, {column_en}",
        "row_zh": row_zh,
        "column_zh": column_zh,
        "unit": "件",
    }


def _review_label(key: str) -> dict[str, str]:
    group, outcome = key.rsplit(".", 1)
    group_zh, group_en = _REVIEW_GROUPS[group]
    outcome_zh, outcome_en = _REVIEW_OUTCOMES[outcome]
    return {
        "label_zh": f"{group_zh}·{outcome_zh}",
        "label_en": f"{group_en}, {outcome_en}",
        "row_zh": group_zh,
        "column_zh": outcome_zh,
        "unit": "件",
    }


def _templates_of_extra_key(key: str) -> str:
    """The templates a key outside TEMPLATE_KEYS is read in: the hybrid row in 2021 tables, the
    法人小计 column in both."""
    if key.startswith(f"apply.{keys.APPLY_HYBRID_OTHER_ROW}."):
        return keys.TEMPLATE_2021
    return f"{keys.TEMPLATE_2019},{keys.TEMPLATE_2021}"


def metric_label_rows() -> list[dict[str, object]]:
    """One row per metric key of either template (plus the 法人小计 column), in template order."""
    apply_rows = dict.fromkeys(keys.APPLY_ROWS_2019 + keys.APPLY_ROWS_2021)
    subtotal_keys = tuple(f"apply.{row}.{keys.APPLY_SUBTOTAL_COLUMN}" for row in apply_rows)
    ordered = dict.fromkeys(
        keys.ACTIVE_KEYS_2019
        + keys.ACTIVE_KEYS_2021
        + tuple(
            dict.fromkeys(
                keys.apply_keys(keys.APPLY_ROWS_2019)
                + keys.apply_keys(keys.APPLY_ROWS_2021)
                + keys.apply_keys((keys.APPLY_HYBRID_OTHER_ROW,))
            )
        )
        + subtotal_keys
        + keys.REVIEW_KEYS
    )
    rows: list[dict[str, object]] = []
    for position, key in enumerate(ordered):
        templates = [
            t for t in (keys.TEMPLATE_2019, keys.TEMPLATE_2021) if key in keys.TEMPLATE_KEYS[t]
        ]
        if key.startswith("active."):
            # Shared keys are labelled as the newer template prints them.
            label = _active_label(key, templates[-1])
            table = "二"
        elif key.startswith("apply."):
            label = _apply_label(key)
            table = "三"
        else:
            label = _review_label(key)
            table = "四"
        # How the 2019 form prints the same cell, where its wording differs (the report page
        # follows the report's own template).
        label_2019 = (
            _active_label(key, keys.TEMPLATE_2019)
            if key.startswith("active.") and keys.TEMPLATE_2019 in templates
            else label
        )
        rows.append(
            {
                "key": key,
                **label,
                "row_zh_2019": label_2019["row_zh"],
                "column_zh_2019": label_2019["column_zh"],
                "table": table,
                "table_zh": TABLE_NAMES[table][0],
                "templates": ",".join(templates) or _templates_of_extra_key(key),
                "position": position,
            }
        )
    return rows


def refresh_metric_labels(db: sqlite_utils.Database) -> None:
    db.execute("DROP TABLE IF EXISTS metric_labels")
    db.table("metric_labels").insert_all(metric_label_rows(), pk="key")


def row_labels(template: str) -> dict[str, str]:
    """Each row key of `template` (keys.TEMPLATE_ROWS) → its table and label as the template
    prints them: 'active.coercion' → '表二 行政强制'."""
    suffix = "_2019" if template == keys.TEMPLATE_2019 else ""
    labels: dict[str, str] = {}
    for row in metric_label_rows():
        row_key = str(row["key"]).rsplit(".", 1)[0]
        labels.setdefault(row_key, f"表{row['table']} {row[f'row_zh{suffix}']}")
    return {row_key: labels[row_key] for row_key in keys.TEMPLATE_ROWS.get(template, ())}
