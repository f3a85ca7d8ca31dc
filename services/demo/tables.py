"""The two 赋分表 as the report's XLSX holds them, printed as aligned text."""

from __future__ import annotations

import io
from pathlib import Path

import click

from services.cli.audit_text import print_table


def xlsx_tables(path: Path) -> list[tuple[str, list[str], list[list[str]]]]:
    """Each sheet's title (row 1), header (row 2) and rows, as text."""
    import openpyxl  # only the demo's last step needs it; every other kaohe command starts without it

    book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True)
    tables = []
    for sheet in book.worksheets:
        rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        if len(rows) >= 2:
            tables.append((rows[0][0], rows[1], rows[2:]))
    book.close()
    return tables


def print_tables(path: Path) -> None:
    for number, (title, header, rows) in enumerate(xlsx_tables(path), start=1):
        click.echo("")
        click.echo(f"附件{number}  {title}（{len(rows)}行）")
        print_table(header, rows)
