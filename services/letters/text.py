"""Text helpers shared by the renderers: East Asian display width and heading numerals."""

from __future__ import annotations

import unicodedata

_DIGITS = "零一二三四五六七八九"


def display_width(text: str) -> int:
    """Width in half-width cells: wide, full-width and ambiguous characters count as 2.

    Ambiguous ones (“ ” ‘ ’ × …) take a full cell in a Chinese font, so they count as wide here.
    """
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (heading numbers stay below 100)."""
    if not 1 <= n <= 99:
        raise ValueError(f"heading number {n} is outside 1..99")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else f"{_DIGITS[tens]}十")
    return head + (_DIGITS[ones] if ones else "")


def heading_number(level: int, n: int) -> str:
    """GB/T 9704 §7.3.3 numbering: 一、 → （一） → 1. → （1）."""
    if level == 1:
        return f"{chinese_numeral(n)}、"
    if level == 2:
        return f"（{chinese_numeral(n)}）"
    if level == 3:
        return f"{n}."
    if level == 4:
        return f"（{n}）"
    raise ValueError(f"heading level {level} is outside 1..4")
