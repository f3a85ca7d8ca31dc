"""One entry point for the background task: render every format, hash it, optionally write it out."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from services.letters.model import ReportModel
from workers.reports.docx_render import docx_bytes
from workers.reports.fonts import resolve_fonts
from workers.reports.pdf_render import pdf_bytes
from workers.reports.xlsx_render import xlsx_bytes

Progress = Callable[[int], None]
FORMATS = ("docx", "xlsx", "pdf")


class Artifact(NamedTuple):
    data: bytes
    sha256: str


def artifact(data: bytes) -> Artifact:
    return Artifact(data, hashlib.sha256(data).hexdigest())


def file_stem(model: ReportModel) -> str:
    return f"report-{model.as_of_position}{'-draft' if model.is_draft else ''}"


def render_all(
    model: ReportModel, out_dir: Path | str | None = None, progress: Progress | None = None
) -> dict[str, Artifact]:
    """DOCX, PDF and XLSX of `model` as {format: (bytes, sha256)}; progress gets percentages 0..100."""
    report = progress or (lambda _percent: None)
    report(0)
    fonts = resolve_fonts()  # fail before any work when a font is missing
    # The PDF last: typst keeps its layout caches after a compile, so memory freed by the DOCX and XLSX
    # first is reused by it rather than stacked on top (measured: 454 MB against 479 MB for 5,000 units).
    steps: list[tuple[str, int, Callable[[], bytes]]] = [
        ("docx", 25, lambda: docx_bytes(model)),
        ("xlsx", 45, lambda: xlsx_bytes(model)),
        ("pdf", 100, lambda: pdf_bytes(model, fonts)),
    ]
    results: dict[str, Artifact] = {}
    for fmt, done, render in steps:
        results[fmt] = artifact(render())
        if out_dir is not None:
            target = Path(out_dir)
            target.mkdir(parents=True, exist_ok=True)
            (target / f"{file_stem(model)}.{fmt}").write_bytes(results[fmt].data)
        report(done)
    return results
