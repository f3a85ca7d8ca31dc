"""The DOCX: seed tables cell by cell, page geometry, East Asian font names, header rows, draft watermark."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from docx.document import Document

from tests.reports.conftest import seed_tables
from workers.reports import Artifact, ReportModel

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def open_docx(artifact: Artifact) -> Document:
    return docx.Document(io.BytesIO(artifact.data))


def test_annex_tables_match_the_seed_cell_by_cell(rendered: dict[str, Artifact]) -> None:
    doc = open_docx(rendered["docx"])
    assert len(doc.tables) == 2
    for table, expected in zip(doc.tables, seed_tables(), strict=True):
        cells = [tuple(c.text for c in row.cells) for row in table.rows]
        assert cells[0] == expected.columns
        assert tuple(cells[1:]) == expected.rows
    assert [len(t.rows) - 1 for t in doc.tables] == [13, 41]


def test_header_row_repeats_on_every_page(rendered: dict[str, Artifact]) -> None:
    for table in open_docx(rendered["docx"]).tables:
        rows = table._tbl.tr_lst
        assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None
        assert all(r.find(f"{W}trPr/{W}tblHeader") is None for r in rows[1:])


def test_page_is_a4_with_gb9704_margins(rendered: dict[str, Artifact]) -> None:
    section = open_docx(rendered["docx"]).sections[0]
    for actual, expected in [
        (section.page_width, 210), (section.page_height, 297), (section.top_margin, 37),
        (section.bottom_margin, 35), (section.left_margin, 28), (section.right_margin, 26),
    ]:  # fmt: skip
        assert actual is not None
        assert actual.mm == pytest.approx(expected, abs=0.5)
    grid = section._sectPr.find(f"{W}docGrid")
    assert grid is not None
    assert int(grid.get(f"{W}linePitch")) * 22 / 20 == pytest.approx(225 / 25.4 * 72, abs=2)


def test_runs_name_the_official_fonts_in_the_east_asian_slot(rendered: dict[str, Artifact]) -> None:
    doc = open_docx(rendered["docx"])
    by_text: dict[str, str] = {}
    for paragraph in doc.paragraphs:
        for r in paragraph.runs:
            fonts = r._r.find(f"{W}rPr/{W}rFonts")
            if r.text and fonts is not None:
                by_text[r.text.replace("\n", "")] = fonts.get(f"{W}eastAsia")
    assert by_text["一、政务服务“好差评”考核结果"] == "黑体"
    assert by_text["（一）工作开展情况"] == "楷体_GB2312"
    assert by_text["附件1"] == "黑体"
    assert by_text["安康市行政审批服务局报送2022年度作风建设专项考核结果的函"] == "方正小标宋简体"
    body = next(t for t in by_text if t.startswith("按照市作风办"))
    assert by_text[body] == "仿宋_GB2312"
    header = doc.sections[0].first_page_header._element
    assert header.find(f".//{W}rFonts").get(f"{W}eastAsia") == "方正小标宋简体"


def test_final_letter_shows_the_number_and_no_watermark(
    rendered: dict[str, Artifact], model: ReportModel
) -> None:
    doc = open_docx(rendered["docx"])
    assert doc.paragraphs[0].text == model.doc_number
    assert "草稿" not in headers_xml(rendered["docx"])


def test_draft_shows_the_watermark_and_no_number(
    rendered_draft: dict[str, Artifact], model: ReportModel
) -> None:
    doc = open_docx(rendered_draft["docx"])
    assert model.doc_number not in "".join(p.text for p in doc.paragraphs)
    assert headers_xml(rendered_draft["docx"]).count('string="草稿"') == 3  # first, odd and even headers


def test_page_numbers_follow_gb9704(rendered: dict[str, Artifact]) -> None:
    section = open_docx(rendered["docx"]).sections[0]
    assert section.different_first_page_header_footer
    assert "PAGE" not in section.first_page_footer._element.xml
    odd, even = section.footer._element.xml, section.even_page_footer._element.xml
    for xml, side in ((odd, "right"), (even, "left")):
        assert "— " in xml and " PAGE " in xml and " —" in xml
        assert f'w:jc w:val="{side}"' in xml


def headers_xml(artifact: Artifact) -> str:
    with zipfile.ZipFile(io.BytesIO(artifact.data)) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.startswith("word/header"))
