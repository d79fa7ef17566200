"""A hostile report for the escaping tests: markup, script and `javascript:` in what gets scraped.

The portal renders it like any report (its text escaped into the page, as a CMS does), so what the
crawler stores is the literal text `<script>…`, `<img onerror=…>`, `javascript:…` and `</textarea>`
in the report's title, link text and body. Whatever shows that text (Datasette's tables, the report
page, search results) must show it as text. Every payload calls `alert`, so a browser test can
watch for dialogs, and carries the marker `nianbao-xss`, so it can look for injected elements.
"""

from __future__ import annotations

from datetime import datetime

from portal.content import ReportSpec
from portal.synthetic import generate

MARKER = "nianbao-xss"
PAYLOADS = (
    f"<script>alert('{MARKER}-script')</script>",
    f"<img src=x class={MARKER} onerror=alert('{MARKER}-img')>",
    f"javascript:alert('{MARKER}-href')",
    f"</textarea><svg class={MARKER} onload=alert('{MARKER}-svg')>",
    f"\"><b class={MARKER} onmouseover=alert('{MARKER}-attr')>",
)
HOSTILE_AGENCY = "示例市恶意测试局（示例）"


def hostile_spec(year: int = 2020) -> ReportSpec:
    """A 2019-template report with real tables and hostile strings in its title and prose."""
    base = next(spec for spec in generate(12, seed=99) if spec.year == year)
    title = f"{HOSTILE_AGENCY}{year}年政府信息公开工作年度报告{PAYLOADS[0]}{PAYLOADS[1]}"
    intro = [
        f"本报告由{HOSTILE_AGENCY}编制。{PAYLOADS[0]}",
        f"详见链接 {PAYLOADS[2]} 与 {PAYLOADS[3]}",
        f"属性注入 {PAYLOADS[4]}",
        *base.intro,
    ]
    return ReportSpec(
        agency=HOSTILE_AGENCY,
        year=year,
        template=base.template,
        doc_type=base.doc_type,
        title=title,
        published=datetime(year + 1, 1, 20, 9, 0),
        metrics=dict(base.metrics),
        raw=dict(base.raw),
        intro=intro,
        outro=[*base.outro, PAYLOADS[1]],
    )
