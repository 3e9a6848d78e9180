"""Open data over the store: the demo fund's IATI file validates and matches the ledger,
and no protected value reaches the IATI file or any public dataset, in any format."""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from pfund.domain import LedgerAccount, TrancheStatus
from pfund.domain.protection import protected_values
from pfund.errors import InvalidInput, NotFound
from pfund.funding import Ledger
from pfund.io.iati import COMMITMENT, DISBURSEMENT, WITHHELD, activities_schema
from pfund.services.conditions import set_condition
from pfund.services.funding import ledger_view
from pfund.services.imports import import_organisations, import_people, import_projects
from pfund.services.opendata import (
    DATASETS,
    FORMATS,
    REPORTED,
    catalogue,
    export_iati,
    iati_xml,
    public_dataset,
    write_open_data,
)
from pfund.services.runtime import Runtime
from pfund.services.tranches import disburse_tranche, list_tranches, release_tranche
from tests.language_runs import foreign_runs

REF = "XI-IATI-RPF"
LINKS = {0: ["regions"], 1: ["partners"]}  # planted projects that protect a link


@pytest.fixture
def funded(approved_rt: Runtime) -> tuple[Runtime, str]:
    """The demo fund after contributions, an approved run (a copy of the database
    ``approved_rt`` makes once per process) and one tranche paid."""
    rt = approved_rt
    first = next(t for t in list_tranches(rt) if t.stage == 0)
    release_tranche(rt, first.id)
    disburse_tranche(rt, first.id)
    return rt, first.project_id


def activities(rt: Runtime) -> dict[str, etree._Element]:
    root = etree.fromstring(iati_xml(rt))
    activities_schema().assertValid(root)
    return {str(a.findtext("iati-identifier")).removeprefix(f"{REF}-"): a for a in root}


def total(activity: etree._Element, code: str, currency: str | None = None) -> Decimal:
    """The activity's transactions of one type, those whose value is in ``currency``
    when given (a tranche in another currency than the fund's keeps its own)."""
    return sum(
        (
            Decimal(str(t.findtext("value")))
            for t in activity.iterfind("transaction")
            if t.find(f"transaction-type[@code='{code}']") is not None
            and (currency is None or t.find("value[@currency='" + currency + "']") is not None)
        ),
        Decimal(0),
    )


def own_flows(rt: Runtime) -> dict[tuple[str, str, str], Decimal]:
    """(project, flow, currency) -> the ledger-entries dataset's commitments and payments
    net of returns, in the entries' original currency where they were converted."""
    rows = json.loads(public_dataset(rt, "ledger-entries", "json"))["ledger-entries"]
    out: dict[tuple[str, str, str], Decimal] = {}
    for r in rows:
        moved = {
            ("committed", "fund_balance"): ("committed", 1),
            ("fund_balance", "committed"): ("committed", -1),
            ("fund_balance", "released"): ("committed", -1),
            ("fund_balance", "frozen"): ("committed", -1),
            ("disbursed", "released"): ("disbursed", 1),
            ("returned", "disbursed"): ("disbursed", -1),
        }.get((r["debit"], r["credit"]))
        if moved is None or not r["original_currency"]:
            continue
        key = (r["project_id"], moved[0], r["original_currency"])
        out[key] = out.get(key, Decimal(0)) + moved[1] * Decimal(r["original_amount"])
    return out


def status(activity: etree._Element) -> str | None:
    found = activity.find("activity-status")
    return None if found is None else found.get("code")


def test_the_funded_demo_reports_its_approved_projects_in_valid_iati(
    funded: tuple[Runtime, str],
) -> None:
    rt, paid = funded
    reported = activities(rt)
    with rt.uow() as uow:
        approved = {p.id for p in uow.projects.list() if p.status in REPORTED}
    assert set(reported) == approved
    # every project with money scheduled is among them; a guaranteed one has no tranches
    assert {t.project_id for t in list_tranches(rt)} <= approved
    assert status(reported[paid]) == "2"
    assert reported[paid].find("activity-date[@type='2']") is not None
    assert {status(a) for pid, a in reported.items() if pid != paid} == {"1"}


def test_iati_transactions_sum_to_the_ledger(funded: tuple[Runtime, str]) -> None:
    """In the fund's currency the transactions add up to the ledger's balances over the
    tranches kept in it; a tranche in another currency reports its own amounts, which
    add up to the ledger-entries dataset's original amounts."""
    rt, paid = funded
    reported = activities(rt)
    foreign = {t.id for t in list_tranches(rt) if t.original_currency}
    with rt.uow() as uow:
        fund = uow.fund.get()
        assert fund is not None
        ledger = Ledger(currency=fund.currency, entries=tuple(uow.ledger.list()))
        ids = {t.id for t in uow.tranches.list()} - foreign

    def held(account: str) -> Decimal:
        return sum((ledger.balance(LedgerAccount(account), t) for t in ids), Decimal(0))

    cur = fund.currency
    committed = sum(total(a, COMMITMENT, cur) for a in reported.values())
    disbursed = sum(total(a, DISBURSEMENT, cur) for a in reported.values())
    assert committed == held("committed") + held("released") + held("disbursed")
    assert disbursed == held("disbursed") > 0
    assert total(reported[paid], DISBURSEMENT, cur) == ledger_view(rt).balances["disbursed"]
    for (pid, moved, currency), amount in own_flows(rt).items():
        code = COMMITMENT if moved == "committed" else DISBURSEMENT
        assert total(reported[pid], code, currency) == amount, (pid, moved, currency)


def test_the_ledger_dataset_agrees_with_the_iati_file(funded: tuple[Runtime, str]) -> None:
    rt, _ = funded
    reported = activities(rt)
    rows = list(csv.DictReader(io.StringIO(public_dataset(rt, "ledger", "csv").decode())))
    # the ledger lists the activities money moved for (a guarantee not called: none)
    moved = {p for p, a in reported.items() if total(a, COMMITMENT) or total(a, DISBURSEMENT)}
    assert {r["project_id"] for r in rows} == moved
    own = {pid for pid, _, _ in own_flows(rt)}
    for row in rows:
        assert {"total_exchange_gain", "total_exchange_loss"} <= set(row)
        if row["project_id"] in own:  # reported in its own currency: see the test above
            continue
        activity = reported[row["project_id"]]
        assert Decimal(row["total_committed"]) == total(activity, COMMITMENT)
        assert Decimal(row["total_disbursed"]) == total(activity, DISBURSEMENT)


def test_the_ledger_entries_dataset_states_each_conversion(funded: tuple[Runtime, str]) -> None:
    rt, _ = funded
    rows = list(csv.DictReader(io.StringIO(public_dataset(rt, "ledger-entries", "csv").decode())))
    columns = {"currency", "original_amount", "original_currency", "rate", "rate_date"}
    assert columns | {"rate_source", "date", "movement", "memo"} - {"memo"} <= set(rows[0])
    assert "memo" not in rows[0] and "at" not in rows[0]
    converted = [r for r in rows if r["original_currency"]]
    for r in converted:
        assert r["rate"] and r["rate_date"] and r["rate_source"], r
    assert all(not r["rate"] for r in rows if not r["original_currency"])


def test_a_reversal_shows_frozen_activities_as_suspended(funded: tuple[Runtime, str]) -> None:
    rt, _ = funded
    evidence = {"evidence": "OSCE monitoring report", "verifier": "osce_monitoring"}
    set_condition(rt, "ceasefire_holding", "met", on=date(2027, 4, 1), **evidence)
    result = set_condition(rt, "ceasefire_holding", "reversed", on=date(2027, 6, 1), **evidence)
    assert result.frozen
    tranches = list_tranches(rt)
    suspended = {
        pid
        for pid in {t.project_id for t in tranches}
        if all(
            t.status is TrancheStatus.FROZEN
            for t in tranches
            if t.project_id == pid and t.status is not TrancheStatus.DISBURSED
        )
    }
    reported = activities(rt)
    assert suspended
    assert {pid for pid, a in reported.items() if status(a) == "6"} == suspended


def test_export_iati_writes_a_valid_file_or_refuses_before_any_approval(
    demo_rt: Runtime, tmp_path: Path
) -> None:
    rt = demo_rt  # the sample fund loaded (load_demo)
    with pytest.raises(NotFound, match="no project is approved"):
        export_iati(rt, tmp_path / "iati.xml")
    assert not (tmp_path / "iati.xml").exists()
    written = write_open_data(rt, tmp_path / "open")
    assert len(written.files) == len(DATASETS) * len(FORMATS)


def test_public_dataset_names_the_choices_for_an_unknown_name_or_format(rt: Runtime) -> None:
    with pytest.raises(InvalidInput) as caught:
        public_dataset(rt, "people", "xlsx")
    reasons = " ".join(p.reason for p in caught.value.problems)
    assert "'people' is not a dataset" in reasons
    assert "projects" in reasons
    assert "'xlsx' is not a format" in reasons


def test_datasets_round_trip_as_json_and_csv_with_the_same_records(demo_rt: Runtime) -> None:
    rt = demo_rt  # the sample fund loaded (load_demo)
    for name in DATASETS:
        records = json.loads(public_dataset(rt, name, "json"))[name]
        rows = list(csv.DictReader(io.StringIO(public_dataset(rt, name, "csv").decode())))
        assert len(rows) == len(records), name
    projects = json.loads(public_dataset(rt, "projects", "json"))["projects"]
    assert projects
    assert all("contacts" not in p and "notes" not in p for p in projects)


# --- protection ------------------------------------------------------------------------


class Secrets:
    """Random, unmistakable values to plant in protected (and internal) fields."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.internal: list[str] = []

    def token(self) -> str:
        return f"{self.rng.getrandbits(40):010x}"

    def note(self) -> str:
        value = f"internal note {self.token()}"
        self.internal.append(value)
        return value


def planted(secrets: Secrets, n: int = 6) -> dict[str, list[dict[str, Any]]]:
    orgs = [
        {
            "id": f"ORG-S{i}",
            "name": f"Секретная организация {secrets.token()}",
            "alias": f"Partner S{i}",
            "kind": "ngo",
            "country": "RU",
            "website": f"https://{secrets.token()}.example.org",
            "notes": secrets.note(),
            "protected_fields": ["name", "website"],
        }
        for i in range(n)
    ]
    people = [
        {
            "id": f"PER-S{i}",
            "organisation": f"ORG-S{i}",
            "role": "Project lead",
            "alias": f"Lead S{i}",
            "name": f"Ivan {secrets.token()} Sekretov",
            "email": f"x{secrets.token()}@hidden.example.org",
            "phone": f"+7 9{secrets.rng.randrange(10**9):09d}",
            "notes": f"meets at {secrets.token()}",
        }
        for i in range(n)
    ]
    projects = [
        {
            "id": f"HLT-S{i}",
            "title": f"Clinic support S{i}",
            "description": f"Confidential plan {secrets.token()}",
            "area": "health",
            "regions": ["RU-SAM"],
            "proponent": f"ORG-S{i}",
            "partners": [f"ORG-S{(i + 1) % n}"],
            "contacts": [f"PER-S{i}"],
            "status": "approved",
            "stage": 1,
            "costs": {2030: {"capital": [1000, 2000, 3000]}},
            "outcomes": {"people_reached": [10, 20, 30]},
            "notes": secrets.note(),
            "protected_fields": ["description", *LINKS.get(i, [])],
        }
        for i in range(n)
    ]
    return {"organisations": orgs, "people": people, "projects": projects}


@pytest.fixture
def planted_store(demo_rt: Runtime, tmp_path: Path) -> tuple[Runtime, Secrets]:
    rt = demo_rt  # the sample fund loaded (load_demo)
    secrets = Secrets(seed=20261130)
    records = planted(secrets)
    for kind, importer in (
        ("organisations", import_organisations),
        ("people", import_people),
        ("projects", import_projects),
    ):
        path = tmp_path / f"{kind}.json"
        path.write_text(json.dumps({kind: records[kind]}, ensure_ascii=False), encoding="utf-8")
        importer(rt, path)
    return rt, secrets


def every_protected_value(rt: Runtime) -> set[str]:
    """Protected strings to hunt for, less region codes and organisation ids: those are
    public vocabulary, and what a record protects is its link to them, checked apart.
    """
    with rt.uow() as uow:
        orgs = uow.organisations.list()
        records = [*orgs, *uow.people.list(), *uow.projects.list()]
        vocabulary = {r.code for r in uow.reference.regions()} | {o.id for o in orgs}
    return {v for r in records for v in protected_values(r)} - vocabulary


def test_no_protected_value_reaches_the_iati_file_or_any_dataset(
    planted_store: tuple[Runtime, Secrets],
) -> None:
    rt, secrets = planted_store
    secret = every_protected_value(rt)
    assert len(secret) > 30
    outputs = {"iati.xml": iati_xml(rt).decode("utf-8")}
    outputs |= {
        f"{name}.{fmt}": public_dataset(rt, name, fmt).decode("utf-8")
        for name in DATASETS
        for fmt in FORMATS
    }
    assert "HLT-S0" in outputs["iati.xml"] and WITHHELD[0] in outputs["iati.xml"]
    assert "ORG-S0" in outputs["projects.csv"] and "Partner S0" in outputs["organisations.json"]
    for file, text in outputs.items():
        leaked = sorted(v for v in [*secret, *secrets.internal] if v in text)
        assert leaked == [], f"{file} leaks {len(leaked)} protected or internal values"


def test_a_project_that_protects_its_regions_or_partners_shows_neither(
    planted_store: tuple[Runtime, Secrets],
) -> None:
    rt, _ = planted_store
    reported = activities(rt)
    assert reported["HLT-S0"].find("location") is None
    assert reported["HLT-S1"].find("location[@ref='RU-SAM']") is not None
    projects = json.loads(public_dataset(rt, "projects", "json"))["projects"]
    by_id = {p["id"]: p for p in projects}
    assert "regions" not in by_id["HLT-S0"]
    assert by_id["HLT-S1"]["regions"] == ["RU-SAM"]
    rows = csv.DictReader(io.StringIO(public_dataset(rt, "projects", "csv").decode()))
    assert {r["id"]: r.get("regions") for r in rows}["HLT-S0"] in ("", None)
    assert "partners" not in by_id["HLT-S1"]
    assert by_id["HLT-S2"]["partners"] == ["ORG-S3"]


def test_iati_needs_the_fund_identifier_and_says_where_to_set_it(
    planted_store: tuple[Runtime, Secrets],
) -> None:
    rt, _ = planted_store
    with rt.uow() as uow:
        fund = uow.fund.get()
        assert fund is not None
        uow.fund.put(fund.model_copy(update={"iati_org_ref": ""}))
        uow.commit()
    with pytest.raises(InvalidInput) as caught:
        iati_xml(rt)
    (problem,) = caught.value.problems
    assert (problem.file, problem.field) == ("fund.yaml", "iati_org_ref")


def test_the_catalogue_says_what_each_dataset_holds_and_leaves_out() -> None:
    entries = {d.name: d for d in catalogue()}
    assert set(entries) == set(DATASETS)
    assert all(d.holds and d.left_out and d.formats == list(FORMATS) for d in entries.values())
    assert "contact people" in entries["projects"].left_out
    assert "Left out" not in entries["organisations"].holds


def test_the_catalogue_says_it_in_russian_too() -> None:
    """Every dataset has a title in both languages and its two parts in Russian."""
    for d in catalogue():
        assert d.title and d.title_ru and d.holds_ru and d.left_out_ru, d.name
        assert foreign_runs(f"{d.title_ru}. {d.holds_ru} {d.left_out_ru}", "ru") == [], d.name
