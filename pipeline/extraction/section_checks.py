"""Whether a report says anything in 第五部分, 存在的主要问题及改进情况 (both templates).

Rule (its name is stable: it is stored and queried), severity "warning":

* `prose.problems_section`: the section 五、存在的主要问题及改进情况 is present and says something.
  It fails when the section is missing while the report's other section headings are there, or
  when it is empty or says only 无 (its sub-headings 存在问题 / 改进情况 do not count as saying
  something); it is unverifiable when none of the template's section headings can be found (text
  flattened from a scan or a page that lost its line structure), since then the section cannot be
  told from the rest.

The section runs from its heading to 六、其他需要报告的事项, or to the end of the text.
"""

from __future__ import annotations

import re

from pipeline.extraction.report import Check

RULE = "prose.problems_section"
SEVERITY = "warning"
_MAX_EVIDENCE = 200

_NUMBER_MARK = r"\s*[、.．，,]\s*"
# Some agencies name the subject first: 五、政府信息公开工作存在的主要问题及改进情况 (上海市人民政府办公厅,
# 2019), so a few ideographs may come before 存在.
_FIVE = re.compile(rf"五{_NUMBER_MARK}(?:[\u4e00-\u9fff]{{0,10}}?存在的?)?(?:主要)?问题")
# The rest of section five's heading: 及改进情况, 和改进措施, 及整改情况…
_FIVE_REST = re.compile(r"[^。\n]{0,10}?(?:改进|整改)(?:情况|措施|工作|方向|计划)?")
_SIX = re.compile(rf"六{_NUMBER_MARK}其他需要报告")
_OTHER_HEADINGS = (
    re.compile(rf"一{_NUMBER_MARK}总体情况"),
    re.compile(rf"二{_NUMBER_MARK}主动公开政府信息"),
    re.compile(rf"三{_NUMBER_MARK}收到和处理政府信息公开申请"),
    re.compile(rf"四{_NUMBER_MARK}政府信息公开行政复议"),
    _SIX,
)
# What does not count as saying something: sub-headings, "无" and its kin, punctuation, markup.
_SUB_HEADING = re.compile(
    r"[（(]?[一二三123][）)]?[、.．]?(?:存在的?(?:主要)?问题|(?:改进|整改)(?:情况|措施)?)[:：]?"
)
_NOTHING = re.compile(r"本年度|本年|暂无|没有|无|[#*\-—_\s\u3000。，、；：:;,.！!？?（）()]")


def problems_section_check(text: str) -> Check:
    """The `prose.problems_section` check of a report's text."""
    heading = _FIVE.search(text)
    if heading is None:
        if any(pattern.search(text) for pattern in _OTHER_HEADINGS):
            return Check(
                RULE,
                False,
                detail="五、存在的主要问题及改进情况: section missing",
                severity=SEVERITY,
                evidence="other section headings found, 五 not",
            )
        return Check(
            RULE,
            None,
            detail="五、存在的主要问题及改进情况: no section headings found",
            severity=SEVERITY,
            evidence="",
        )
    start = heading.end()
    rest = _FIVE_REST.match(text, start)
    if rest is not None:
        start = rest.end()
    end_heading = _SIX.search(text, start)
    section = text[start : end_heading.start() if end_heading else len(text)]
    said = _NOTHING.sub("", _SUB_HEADING.sub("", section))
    shown = " ".join(section.split())[:_MAX_EVIDENCE] or "（空）"
    if not said:
        return Check(
            RULE,
            False,
            detail="五、存在的主要问题及改进情况: empty or 无",
            severity=SEVERITY,
            evidence=shown,
        )
    return Check(
        RULE,
        True,
        detail="五、存在的主要问题及改进情况 says something",
        severity=SEVERITY,
        evidence=shown,
    )
