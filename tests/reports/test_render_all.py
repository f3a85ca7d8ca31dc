"""render_all: every format, reproducible bytes, files written, progress reported."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from workers.reports import FORMATS, Artifact, ReportModel, render_all
from workers.reports.render import file_stem

HASHES = """
import json
from workers.reports import render_all
from services.seed.letter import seed_model
print(json.dumps({k: v.sha256 for k, v in render_all(seed_model()).items()}))
"""


def test_every_format_is_rendered_and_hashed(rendered: dict[str, Artifact]) -> None:
    assert tuple(rendered) == FORMATS
    for artifact in rendered.values():
        assert artifact.sha256 == hashlib.sha256(artifact.data).hexdigest()


def test_same_model_gives_same_bytes_in_another_process(rendered: dict[str, Artifact]) -> None:
    env = {**os.environ, "PYTHONHASHSEED": "7"}
    out = subprocess.run([sys.executable, "-c", HASHES], capture_output=True, check=True, env=env, timeout=60)
    assert json.loads(out.stdout) == {k: v.sha256 for k, v in rendered.items()}


def test_same_model_gives_same_bytes_twice(model: ReportModel, rendered: dict[str, Artifact]) -> None:
    again = render_all(model)
    assert {k: v.sha256 for k, v in again.items()} == {k: v.sha256 for k, v in rendered.items()}


def test_files_are_written_and_progress_reported(model: ReportModel, tmp_path: Path) -> None:
    seen: list[int] = []
    result = render_all(model, tmp_path, progress=seen.append)
    assert seen[0] == 0 and seen[-1] == 100 and seen == sorted(seen)
    for fmt, artifact in result.items():
        assert (tmp_path / f"{file_stem(model)}.{fmt}").read_bytes() == artifact.data
