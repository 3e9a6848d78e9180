"""The licence rule on worked examples: who needs a licence, which licence a payment is
made under, and the words of each reason none covers it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from pfund.conditions.licences import (
    LICENCE_MISSING,
    LicenceCover,
    expiring,
    left_under,
    licence_cover,
)
from pfund.domain import Organisation
from pfund.domain.licence import LicenceKind, SanctionsLicence, SanctionsPolicy
from tests.factories import make_organisation

RU = SanctionsPolicy(jurisdictions=["RU"], warn_days=30)
DAY = date(2027, 3, 1)
MOSCOW = make_organisation("ORG-R01", country="RU")
BERLIN = make_organisation("ORG-G01", country="DE")


def lic(licence_id: str = "LIC-0001", **over: object) -> SanctionsLicence:
    values: dict[str, object] = {
        "id": licence_id,
        "authority": "OFAC",
        "reference": f"REF-{licence_id}",
        "counterparties": ["ORG-R01"],
        "valid_from": date(2027, 1, 1),
        "valid_until": date(2027, 12, 31),
    }
    return SanctionsLicence.model_validate(values | over)


def cover(
    licences: list[SanctionsLicence],
    *,
    amount: str = "100.00",
    day: date = DAY,
    paid: dict[str, Decimal] | None = None,
    area: str = "health",
    parties: tuple[Organisation, ...] = (MOSCOW, BERLIN),
) -> LicenceCover:
    return licence_cover(
        parties,
        area=area,
        amount=Decimal(amount),
        day=day,
        licences=licences,
        paid=paid or {},
        policy=RU,
        currency="USD",
    )


def test_only_a_party_in_a_sanctioned_jurisdiction_needs_a_licence() -> None:
    assert cover([], parties=(BERLIN,)).holds == []
    found = cover([])
    assert [h.subject for h in found.holds] == ["ORG-R01"]
    problem = found.holds[0].problem
    assert problem.code == LICENCE_MISSING and problem.field == "licence"
    assert problem.reason == (
        "counterparty ORG-R01 is in RU, where sanctions apply: no licence or exemption "
        "names it; the payment needs a licence or an exemption that covers it"
    )
    assert cover([], parties=(MOSCOW,)).holds[0].summary == (
        "no sanctions licence covers the payment to ORG-R01"
    )


def test_no_jurisdiction_in_the_policy_means_no_licence_is_needed() -> None:
    found = licence_cover(
        [MOSCOW],
        area="health",
        amount=Decimal(1),
        day=DAY,
        licences=[],
        paid={},
        policy=SanctionsPolicy(),
    )
    assert found.holds == [] and found.used == {}


@pytest.mark.parametrize(
    ("day", "over", "reason"),
    [
        (date(2028, 1, 1), {}, "licence LIC-0001 ended on 2027-12-31"),
        (date(2026, 12, 31), {}, "licence LIC-0001 starts on 2027-01-01"),
        (DAY, {"revoked_on": date(2027, 2, 15)}, "licence LIC-0001 was revoked on 2027-02-15"),
        (
            DAY,
            {"areas": ["education", "science"]},
            "licence LIC-0001 covers only education, science",
        ),
    ],
)
def test_each_gap_of_a_licence_naming_the_party_is_said(
    day: date, over: dict[str, object], reason: str
) -> None:
    found = cover([lic("LIC-0001", **over)], day=day)
    assert found.used == {}
    assert f"where sanctions apply: {reason}; the payment" in found.holds[0].problem.reason


def test_the_last_day_and_the_revocation_day_are_exact() -> None:
    assert cover([lic()], day=date(2027, 12, 31)).used == {"ORG-R01": "LIC-0001"}
    assert cover([lic()], day=date(2027, 1, 1)).used == {"ORG-R01": "LIC-0001"}
    revoked = lic(revoked_on=DAY)
    assert cover([revoked], day=date(2027, 2, 28)).used == {"ORG-R01": "LIC-0001"}
    assert cover([revoked], day=DAY).holds


def test_a_cap_counts_what_was_paid_under_it() -> None:
    capped = lic(max_amount=Decimal("1000.00"))
    paid = {"LIC-0001": Decimal("900.00")}
    # 1,000 - 900 = 100 left: a payment of 100.00 fits exactly, 100.01 does not
    assert cover([capped], amount="100.00", paid=paid).used == {"ORG-R01": "LIC-0001"}
    held = cover([capped], amount="100.01", paid=paid).holds[0].problem.reason
    assert "licence LIC-0001 has USD 100.00 left and the payment is USD 100.01" in held
    assert left_under(capped, paid) == Decimal("100.00")
    assert left_under(capped, {"LIC-0001": Decimal("1500")}) == Decimal(0)
    assert left_under(lic(), paid) is None


def test_of_several_licences_the_one_ending_first_is_used() -> None:
    long = lic("LIC-0001", valid_until=date(2029, 12, 31))
    short = lic("LIC-0002", valid_until=date(2027, 6, 30))
    area_only = lic("LIC-0003", valid_until=date(2027, 3, 31), areas=["science"])
    assert cover([long, short, area_only]).used == {"ORG-R01": "LIC-0002"}
    assert cover([long, short, area_only], area="science").used == {"ORG-R01": "LIC-0003"}
    assert cover([long, short], day=date(2027, 7, 1)).used == {"ORG-R01": "LIC-0001"}


def test_every_licence_naming_the_party_says_why_it_falls_short() -> None:
    ended = lic("LIC-0001", valid_until=date(2027, 1, 31))
    other_area = lic("LIC-0002", areas=["education"])
    reason = cover([ended, other_area]).holds[0].problem.reason
    assert "licence LIC-0001 ended on 2027-01-31; licence LIC-0002 covers only education" in reason
    assert cover([ended, other_area]).holds[0].problem.facts["licences"] == "LIC-0001,LIC-0002"


def test_expiring_lists_licences_in_force_ending_within_the_warning() -> None:
    soon = lic("LIC-0001", valid_until=date(2027, 3, 31))  # 30 days after DAY
    later = lic("LIC-0002", valid_until=date(2027, 4, 1))
    ended = lic("LIC-0003", valid_until=date(2027, 2, 1))
    assert [x.id for x in expiring([later, ended, soon], DAY, RU)] == ["LIC-0001"]


def test_a_licence_that_contradicts_itself_is_refused() -> None:
    with pytest.raises(ValidationError, match="valid_until comes before valid_from"):
        lic(valid_until=date(2026, 12, 31))
    with pytest.raises(ValidationError, match="legal_basis"):
        lic(kind=LicenceKind.EXEMPTION)
    with pytest.raises(ValidationError, match="listed twice"):
        lic(counterparties=["ORG-R01", "ORG-R01"])
    with pytest.raises(ValidationError):
        lic(counterparties=[])
    with pytest.raises(ValidationError):
        lic(max_amount=Decimal(0))
    assert lic(kind=LicenceKind.EXEMPTION, legal_basis="General License 6").kind == "exemption"
