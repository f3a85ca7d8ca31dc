"""ReportModel: everything the 函 and its 赋分表 need, already decided, as plain frozen dataclasses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from services.letters.text import display_width

DOC_NUMBER = re.compile(r"^[\u4e00-\u9fa5]+〔\d{4}〕[1-9]\d*号$")
"""发文字号 per GB/T 9704 §7.2: 机关代字〔year〕serial号, no 第, no leading zero."""


class ReportModelError(ValueError):
    """The model breaks a rule of the letter format; the message says which."""


@dataclass(frozen=True, slots=True)
class Heading:
    level: int  # 1 一、 (黑体), 2 （一） (楷体), 3 1. and 4 （1） (仿宋)
    number: str  # already formatted: "一、", "（一）", "1.", "（1）"
    text: str

    @property
    def full_text(self) -> str:
        return f"{self.number}{self.text}"


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str


BodyBlock = Heading | Paragraph


@dataclass(frozen=True, slots=True)
class Figure:
    """A fact the body reports, kept as data for the record (e.g. key="hotline_calls", value="290921")."""

    key: str
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def __post_init__(self) -> None:
        if not self.columns:
            raise ReportModelError("a table needs at least one column")
        for i, row in enumerate(self.rows, start=1):
            if len(row) != len(self.columns):
                raise ReportModelError(
                    f"row {i} has {len(row)} cells, the table has {len(self.columns)} columns"
                )


@dataclass(frozen=True, slots=True)
class Annex:
    number: int
    title: str
    table: Table

    @property
    def label(self) -> str:
        return f"附件{self.number}"


@dataclass(frozen=True, slots=True)
class ReportModel:
    issuing_office: str  # 发文机关标志, e.g. 安康市行政审批服务局
    doc_number: str | None  # 发文字号, e.g. 安行审函〔2023〕7号; None renders a draft (watermark 草稿)
    title: str  # "\n" marks where a long title breaks (GB/T 9704 §7.3.1: no break inside a word)
    addressee: str  # 主送机关, e.g. 市作风办
    body: tuple[BodyBlock, ...]
    signature: str  # 署名
    issued_on: date  # 成文日期
    annexes: tuple[Annex, ...]
    as_of_position: int  # event-log position the data was read at; recorded in every file's metadata
    figures: tuple[Figure, ...] = ()

    def __post_init__(self) -> None:
        if self.doc_number is not None and not DOC_NUMBER.match(self.doc_number):
            raise ReportModelError(f"发文字号 {self.doc_number!r} does not match 机关代字〔YYYY〕N号")
        numbers = [a.number for a in self.annexes]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ReportModelError(f"annexes must be numbered 1..n in order, got {numbers}")
        if self.as_of_position < 0:
            raise ReportModelError("as_of_position must be >= 0")

    @property
    def is_draft(self) -> bool:
        return self.doc_number is None

    @property
    def title_lines(self) -> tuple[str, ...]:
        return tuple(self.title.split("\n"))

    @property
    def title_text(self) -> str:
        return self.title.replace("\n", "")

    @property
    def date_text(self) -> str:
        return format_date(self.issued_on)

    @property
    def annex_note(self) -> tuple[str, ...]:
        """附件说明 lines: "附件：1.名称", then "2.名称" aligned under the first name; a lone annex has no
        number."""
        if not self.annexes:
            return ()
        if len(self.annexes) == 1:
            return (f"附件：{self.annexes[0].title}",)
        items = [f"{a.number}.{a.title}" for a in self.annexes]
        return (f"附件：{items[0]}", *items[1:])

    @property
    def signature_indents(self) -> tuple[float, float]:
        """Left indents in characters of the 署名 and 成文日期 lines (unsealed letter, GB/T 9704 §7.3.5.2)."""
        sig = display_width(self.signature) / 2
        day = display_width(self.date_text) / 2
        if day <= sig - 2:  # 署名 右空二字, date starts two characters right of the 署名
            sig_start = LINE_CHARS - 2 - sig
            return sig_start, sig_start + 2
        day_start = LINE_CHARS - 2 - day  # a long date: date 右空二字, 署名 starts two characters before it
        return day_start - 2, day_start


LINE_CHARS = 28
LINES_PER_PAGE = 22


def format_date(day: date) -> str:
    """成文日期 in Arabic numerals, year in full, no zero padding (GB/T 9704 §7.3.5.4): 2023年3月7日."""
    return f"{day.year}年{day.month}月{day.day}日"
