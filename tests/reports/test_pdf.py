"""The PDF (typst): extractable Chinese text, embedded fonts, A4 and GB/T 9704 margins read from positions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.reports.conftest import require_tool, run, seed_tables
from workers.reports import Artifact, MissingFontError, ReportModel
from workers.reports import fonts as fonts_module
from workers.reports.fonts import FontRole
from workers.reports.layout import LINE_PITCH_PT

MM = 72 / 25.4
HALF_LEADING_MM = (LINE_PITCH_PT - 16) / 2 / MM  # glyphs sit centred in their 28.95 pt grid line


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_text_holds_number_title_and_every_unit(seed_pdf: Path, model: ReportModel) -> None:
    require_tool("pdftotext")
    text = squeeze(run("pdftotext", "-enc", "UTF-8", str(seed_pdf), "-"))
    assert model.doc_number and model.doc_number in text
    assert model.title_text in text
    for table in seed_tables():
        for row in table.rows:
            assert row[1] in text, row[1]


def test_fonts_are_embedded(seed_pdf: Path) -> None:
    require_tool("pdffonts")
    lines = run("pdffonts", str(seed_pdf)).splitlines()[2:]
    assert lines, "no fonts in the PDF"
    for line in lines:
        emb, sub, uni = line.split()[-5:-2]
        assert (emb, sub, uni) == ("yes", "yes", "yes"), line
    names = " ".join(lines)
    assert "FandolFang" in names and "FandolKai" in names


def test_page_is_a4(seed_pdf: Path) -> None:
    require_tool("pdfinfo")
    info = run("pdfinfo", str(seed_pdf))
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())  # type: ignore[union-attr]
    assert width / MM == pytest.approx(210, abs=0.5)
    assert height / MM == pytest.approx(297, abs=0.5)


def page_lines(pdf: Path, page: int) -> list[tuple[float, float, float, float, str]]:
    """(xMin, yMin, xMax, yMax) in mm and the text of each line pdftotext finds on one page."""
    html = run("pdftotext", "-bbox-layout", "-f", str(page), "-l", str(page), str(pdf), "-")
    found = []
    for m in re.finditer(
        r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</line>', html, re.S
    ):
        words = "".join(re.findall(r">([^<]+)</word>", m.group(5)))
        found.append((*(float(v) / MM for v in m.groups()[:4]), words))
    return found


def test_body_fills_the_text_block_within_half_a_millimetre(seed_pdf: Path) -> None:
    require_tool("pdftotext")
    lines = [ln for ln in page_lines(seed_pdf, 2) if not ln[4].startswith("—")]  # page 2: a full page of body
    assert len(lines) >= 22
    rows = sorted({round(ln[1], 1) for ln in lines})
    assert len(rows) == 22, "22 lines per page"
    assert min(ln[0] for ln in lines) == pytest.approx(28, abs=0.5)  # left margin
    # Right margin, from justified lines: poppler boxes line-end punctuation at a full em though typst sets it
    # half-width, so lines ending in punctuation are left out.
    ends = [ln[2] for ln in lines if ln[4][-1] not in "，。；：、）》”"]
    assert max(ends) == pytest.approx(210 - 26, abs=0.5)
    assert rows[0] - HALF_LEADING_MM == pytest.approx(37, abs=0.5)  # top margin
    bottom = max(ln[3] for ln in lines) + HALF_LEADING_MM
    assert bottom == pytest.approx(297 - 35, abs=0.5)  # bottom margin: 22 lines fill the 225 mm block


def test_annex_label_sits_top_left_of_the_text_block(seed_pdf: Path) -> None:
    require_tool("pdftotext")
    pages = int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", str(seed_pdf))).group(1))  # type: ignore[union-attr]
    labels = [
        (p, ln) for p in range(1, pages + 1) for ln in page_lines(seed_pdf, p) if ln[4] in ("附件1", "附件2")
    ]
    assert [ln[4] for _, ln in labels] == ["附件1", "附件2"]
    for _, (x_min, y_min, *_rest) in labels:
        assert x_min == pytest.approx(28, abs=0.5)
        assert y_min - HALF_LEADING_MM == pytest.approx(37, abs=0.5)


def test_page_numbers_skip_page_one_and_alternate_sides(seed_pdf: Path) -> None:
    require_tool("pdftotext")
    assert not [ln for ln in page_lines(seed_pdf, 1) if ln[4].startswith("—")]
    for page, side in ((2, "left"), (3, "right")):
        (number,) = [ln for ln in page_lines(seed_pdf, page) if ln[4].startswith("—")]
        assert number[4] == f"—{page}—"
        one_char = 14 / MM
        if side == "left":
            assert number[0] == pytest.approx(28 + one_char, abs=0.5)
        else:
            assert number[2] == pytest.approx(210 - 26 - one_char, abs=0.5)
        centre = (number[1] + number[3]) / 2
        assert centre == pytest.approx(297 - 35 + 7, abs=1)  # 一字线 7 mm below the text block


def test_draft_shows_watermark_and_no_number(rendered_draft: dict[str, Artifact], model: ReportModel,
                                             tmp_path: Path) -> None:  # fmt: skip
    require_tool("pdftotext")
    pdf = tmp_path / "draft.pdf"
    pdf.write_bytes(rendered_draft["pdf"].data)
    text = squeeze(run("pdftotext", "-raw", str(pdf), "-"))
    assert "草稿" in text
    assert model.doc_number and model.doc_number not in text


def test_a_missing_font_names_the_font_and_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    role = FontRole("fang", "仿宋_GB2312", "正文 (仿宋)", (("No Such Fangsong", 400),), "FandolFang")
    monkeypatch.setattr(fonts_module, "ROLES", (role,))
    with pytest.raises(MissingFontError, match=r"仿宋_GB2312.*No Such Fangsong.*scripts/system-deps\.sh"):
        fonts_module._resolve.__wrapped__(())
