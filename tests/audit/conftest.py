"""The seed campaign recorded through the use cases, and the CLI pointed at its database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from domain import campaign
from services.app.commands import Actor, RequestInfo
from services.bootstrap import build
from services.cli.main import main
from services.infra.settings import Settings
from services.seed import scenario
from tests.workers.seed import run_campaign


@dataclass
class Recorded:
    env: dict[str, str]
    before_adjustment: int
    """The log head once the appeal window closed: every cell 100分 / 不扣分."""
    head: int

    def kaohe(self, *args: str) -> Result:
        return CliRunner().invoke(main, list(args), env=self.env, catch_exceptions=False)


@pytest.fixture
def recorded(database_url: str, tmp_path: Path) -> Iterator[Recorded]:
    """The seed campaign to the closed appeal window, then a reopening and a later adjustment of 汉滨区."""
    settings = Settings(data_dir=tmp_path, database_url=database_url, log_format="json", log_level="WARNING")
    container = build(settings)
    try:
        use_cases = run_campaign(container.store)
        before = container.store.head().position
        director = Actor(scenario.DIRECTOR, scenario.DIRECTOR, "director")
        chief = Actor(scenario.SECTION_CHIEF, scenario.SECTION_CHIEF, "section_chief")
        reopen = campaign.ReopenScores(
            at=scenario.at(3, 3), actor=scenario.DIRECTOR, reason="汉滨区提出复核", approver="director"
        )
        use_cases.campaign(scenario.CAMPAIGN_ID, reopen, director, RequestInfo())
        adjust = campaign.AdjustScore(
            at=scenario.at(3, 3, 10), actor=scenario.SECTION_CHIEF, unit="C01", indicator="haochaping",
            after=Decimal(9), reason="复核发现一条差评未整改", basis="安行审发〔2022〕22号",
            approver=scenario.DIRECTOR,
        )  # fmt: skip
        use_cases.campaign(scenario.CAMPAIGN_ID, adjust, chief, RequestInfo())
        head = container.store.head().position
    finally:
        container.close()
    env = {
        "KAOHE_DATA_DIR": str(tmp_path),
        "KAOHE_DATABASE_URL": database_url,
        "KAOHE_LOG_FORMAT": "json",
        "KAOHE_LOG_LEVEL": "WARNING",
    }
    yield Recorded(env, before, head)
