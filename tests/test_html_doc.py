"""parse_html on small hand-made pages: title, date, body, cell text, nested tables, attachments."""

from __future__ import annotations

from pathlib import Path

from lxml import html

from pipeline.extraction.html_doc import cell_text, parse_html

FIXTURES = Path(__file__).parent / "fixtures" / "documents"
URL = "http://127.0.0.1/col/art/2021/art_9.html"


def read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def cell(markup: str) -> str:
    return cell_text(html.fragment_fromstring(markup))


def test_article_title_meta_is_preferred() -> None:
    doc = parse_html(read("attachment_page.html"), URL)
    assert doc.title == "清远市民政局2020年政府信息公开工作年度报告"


def test_title_element_loses_its_site_suffix() -> None:
    doc = parse_html(
        "<html><head><title>某局年度报告_某市政府</title></head><body></body></html>", URL
    )
    assert doc.title == "某局年度报告"


def test_pubdate_meta_becomes_an_iso_date() -> None:
    assert parse_html(read("attachment_page.html"), URL).published == "2021-01-28"


def test_labelled_date_in_the_page_is_found_without_meta() -> None:
    page = (
        "<html><body><div>发布日期：2021年2月3日</div>"
        "<div id='zoom'><p>正文内容足够长的一段文字。</p></div></body></html>"
    )
    assert parse_html(page, URL).published == "2021-02-03"


def test_attachments_are_absolute_and_scripts_ignored() -> None:
    doc = parse_html(read("attachment_page.html"), URL)
    assert doc.attachments == ["http://127.0.0.1/col/art/2021/P020210129.pdf"]


def test_body_prefers_trs_editor_and_drops_navigation() -> None:
    doc = parse_html(read("attachment_page.html"), URL)
    assert doc.text.startswith("清远市民政局2020年政府信息公开工作年度报告全文见附件。")
    assert "首页" not in doc.text


def test_body_falls_back_to_the_largest_text_block() -> None:
    page = (
        "<html><body><div><a href='/'>首页</a></div>"
        "<div><p>第一段：本机关认真贯彻落实条例。</p><p>第二段：主动公开信息。</p></div></body></html>"
    )
    doc = parse_html(page, URL)
    assert doc.text == "第一段：本机关认真贯彻落实条例。\n第二段：主动公开信息。"


def test_body_is_not_the_article_title_box_before_the_article_content() -> None:
    # 平潭's department pages without a TRS_Editor body (a Word export inside a layout table):
    # the title box's class names `article` too and comes first; taking it as the body lost the
    # whole report's prose (its sections, hence prose.problems_section unverifiable).
    page = (
        "<html><body><div class='article_title text_align_center'>"
        "平潭综合实验区经济发展局2020年政府信息公开工作年度报告</div>"
        "<div class='article_content article_content_01'><table><tr><td>"
        "<p>一、总体情况</p><p>五、存在的主要问题及改进情况</p><p>政策解读形式有待丰富。</p>"
        "</td></tr></table></div></body></html>"
    )
    doc = parse_html(page, URL)
    assert doc.text.startswith("一、总体情况")
    assert "政策解读形式有待丰富。" in doc.text


def test_cell_fragments_join_without_spaces_between_chinese() -> None:
    markup = "<td><p><span>本年新</span>\n<span>收政府</span></p><p>信息公开申请数量</p></td>"
    assert cell(markup) == "本年新收政府信息公开申请数量"


def test_nbsp_runs_collapse_and_blank_cells_are_empty() -> None:
    assert cell("<td>&nbsp;&nbsp;\u3000</td>") == ""
    assert cell("<td>&nbsp;2,727.174&nbsp;&nbsp;</td>") == "2,727.174"


def test_ascii_words_in_separate_paragraphs_keep_a_space() -> None:
    assert cell("<td><p>Section</p><p>20</p></td>") == "Section 20"


def test_nested_layout_tables_yield_only_the_inner_data_table() -> None:
    page = (
        "<html><body><table><tr><td><div class='TRS_Editor'><p>报告正文内容，足够长的文字。</p>"
        "<table><tr><td rowspan='2'>规章</td><td>1</td></tr><tr><td>2</td></tr></table>"
        "</div></td></tr></table></body></html>"
    )
    doc = parse_html(page, URL)
    assert doc.tables == [[["规章", "1"], ["2"]]]


def test_body_text_keeps_table_rows_as_tab_separated_lines() -> None:
    page = (
        "<html><body><div id='zoom'><p>一、总体情况</p>"
        "<table><tr><td>规章</td><td>1</td><td>0</td></tr></table></div></body></html>"
    )
    assert parse_html(page, URL).text == "一、总体情况\n规章\t1\t0"


def test_empty_page_gives_an_empty_document() -> None:
    assert parse_html("   ", URL).text == ""


def test_control_character_in_a_cell_keeps_tables_and_text() -> None:
    # lxml parses a control character but refuses it in text it is given back; such a page is
    # still read whole, Word-style cell fragments joined as on any other page.
    page = (
        "<html><body><div id='zoom'><p>正文内容足够长的一段文字，正文内容足够长。</p>"
        "<table><tr><td><p>规</p><p>章\x1b</p></td><td>1</td></tr>"
        "<tr><td>a <b>b</b></td><td><p>2</p></td></tr></table></div></body></html>"
    )
    doc = parse_html(page, URL)
    assert doc.tables == [[["规章\x1b", "1"], ["a b", "2"]]]
    assert doc.text == "正文内容足够长的一段文字，正文内容足够长。\n规章\x1b\t1\na b\t2"


def test_cells_and_body_text_of_a_layout_table_with_comments_and_breaks() -> None:
    page = (
        "<html><body><div class='TRS_Editor'><p>说明文字足够长的一段，说明文字足够长的一段。</p>"
        "<table><tr><td>标题 <!-- note -->单元</td></tr>"
        "<tr><td><table><tr><td>x<br/>y</td><td> 3 </td></tr></table>后记</td></tr></table>"
        "</div></body></html>"
    )
    doc = parse_html(page, URL)
    assert doc.tables == [[["x y", "3"]]]
    assert doc.text == "说明文字足够长的一段，说明文字足够长的一段。\n标题单元\nx y\t3\n\n后记"


def test_whole_text_cleaning_knows_every_space_character() -> None:
    # The body text is cleaned with one regex over the whole text instead of clean_text per cell;
    # it must treat as a space exactly what clean_text does, tab and newline aside.
    from pipeline.extraction.html_doc import _INNER_SPACES, _SPACES

    for code in range(0x10000):
        char = chr(code)
        expected = bool(_SPACES.fullmatch(char)) and char not in "\t\n"
        assert bool(_INNER_SPACES.fullmatch(char)) == expected, hex(code)


def test_the_publisher_is_read_from_the_metadata_table_in_either_cell() -> None:
    # The 信息公开目录 table above a document, as gkml platforms print it: the label in one cell
    # and the agency in the next, or both in one element running on into the next label.
    table = (
        "<table><tr><td>索引号：</td><td>11410300005184/2024-00012</td><td>主题分类：</td>"
        "<td>民政</td></tr><tr><td>发布机构：</td><td>洛阳市民政局</td><td>成文日期：</td>"
        "<td>2024-01-20</td></tr></table><div><p>一、总体情况</p></div>"
    )
    inline = "<ul><li>发布机构：清远市民政局成文日期：2021-01-29</li></ul><p>正文</p>"
    assert parse_html(f"<html><body>{table}</body></html>", URL).publisher == "洛阳市民政局"
    assert parse_html(f"<html><body>{inline}</body></html>", URL).publisher == "清远市民政局"
    assert parse_html("<html><body><p>发布机构</p></body></html>", URL).publisher is None
