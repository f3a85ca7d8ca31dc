"""The XLSX: one sheet per annex, the seed tables cell by cell, print setup."""

from __future__ import annotations

import io

import openpyxl

from tests.reports.conftest import seed_tables
from workers.reports import Artifact, ReportModel


def test_sheets_match_the_seed_cell_by_cell(rendered: dict[str, Artifact], model: ReportModel) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(rendered["xlsx"].data))
    assert wb.sheetnames == ["附件1", "附件2"]
    for ws, annex, expected in zip(wb.worksheets, model.annexes, seed_tables(), strict=True):
        assert ws.cell(1, 1).value == annex.title
        rows = [tuple(str(v) for v in row) for row in ws.iter_rows(min_row=2, values_only=True)]
        assert rows[0] == expected.columns
        assert tuple(rows[1:]) == expected.rows
    assert [ws.max_row - 2 for ws in wb.worksheets] == [13, 41]


def test_print_setup_repeats_the_header_on_a4(rendered: dict[str, Artifact]) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(rendered["xlsx"].data))
    for ws in wb.worksheets:
        assert ws.print_title_rows == "$2:$2"
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
        assert ws.cell(3, 2).font.name == "仿宋_GB2312"


def test_widths_count_chinese_characters_double(rendered: dict[str, Artifact]) -> None:
    ws = openpyxl.load_workbook(io.BytesIO(rendered["xlsx"].data))["附件1"]
    # 瀛湖生态旅游区: 7 characters → 14 cells (+ padding); 序号 → 4 cells.
    assert ws.column_dimensions["B"].width >= 14
    assert ws.column_dimensions["A"].width < ws.column_dimensions["B"].width
