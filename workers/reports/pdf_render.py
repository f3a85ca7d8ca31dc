"""PDF through typst: the model goes in as JSON, fonts are embedded, bytes are reproducible per model."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import typst

from services.letters.model import Heading, ReportModel
from workers.reports.fonts import FontSet, resolve_fonts
from workers.reports.layout import column_weights


def pdf_bytes(model: ReportModel, fonts: FontSet | None = None) -> bytes:
    fonts = fonts or resolve_fonts()
    source = resources.files("workers.reports").joinpath("templates").joinpath("letter.typ").read_bytes()
    data = json.dumps(typst_data(model, fonts), ensure_ascii=False, sort_keys=True)
    # The PDF's creation date comes from the model (成文日期), never from the clock.
    stamp = datetime(model.issued_on.year, model.issued_on.month, model.issued_on.day, tzinfo=UTC)
    result = typst.compile(
        source,
        font_paths=fonts.book,
        sys_inputs={"data": data},
        timestamp=stamp,
        format="pdf",
    )
    if not isinstance(result, bytes):
        raise TypeError(f"typst returned {type(result).__name__}, expected one PDF")
    return result


def typst_data(model: ReportModel, fonts: FontSet) -> dict[str, Any]:
    sig_indent, date_indent = model.signature_indents
    return {
        "fonts": {key: [family, weight] for key, (family, weight) in fonts.families.items()},
        "office": model.issuing_office,
        "doc_number": model.doc_number,
        "draft": model.is_draft,
        "title": model.title_text,
        "title_lines": list(model.title_lines),
        "addressee": model.addressee,
        "body": [
            {"kind": "h", "level": b.level, "text": b.full_text}
            if isinstance(b, Heading)
            else {"kind": "p", "text": b.text}
            for b in model.body
        ],
        "annex_note": list(model.annex_note),
        "signature": model.signature,
        "signature_indent": sig_indent,
        "date": model.date_text,
        "date_indent": date_indent,
        "year": model.issued_on.year,
        "month": model.issued_on.month,
        "day": model.issued_on.day,
        "as_of_position": model.as_of_position,
        "annexes": [
            {
                "label": a.label,
                "title_lines": a.title.split("\n"),
                "columns": list(a.table.columns),
                "widths": column_weights(a.table),
                "rows": [list(r) for r in a.table.rows],
            }
            for a in model.annexes
        ],
    }
