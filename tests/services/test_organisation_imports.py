"""Organisations and people import with the same all-or-nothing checks as projects."""

from __future__ import annotations

from pathlib import Path

import pytest

from pfund.errors import InvalidInput
from pfund.services.imports import import_organisations, import_people
from pfund.services.runtime import Runtime
from pfund.store.repositories import table_counts

HEADER = "id,name,kind,country,areas,regions,company.russia_status,protected_fields\n"


def test_organisations_import_with_company_profile(rt: Runtime, tmp_path: Path) -> None:
    path = tmp_path / "orgs.csv"
    path.write_text(
        HEADER + "C-1,Acme Engineering,company,DE,transport,,withdrawn,\n"
        "N-1,Volga health NGO,ngo,RU,health,RU-SAM,,name\n",
        encoding="utf-8",
    )
    assert import_organisations(rt, path).imported == 2
    with rt.uow() as uow:
        acme = uow.organisations.get("C-1")
        ngo = uow.organisations.get("N-1")
    assert acme is not None and acme.company is not None
    assert acme.company.russia_status.value == "withdrawn"
    assert ngo is not None and ngo.protected_fields == ["name"]


@pytest.mark.parametrize(
    ("row", "field", "reason"),
    [
        ("X-1,Unknown area org,ngo,RU,mining_on_mars,,,", "areas", "unknown area"),
        ("X-1,Company without status,company,DE,,,,", "", "company profile"),
        ("X-1,Wrong kind,church,RU,,,,", "kind", "Input should be"),
        ("X-1,Wrong country,ngo,XX,,,,", "country", "alpha-2"),
        ("X-1,Asks to protect nothing real,ngo,RU,,,,shoe_size", "", "unknown fields"),
    ],
)
def test_organisation_import_rejects_bad_rows(
    rt: Runtime, tmp_path: Path, row: str, field: str, reason: str
) -> None:
    path = tmp_path / "orgs.csv"
    path.write_text(HEADER + row + "\n", encoding="utf-8")
    with rt.uow() as uow:
        before = table_counts(uow.session)
    with pytest.raises(InvalidInput) as info:
        import_organisations(rt, path)
    problems = info.value.problems
    assert any(p.row == 2 and (p.field or "") == field and reason in p.reason for p in problems)
    with rt.uow() as uow:
        assert table_counts(uow.session) == before


def test_person_errors_never_echo_protected_values(rt: Runtime, tmp_path: Path) -> None:
    path = tmp_path / "people.yaml"
    path.write_text(
        "- {id: P-1, name: Тайное Имя, email: not-an-email, phone: '+7 900'}\n", "utf-8"
    )
    with pytest.raises(InvalidInput) as info:
        import_people(rt, path)
    text = str(info.value)
    assert "email" in text
    assert "not-an-email" not in text and "Тайное" not in text
