"""A real reader opens the DOCX: LibreOffice headless converts it to PDF without error."""

from __future__ import annotations

import os
import re
from pathlib import Path

from tests.reports.conftest import require_tool, run
from workers.reports import Artifact, ReportModel
from workers.reports.fonts import fontconfig_aliases, resolve_fonts


def test_libreoffice_converts_the_docx(
    rendered: dict[str, Artifact], model: ReportModel, tmp_path: Path
) -> None:
    soffice = require_tool("soffice")
    require_tool("pdftotext")
    source = tmp_path / "seed.docx"
    source.write_bytes(rendered["docx"].data)
    fonts_conf = tmp_path / "fonts.conf"
    fonts_conf.write_text(fontconfig_aliases(resolve_fonts()), "utf-8")
    # A throw-away profile: concurrent conversions sharing one profile lose files.
    profile = (tmp_path / "lo-profile").as_uri()
    env = {**os.environ, "FONTCONFIG_FILE": str(fonts_conf), "HOME": str(tmp_path)}
    run(soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", "pdf",
        "--outdir", str(tmp_path), str(source), timeout=180, env=env)  # fmt: skip
    pdf = tmp_path / "seed.pdf"
    assert pdf.exists(), "LibreOffice wrote no PDF"
    text = re.sub(r"\s+", "", run("pdftotext", str(pdf), "-"))
    assert model.title_text in text
    assert "瀛湖生态旅游区" in text and "市住建局" in text
    assert re.search(r"Pages:\s+([5-9])", run("pdfinfo", str(pdf)))
