"""Layout numbers shared by the renderers (GB/T 9704-2012 §5-§6) and CJK-aware column widths."""

from __future__ import annotations

from services.letters.model import Table
from services.letters.text import display_width

PAGE_MM = (210.0, 297.0)
MARGINS_MM = {"top": 37.0, "bottom": 35.0, "left": 28.0, "right": 26.0}
LINE_PITCH_PT = 28.95
LINES, CHARS = 22, 28
BODY_PT, TITLE_PT, MARK_PT, PAGE_NUMBER_PT, TABLE_PT = 16, 22, 26, 14, 14


def mm_to_twips(mm: float) -> int:
    return round(mm * 1440 / 25.4)


def column_widths(table: Table, *, padding: int = 2) -> list[int]:
    """Widest cell per column in half-width cells (CJK counts 2), plus padding."""
    widths = [display_width(c) for c in table.columns]
    for row in table.rows:
        for i, cell in enumerate(row):
            w = display_width(cell)
            widths[i] = max(widths[i], w)
    return [w + padding for w in widths]


def column_weights(table: Table) -> list[float]:
    """Relative widths that sum to 1, for tables that span the text block.

    Proportional to what each column needs (its widest cell plus about 1.2 half-width cells of padding), so
    every column fits unwrapped whenever the table as a whole does.
    """
    needs = [w + 1.2 for w in column_widths(table, padding=0)]
    total = sum(needs)
    return [round(n / total, 4) for n in needs]
