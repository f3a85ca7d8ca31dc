"""Byte-reproducible OOXML: rewrite a saved DOCX/XLSX zip with fixed entry metadata and pinned core dates."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_CORE_DATE = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def normalize_zip(data: bytes, *, core_date: datetime) -> bytes:
    """Same member order, a fixed timestamp and attributes per entry, and core.xml dates set to `core_date`.

    Both python-docx and openpyxl write entries with the current time, and openpyxl sets `modified` to now()
    on save, so the only stable source of a date is the model.
    """
    stamp = core_date.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _CORE_DATE.sub(lambda m: m.group(1) + stamp + m.group(3), body)
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 0
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, body, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return out.getvalue()
