"""Organisations: a name, a kind and an optional 统一社会信用代码 whose check character is right."""

from __future__ import annotations

import pytest

from domain.shared.events import from_data, to_data
from domain.shared.organisations import (
    InvalidOrganisation,
    OrganisationKind,
    OrganisationRegistered,
    check_uscc,
    new_organisation,
    uscc_check_char,
)


def test_a_published_uscc_passes_and_its_check_character_is_computed() -> None:
    assert check_uscc("91350100M000100Y43") == "91350100M000100Y43"
    assert check_uscc(" 91350100m000100y43 ") == "91350100M000100Y43"
    assert uscc_check_char("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    "code",
    ["", "9135", "91350100M000100Y44", "91350100M000100Y4I", "91350100M000100Y43X", "9135010OM000100Y43"],
)
def test_a_malformed_uscc_is_refused_on_its_field(code: str) -> None:
    with pytest.raises(InvalidOrganisation) as refused:
        check_uscc(code)
    assert refused.value.field == "uscc"


def test_an_organisation_needs_a_name_and_a_known_kind() -> None:
    org = new_organisation("o1", " 汉滨区 ", "county", None)
    assert (org.name, org.kind, org.uscc) == ("汉滨区", OrganisationKind.COUNTY, None)
    with pytest.raises(InvalidOrganisation, match="name"):
        new_organisation("o1", " ", "county", None)
    with pytest.raises(InvalidOrganisation) as refused:
        new_organisation("o1", "汉滨区", "province", None)
    assert refused.value.field == "kind"


def test_the_registration_event_round_trips() -> None:
    from datetime import UTC, datetime

    event = OrganisationRegistered(
        at=datetime(2026, 1, 1, tzinfo=UTC), actor="admin", organisation_id="o1", name="市委编办",
        kind=OrganisationKind.CO_LEAD_BODY, uscc=None,
    )  # fmt: skip
    assert from_data(event.TYPE, to_data(event)) == event
