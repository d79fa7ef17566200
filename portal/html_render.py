"""HTML for report bodies: Word-pasted tables (TRS), hand-made tables (Hanweb, plain), prose.

Real portals publish the official tables pasted from Word: `MsoNormalTable`, every cell's text in
`<p class="MsoNormal">` with the label split over several `<span>`s, empty cells as `&nbsp;`. The
TRS style reproduces that mess; the simple style is what a Hanweb editor's table tool produces.
"""

from __future__ import annotations

from html import escape

from portal.content import ReportSpec
from portal.tables import Cell, Table, report_tables


def _split_label(text: str) -> str:
    """A label as Word pastes it: two or three spans, sometimes two paragraphs."""
    if len(text) < 6:
        return f'<span style="font-family:宋体;font-size:10.5pt">{escape(text)}</span>'
    cut = len(text) // 2
    first, second = escape(text[:cut]), escape(text[cut:])
    if len(text) > 24:
        # Long labels wrap in Word, and the paste keeps the wrap as a second paragraph.
        return (
            f'<span style="font-family:宋体">{first}</span></p>'
            f'<p class="MsoNormal" align="center" style="text-align:center">'
            f'<span style="font-family:宋体">{second}</span>'
        )
    return (
        f'<span style="font-family:宋体;font-size:10.5pt">{first}</span>'
        f'<span style="font-family:宋体;font-size:10.5pt">{second}</span>'
    )


def _word_cell(cell: Cell) -> str:
    spans = "".join(
        f' {name}="{value}"'
        for name, value in (("rowspan", cell.rowspan), ("colspan", cell.colspan))
        if value > 1
    )
    if cell.label:
        inner = _split_label(cell.text)
    elif cell.text:
        inner = f'<span lang="EN-US" style="font-size:10.5pt">{escape(cell.text)}</span>'
    else:
        inner = '<span lang="EN-US">&nbsp;</span>'
    return (
        f'<td width="{48 * cell.colspan}" valign="center'
        f'"{spans} style="border:solid windowtext 1.0pt;'
        'padding:0cm 5.4pt 0cm 5.4pt"><p class="MsoNor'
        'mal" align="center" style="text-align:center">'
        f"{inner}</p></td>"
    )


def word_table(table: Table) -> str:
    rows = "\n".join(
        f'<tr style="height:20.0pt">{"".join(_word_cell(c) for c in row)}</tr>'
        for row in table.rows
    )
    return (
        f'<p class="MsoNormal"><b><span style="font-family:黑体">{escape(table.heading)}'
        "</span></b></p>\n"
        f'<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" '
        f'style="border-collapse:collapse;border:none">\n<tbody>\n{rows}\n</tbody></table>'
    )


def simple_table(table: Table) -> str:
    def cell(c: Cell) -> str:
        spans = "".join(
            f' {name}="{value}"'
            for name, value in (("rowspan", c.rowspan), ("colspan", c.colspan))
            if value > 1
        )
        return f"<td{spans}>{escape(c.text) if c.text else '&nbsp;'}</td>"

    rows = "\n".join(f"<tr>{''.join(cell(c) for c in row)}</tr>" for row in table.rows)
    heading = f"<p><strong>{escape(table.heading)}</strong></p>"
    return f'{heading}\n<table border="1" width="100%">\n{rows}\n</table>'


def paragraphs(lines: list[str], word_style: bool) -> str:
    if word_style:
        return "\n".join(
            '<p class="MsoNormal" style="text-indent:32.0pt">'
            '<span style="font-family:仿宋_GB2312">'
            f"{escape(line)}</span></p>"
            for line in lines
        )
    return "\n".join(f"<p>{escape(line)}</p>" for line in lines)


def report_body(spec: ReportSpec, word_style: bool) -> str:
    """The article body: prose, the three tables when the report has them, closing prose."""
    parts = [paragraphs(spec.intro, word_style)]
    if spec.has_tables:
        render = word_table if word_style else simple_table
        parts.extend(
            render(t) for t in report_tables(spec.template, spec.cell_text, spec.omitted_rows)
        )
    parts.append(paragraphs(spec.outro, word_style))
    return "\n".join(parts)
