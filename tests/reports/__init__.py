"""Tests of the document renderer (workers/reports) with the real tools: typst, poppler, LibreOffice."""
