"""Document renderer: ReportModel → DOCX (python-docx), PDF (typst), XLSX (openpyxl); no Celery, no DB."""

from services.letters.body import parse_markup, render_body
from services.letters.model import (
    Annex,
    BodyBlock,
    Figure,
    Heading,
    Paragraph,
    ReportModel,
    ReportModelError,
    Table,
    format_date,
)
from workers.reports.docx_render import docx_bytes
from workers.reports.fonts import MissingFontError, resolve_fonts
from workers.reports.pdf_render import pdf_bytes
from workers.reports.render import FORMATS, Artifact, render_all
from workers.reports.xlsx_render import xlsx_bytes

__all__ = [
    "FORMATS",
    "Annex",
    "Artifact",
    "BodyBlock",
    "Figure",
    "Heading",
    "MissingFontError",
    "Paragraph",
    "ReportModel",
    "ReportModelError",
    "Table",
    "docx_bytes",
    "format_date",
    "parse_markup",
    "pdf_bytes",
    "render_all",
    "render_body",
    "resolve_fonts",
    "xlsx_bytes",
]
