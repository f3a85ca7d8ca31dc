"""The seed report rendered once per session; CI requires the real tools (scripts/system-deps.sh)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from services.seed.letter import seed_model
from workers.reports import Artifact, ReportModel, render_all

HERE = Path(__file__).parent
SHARED_SEED = HERE.parents[2] / "shared" / "seed" / "000_9c1a63b8aaf7316a.txt"


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed: run `bash scripts/system-deps.sh`"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path


def run(*args: str, timeout: float = 60, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(args, capture_output=True, timeout=timeout, check=True, env=env)
    return done.stdout.decode("utf-8")


@dataclass(frozen=True)
class SeedTable:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def seed_tables() -> list[SeedTable]:
    """The two 赋分表 as printed in the seed letter (a verbatim copy of its annex text is beside this file).

    A name wrapped inside its printed cell shows a space in the text ("人民银行安康 中心支行"); the space is
    not part of the name, so whitespace inside a cell is dropped.
    """
    tables: list[SeedTable] = []
    header: tuple[str, ...] | None = None
    rows: list[tuple[str, ...]] = []
    for line in (HERE / "seed_annexes.txt").read_text("utf-8").splitlines():
        cells = tuple(re.sub(r"\s+", "", c) for c in line.split("\t"))
        if cells[0] == "序号":
            if header is not None:
                tables.append(SeedTable(header, tuple(rows)))
            header, rows = cells, []
        elif len(cells) > 1 and cells[0].isdigit():
            rows.append(cells)
    assert header is not None
    tables.append(SeedTable(header, tuple(rows)))
    return tables


@pytest.fixture(scope="session")
def model() -> ReportModel:
    return seed_model()


@pytest.fixture(scope="session")
def draft_model() -> ReportModel:
    return seed_model(draft=True)


@pytest.fixture(scope="session")
def rendered(model: ReportModel, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Artifact]:
    return render_all(model, tmp_path_factory.mktemp("seed"))


@pytest.fixture(scope="session")
def rendered_draft(draft_model: ReportModel) -> dict[str, Artifact]:
    return render_all(draft_model)


@pytest.fixture(scope="session")
def seed_pdf(rendered: dict[str, Artifact], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "seed.pdf"
    path.write_bytes(rendered["pdf"].data)
    return path
