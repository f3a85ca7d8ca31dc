"""The model's rules and the body template: numbering, dates, 发文字号, 附件说明, signature placement."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from services.letters.body import parse_markup
from services.letters.text import chinese_numeral, display_width
from services.seed.letter import COUNTIES, DEPARTMENTS, seed_model
from tests.reports.conftest import HERE, SHARED_SEED
from workers.reports import Heading, Paragraph, ReportModel, ReportModelError, Table, format_date, render_body


def test_dates_use_arabic_numerals_without_padding() -> None:
    assert format_date(date(2023, 3, 7)) == "2023年3月7日"
    assert format_date(date(2023, 12, 25)) == "2023年12月25日"


@pytest.mark.parametrize(
    "number", ["安行审函[2023]7号", "安行审函〔2023〕07号", "安行审函〔2023〕第7号", "安行审函(2023)7号"]
)
def test_malformed_document_numbers_are_refused(number: str) -> None:
    with pytest.raises(ReportModelError, match="发文字号"):
        replace(seed_model(), doc_number=number)


def test_rows_must_fill_every_column() -> None:
    with pytest.raises(ReportModelError, match="row 1"):
        Table(columns=("序号", "单位名称"), rows=(("1",),))


def test_markup_numbers_headings_per_level() -> None:
    blocks = parse_markup("# 甲\n\n## 子\n\n## 丑\n\n### 细\n\n# 乙\n\n## 寅\n正文第一行\n接第二行\n")
    assert blocks == (
        Heading(1, "一、", "甲"),
        Heading(2, "（一）", "子"),
        Heading(2, "（二）", "丑"),
        Heading(3, "1.", "细"),
        Heading(1, "二、", "乙"),
        Heading(2, "（一）", "寅"),
        Paragraph("正文第一行接第二行"),
    )


def test_chinese_numerals() -> None:
    assert [chinese_numeral(n) for n in (1, 10, 11, 20, 99)] == ["一", "十", "十一", "二十", "九十九"]


def test_east_asian_characters_count_double() -> None:
    assert display_width("序号") == 4
    assert display_width("100分") == 5


def test_a_campaign_template_renders_in_a_sandbox() -> None:
    blocks = render_body({"n": 3}, template="# 情况\n\n共{{ n }}项。")
    assert blocks == (Heading(1, "一、", "情况"), Paragraph("共3项。"))
    # A campaign's own template renders in a child process; what it did wrong comes back as the reason.
    with pytest.raises(ReportModelError, match="不存在的内容"):
        render_body({}, template="{{ missing }}")
    with pytest.raises(ReportModelError, match="不允许的操作"):
        render_body({}, template="{{ ''.__class__.__mro__[1].__subclasses__() }}")


def test_seed_body_reports_the_seed_figures() -> None:
    text = "".join(b.text for b in seed_model().body)
    facts = [
        "38.31万",
        "38.15万",
        "808",
        "813",
        "100%",
        "290921",
        "290775",
        "99.95%",
        "99.97%",
        "1000",
        "秦务员",
        "市委编办",
        "2023年1月10日",
        "1月13日",
        "1月16日",
        "安作风办字〔2023〕1号",
    ]
    for fact in facts:
        assert fact in text, fact


def test_annex_note_matches_the_annexes(model: ReportModel) -> None:
    assert model.annex_note == ("附件：1.县（市、区）考核赋分表", "2.市级部门考核赋分表")


def test_signature_sits_two_characters_from_the_right_and_the_date_two_further_in(model: ReportModel) -> None:
    sig, day = model.signature_indents
    assert sig + display_width(model.signature) / 2 == 28 - 2
    assert day == sig + 2


def test_seed_units_are_those_printed_in_the_seed() -> None:
    assert len(COUNTIES) == 13
    assert len(DEPARTMENTS) == 41
    assert len(set(COUNTIES + DEPARTMENTS)) == 54


def test_annex_copy_matches_the_shared_seed() -> None:
    if not SHARED_SEED.exists():
        pytest.skip(f"{SHARED_SEED} is not beside the repository")
    copy = (HERE / "seed_annexes.txt").read_text("utf-8").rstrip("\n")
    assert SHARED_SEED.read_text("utf-8").rstrip("\n").endswith(copy)
