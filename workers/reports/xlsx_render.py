"""XLSX through openpyxl: a sheet per annex, CJK-aware widths, header repeated on print, stable bytes."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.worksheet import Worksheet

from services.letters.model import Annex, ReportModel
from workers.reports.fonts import OFFICIAL
from workers.reports.layout import MARGINS_MM, column_widths
from workers.reports.ooxml import normalize_zip

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
GB2312 = 134  # the font charset Excel and WPS expect for Chinese font names


def xlsx_bytes(model: ReportModel) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for annex in model.annexes:
        _sheet(wb.create_sheet(annex.label), annex)
    stamp = datetime(model.issued_on.year, model.issued_on.month, model.issued_on.day, tzinfo=UTC)
    props = wb.properties
    props.title = model.title_text
    props.creator = props.lastModifiedBy = model.signature
    props.subject = model.doc_number or "草稿"
    props.keywords = f"as_of_position={model.as_of_position}"
    props.created = props.modified = stamp.replace(tzinfo=None)
    out = io.BytesIO()
    wb.save(out)
    return normalize_zip(out.getvalue(), core_date=stamp)


def _sheet(ws: Worksheet, annex: Annex) -> None:
    table = annex.table
    ncols = len(table.columns)
    ws.append([annex.title.replace("\n", "")])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    title = ws.cell(1, 1)
    title.font = Font(name=OFFICIAL["title"], size=18, charset=GB2312)
    title.alignment = CENTER
    ws.row_dimensions[1].height = 36
    ws.append(list(table.columns))
    head_font = Font(name=OFFICIAL["hei"], size=12, charset=GB2312)
    body_font = Font(name=OFFICIAL["fang"], size=12, charset=GB2312)
    for cell in ws[2]:
        cell.font, cell.alignment, cell.border = head_font, CENTER, BOX
    for r, row in enumerate(table.rows, start=3):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(r, c, value)
            cell.font, cell.alignment, cell.border = body_font, CENTER, BOX
    # Excel's width unit is one "0" of the default font; a CJK character is about two of them.
    for i, width in enumerate(column_widths(table), start=1):
        ws.column_dimensions[ws.cell(2, i).column_letter].width = width + 1
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    inch = 25.4
    m = ws.page_margins
    m.top, m.bottom = MARGINS_MM["top"] / inch, MARGINS_MM["bottom"] / inch
    m.left, m.right = MARGINS_MM["left"] / inch, MARGINS_MM["right"] / inch
