"""DOCX through python-docx: GB/T 9704 letter format, official font names, reproducible bytes per model."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import docx
from docx.oxml import parse_xml
from docx.shared import Mm

from services.letters.model import Annex, Heading, ReportModel
from workers.reports import docx_xml as x
from workers.reports.layout import (
    LINE_PITCH_PT,
    MARGINS_MM,
    MARK_PT,
    PAGE_MM,
    TABLE_PT,
    column_weights,
    mm_to_twips,
)
from workers.reports.ooxml import normalize_zip

W = f"{{{x.W_NS}}}"
PITCH = round(LINE_PITCH_PT * 20)  # 579 twips
TEXT_TWIPS = mm_to_twips(PAGE_MM[0]) - mm_to_twips(MARGINS_MM["left"]) - mm_to_twips(MARGINS_MM["right"])
# The red double rules are 170 mm long, centred on the page: 8 mm past the left margin, 6 mm past the right.
RULE_INDENT = {"left": -mm_to_twips(MARGINS_MM["left"] - 20), "right": -mm_to_twips(MARGINS_MM["right"] - 20)}


def docx_bytes(model: ReportModel) -> bytes:
    doc = docx.Document()
    _set_defaults(doc)
    _set_page(doc)
    _set_headers_footers(doc, model)
    _append(doc, _letter(model))
    for annex in model.annexes:
        _append(doc, _annex(annex))
    _set_properties(doc, model)
    out = io.BytesIO()
    doc.save(out)
    return normalize_zip(out.getvalue(), core_date=_stamp(model))


def _stamp(model: ReportModel) -> datetime:
    day = model.issued_on
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _set_defaults(doc: Any) -> None:
    """docDefaults: 3号 仿宋 in every slot (theme fonts removed: they would win), zh-CN, 28.95 pt lines."""
    styles = doc.styles.element
    defaults = styles.find(f"{W}docDefaults")
    defaults.getparent().remove(defaults)
    styles.insert(
        0,
        parse_xml(
            f"<w:docDefaults {x.NS}><w:rPrDefault>{x.rpr('fang', 16)[: -len('</w:rPr>')]}"
            '<w:lang w:val="zh-CN" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>'
            '<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="{PITCH}" w:lineRule="exact"/>'
            '<w:jc w:val="both"/></w:pPr></w:pPrDefault></w:docDefaults>'
        ),
    )
    for style in styles.iter(f"{W}style"):
        for fonts in style.iter(f"{W}rFonts"):
            fonts.getparent().remove(fonts)
    # LibreOffice sizes the character grid from the Normal style's East Asian font size, not docDefaults.
    normal = styles.find(f"{W}style[@{W}styleId='Normal']")
    normal.append(parse_xml(x.rpr("fang", 16).replace("<w:rPr>", f"<w:rPr {x.NS}>", 1)))
    for style in x.table_styles(TABLE_PT):
        styles.append(parse_xml(style))


def _set_page(doc: Any) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance = Mm(30)  # 信函格式: the 发文机关标志's top edge 30 mm from the paper's top
    section.footer_distance = Mm(19)  # the lower red double rule 20 mm above the paper's bottom
    section.gutter = 0
    section.different_first_page_header_footer = True
    doc.settings.odd_and_even_pages_header_footer = True
    # 22 lines x 28 characters. The line grid (579 twips) sets the lines; the characters come from 3号 runs
    # condensed by 0.25 pt (see docx_xml.rpr): 28 x 15.75 pt fit the 442.25 pt line, 29 do not. A
    # linesAndChars grid would do the same in Word, but LibreOffice gives each 16 pt glyph two 15.79 pt cells.
    grid = section._sectPr.find(f"{W}docGrid")
    if grid is None:
        grid = parse_xml(f"<w:docGrid {x.NS}/>")
        section._sectPr.append(grid)
    grid.set(f"{W}type", "lines")
    grid.set(f"{W}linePitch", str(PITCH))
    grid.attrib.pop(f"{W}charSpace", None)


def _set_headers_footers(doc: Any, model: ReportModel) -> None:
    section = doc.sections[0]
    rule_left, rule_right = RULE_INDENT["left"], RULE_INDENT["right"]
    mark = x.paragraph(
        x.ppr(jc="center", line_twips=round(MARK_PT * 20), grid=False, left=rule_left, right=rule_right,
              border=x.double_rule("bottom", "thickThinSmallGap")),
        x.run(model.issuing_office, "title", MARK_PT, color=x.RED),
    )  # fmt: skip
    lower_rule = x.paragraph(
        x.ppr(line_twips=20, grid=False, left=rule_left, right=rule_right,
              border=x.double_rule("top", "thinThickSmallGap"))
    )  # fmt: skip
    one_char = 280  # 4号 = 14 pt = 280 twips: page numbers sit one character in from the edge
    odd_number = x.ppr(jc="right", right=one_char, line_twips=360, after=330, grid=False)
    even_number = x.ppr(jc="left", left=one_char, line_twips=360, after=330, grid=False)
    number = {"right": x.paragraph(odd_number, x.page_number_runs()),
              "left": x.paragraph(even_number, x.page_number_runs())}  # fmt: skip
    marks = [x.watermark("草稿", i) for i in (1, 2, 3)] if model.is_draft else ["", "", ""]
    _fill(section.first_page_header, [marks[0], mark])
    _fill(section.header, [marks[1]])
    _fill(section.even_page_header, [marks[2]])
    _fill(section.first_page_footer, [lower_rule])
    _fill(section.footer, [number["right"]])  # odd pages
    _fill(section.even_page_footer, [number["left"]])


def _fill(part: Any, paragraphs: list[str]) -> None:
    part.is_linked_to_previous = False
    element = part._element
    for child in list(element):
        element.remove(child)
    xml = [p for p in paragraphs if p] or [x.paragraph(x.ppr(line_twips=None))]
    for p in xml:
        element.append(parse_xml(p))


def _letter(model: ReportModel) -> Iterable[str]:
    p, ppr, run = x.paragraph, x.ppr, x.run
    blank = p(ppr())
    # 发文字号 flush right, 7/8 of a 3号 height (14 pt) below the upper double rule; a draft leaves it empty.
    yield p(ppr(jc="right", before=280), run(model.doc_number or ""))
    yield blank
    yield blank
    yield p(ppr(jc="center", grid=False), x.lines_run(model.title_lines, "title", 22))
    yield blank
    yield p(ppr(jc="left"), run(f"{model.addressee}："))
    for block in model.body:
        if isinstance(block, Heading):
            font = {1: "hei", 2: "kai"}.get(block.level, "fang")
            yield p(ppr(first_chars=2), run(block.full_text, font))
        else:
            yield p(ppr(first_chars=2), run(block.text))
    if model.annex_note:
        yield blank
        for i, line in enumerate(model.annex_note):
            yield p(ppr(jc="left", left_chars=2 if i == 0 else 5), run(line))
    sig_indent, date_indent = model.signature_indents
    yield blank
    yield p(ppr(jc="left", left_chars=sig_indent), run(model.signature))
    yield p(ppr(jc="left", left_chars=date_indent), run(model.date_text))


def _annex(annex: Annex) -> Iterable[str]:
    p, ppr = x.paragraph, x.ppr
    yield p(ppr(jc="left", page_break=True), x.run(annex.label, "hei"))
    yield p(ppr())
    yield p(ppr(jc="center", grid=False), x.lines_run(annex.title.split("\n"), "title", 22))
    yield p(ppr())
    twips = [int(TEXT_TWIPS * w) for w in column_weights(annex.table)]
    twips[-1] += TEXT_TWIPS - sum(twips)
    yield x.table(annex.table.columns, annex.table.rows, twips)


def _append(doc: Any, xml: Iterable[str]) -> None:
    body = doc.element.body
    sect = body.find(f"{W}sectPr")
    for snippet in xml:
        sect.addprevious(parse_xml(snippet))


def _set_properties(doc: Any, model: ReportModel) -> None:
    props = doc.core_properties
    props.title = model.title_text
    props.author = props.last_modified_by = model.signature
    props.subject = model.doc_number or "草稿"
    props.keywords = f"as_of_position={model.as_of_position}"
    props.revision = 1
    props.created = props.modified = _stamp(model).replace(tzinfo=None)
