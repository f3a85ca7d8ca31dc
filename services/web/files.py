"""Downloads, as the API and the pages both send them."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Response

from services.app.queries import ReportFileBody


def content_disposition(filename: str, fallback: str) -> str:
    """RFC 6266/5987: an ASCII fallback in filename, the Chinese name in filename*."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def file_response(found: ReportFileBody, fallback: str) -> Response[Any]:
    """A stored file with its type, its Chinese name and its sha256 as the ETag."""
    headers = {
        "Content-Disposition": content_disposition(found.filename, fallback),
        "ETag": f'"{found.sha256}"',
    }
    return Response(found.content, media_type=found.media_type, headers=headers)
