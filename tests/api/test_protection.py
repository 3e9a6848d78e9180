"""No protected value reaches a public page, a public API answer, an export or a log line.

The store is filled with generated protected values (people's names, e-mails and phones,
organisations that protect their name and website, projects that protect their
description, a proposal's contact sent through the public form, a grievance's reporter, text,
reasons and evidence file), then every public
route is walked, in English and Russian, with every id it takes, and every export is
written. A new public route that this walk cannot reach fails the test, so the proof
keeps covering the whole service.
"""

from __future__ import annotations

import io
import itertools
import json
import logging
import re
import tempfile
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from pfund.api import API_PREFIX, create_app
from pfund.api.apidocs import DOCS_URL
from pfund.api.app import API_ROUTERS
from pfund.domain.agreement import Amendment
from pfund.domain.governance import ItemKind, Side
from pfund.domain.grievance import GrievanceStatus
from pfund.domain.results import ReportedValue, ReportInput
from pfund.io.dataset import bundled_dataset
from pfund.reports.board import build_report, write_report
from pfund.services import agreements, committee, grievances, proposals, results
from pfund.services.appraisal import appraise_pipeline, load_inputs
from pfund.services.committee import SeatRequest
from pfund.services.committee_decide import close_item
from pfund.services.exports import KINDS, export_records
from pfund.services.imports import import_organisations, import_people, import_projects
from pfund.services.opendata import export_iati, write_open_data
from pfund.services.portfolio import run_portfolio
from pfund.services.runtime import Runtime, open_runtime
from pfund.services.scorecard import import_indicator_set
from pfund.store.tables import AgreementRow, EvidenceFileRow, GrievanceRow
from pfund.web import PAGE_ROUTERS
from tests.api.conftest import settings_for
from tests.services.test_opendata import Secrets, every_protected_value, planted

PARAM = re.compile(r"{(\w+)}")


@pytest.fixture
def planted_rt(db_url: str, tmp_path: Path) -> Iterator[tuple[Runtime, list[str]]]:
    rt = open_runtime(settings_for(db_url))
    secrets = Secrets(seed=7)
    for kind, importer in (
        ("organisations", import_organisations),
        ("people", import_people),
        ("projects", import_projects),
    ):
        path = tmp_path / f"{kind}.json"
        records = planted(secrets)[kind]
        path.write_text(json.dumps({kind: records}, ensure_ascii=False), encoding="utf-8")
        importer(rt, path)
    form = proposals.ProposalForm(
        title="Water for Kimry",
        description="Twelve wells for villages without safe drinking water.",
        area="health",
        regions=["RU-TVE"],
        first_year=2030,
        years=2,
        cost_low=1000,
        cost_likely=2000,
        cost_high=3000,
        organisation=f"Kimry Voda {secrets.token()}",
        contact_name=f"Olga {secrets.token()}",
        contact_email=f"o{secrets.token()}@example.org",
    )
    proposals.submit(rt, form)
    import_indicator_set(rt, bundled_dataset() / "governance_indicators.csv")  # the scorecard
    reporter = _planted_grievance(rt, secrets.token())
    yield (
        rt,
        [
            *secrets.internal,
            form.organisation,
            form.contact_name,
            form.contact_email,
            *reporter,
        ],
    )
    rt.close()


def _planted_grievance(rt: Runtime, token: str) -> list[str]:
    """A grievance against a sample project from a named reporter, with a photo whose
    EXIF and file name name them, substantiated (so it holds the project's money) with a
    reason and added to by the reporter: none of it may reach a public output, only the
    statistics (counts) may."""
    name, contact = f"Grigory Whistle {token}", f"g{token}@example.org"
    description = f"The foreman {token} signs invoices for wells never dug"
    reason, addition = f"Ledger pages {token} confirm it", f"Also the depot {token}"
    image, out = Image.new("RGB", (8, 8)), io.BytesIO()
    exif = Image.Exif()
    exif[0x013B] = name  # Artist
    image.save(out, format="JPEG", exif=exif)
    form = grievances.check_form(
        {
            "category": "corruption",
            "subject_kind": "project",
            "subject_id": "TRN-M11-01",
            "description": description,
            "anonymous": False,
            "name": name,
            "contact": contact,
        }
    )
    filed = grievances.submit(rt, form, [grievances.Upload(f"{name}.jpg", out.getvalue())])
    grievances.triage(rt, filed.id, GrievanceStatus.ACKNOWLEDGED, reason)
    grievances.triage(rt, filed.id, GrievanceStatus.UNDER_REVIEW, reason)
    grievances.decide(rt, filed.id, GrievanceStatus.SUBSTANTIATED, reason)
    grievances.add_by_code(rt, filed.code, addition, [])
    return [name, contact, description, reason, addition, filed.code]


@pytest.fixture
def report_token(planted_rt: tuple[Runtime, list[str]]) -> str:
    """A partner's report link on a sample project with protected partners and contact,
    its report sent with a photo whose EXIF names a protected person and whose file name
    carries a secret: the walk opens the partner's form with this token."""
    rt, extra = planted_rt
    secret = f"Photographer {len(extra)}x{extra[0][:6]}"
    extra.append(secret)
    image, out = Image.new("RGB", (8, 8)), io.BytesIO()
    exif = Image.Exif()
    exif[0x013B] = secret  # Artist
    image.save(out, format="JPEG", exif=exif)
    link = results.issue_report_link(rt, "TRN-M11-01", "2030")
    note = f"Met {secret} at the depot"
    extra.append(note)
    report = ReportInput(
        project="TRN-M11-01",
        period="2030",
        values=[ReportedValue(indicator="km_upgraded", value=Decimal(140), unit="km", note=note)],
    )
    upload = results.Upload(f"{secret}.jpg", out.getvalue())
    results.submit_by_token(rt, link.token, report, [upload], channel="form")
    _report_where_regions_are_protected(rt)
    return link.token


def _report_where_regions_are_protected(rt: Runtime) -> None:
    """HLT-S0 protects its regions: its indicator is disaggregated by region and its
    partner reports a region's part, which no public output may show."""
    indicator = {
        "project": "HLT-S0",
        "code": "people_reached",
        "name": "People reached",
        "name_ru": "Охвачено людей",
        "unit": "people",
        "baseline_date": "2030-01-01",
        "targets": {"2030": 20},
        "regions": ["RU-SAM"],
        "outcome": "people_reached",
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "indicators.json"
        path.write_text(json.dumps({"indicators": [indicator]}), encoding="utf-8")
        results.import_indicators(rt, path)
    values = [
        ReportedValue(indicator="people_reached", value=Decimal(17), unit="people"),
        ReportedValue(
            indicator="people_reached", value=Decimal(17), unit="people", region="RU-SAM"
        ),
    ]
    report = ReportInput(project="HLT-S0", period="2030", values=values)
    results.submit_report(rt, report, [], channel="api")


def get_paths() -> list[str]:
    """Every GET path the service answers: API routes, pages, the OpenAPI document and
    its reference page."""
    paths = [f"{API_PREFIX}/openapi.json", DOCS_URL, f"{DOCS_URL}/start.js"]
    for prefix, routers in ((API_PREFIX, API_ROUTERS), ("", PAGE_ROUTERS)):
        for router in routers:
            paths += [
                prefix + r.path
                for r in router.routes
                if isinstance(r, APIRoute) and "GET" in (r.methods or set())
            ]
    return paths


def ids_for(rt: Runtime) -> dict[str, list[str]]:
    with rt.uow() as uow:
        return {
            "project_id": [p.id for p in uow.projects.list()],
            "organisation_id": [o.id for o in uow.organisations.list()],
            "org_id": [o.id for o in uow.organisations.list()][:3],
            "run_id": [r.id for r in uow.decisions.list(kind="portfolio")],
            "code": [c.code for c in uow.conditions.list()],
            "tranche_id": [t.id for t in uow.tranches.list()][:5],
            "name": [
                "projects",
                "organisations",
                "contributors",
                "conditions",
                "tranches",
                "ledger",
                "ledger-entries",
                "results",
                "grievances",
                "audit-head",
            ],
            "fmt": ["csv", "json"],
            "job_id": ["0"],
            "verification_id": ["VER-00001"],  # staff only: any id meets the refusal
            "item_id": ["1"],  # a committee item (staff only)
            "sha256": list(uow.session.scalars(select(EvidenceFileRow.sha256))),
            "grievance_id": list(uow.session.scalars(select(GrievanceRow.id))),
            "position": ["1"],
            "currency": ["EUR"],  # an exchange rate (staff only)
            # a grant agreement (staff only): the walk signs one, see _planted_agreement
            # and donor agreements (DA-...), whose routes share the parameter's name
            "agreement_id": [
                *(list(uow.session.scalars(select(AgreementRow.id))) or ["AGR-0001"]),
                "DA-0001",
                "DA-0002",
            ],
            "contributor": ["GBR", "DEU"],  # a donor's report
        }


def urls(path: str, values: dict[str, list[str]]) -> list[str]:
    """The path with every stored id in its one parameter, or a sample of combinations."""
    names = PARAM.findall(path)
    if any(n not in values for n in names):
        return []
    limit = None if len(names) == 1 or names == ["name", "fmt"] else 3
    found = []
    for combo in itertools.product(*(values[n][:limit] for n in names)):
        url = path
        for name, value in zip(names, combo, strict=True):
            url = url.replace("{" + name + "}", value)
        found.append(url)
    return found


def test_no_protected_value_reaches_a_public_route_an_export_or_a_log(
    planted_rt: tuple[Runtime, list[str]],
    report_token: str,
    db_url: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    rt, extra = planted_rt
    extra += _committee_with_protected_holders(rt)
    _planted_agreement(rt)
    secret = every_protected_value(rt) | set(extra)
    assert len(secret) > 40
    app = create_app(settings_for(db_url), runtime=rt)
    values = ids_for(rt)
    bodies: dict[str, str] = {}
    unreached = []
    caplog.set_level(logging.DEBUG)
    with TestClient(app, raise_server_exceptions=False) as client:
        for path in get_paths():
            targets = urls(path, values)
            if path == "/report":  # the partner's form, reached with its link's token
                targets = [f"/report?t={report_token}"]
            public = 0
            for url in targets:
                for lang in ("en", "ru"):
                    answer = client.get(
                        url, headers={"accept-language": lang}, follow_redirects=False
                    )
                    assert answer.status_code < 500, f"{url}: {answer.status_code}"
                    bodies[f"{url} [{lang}]"] = answer.text  # error messages too
                    public += answer.status_code == 200
            if public == 0 and not _staff_only(client, targets):
                unreached.append(path)
    assert not unreached, f"public routes the walk could not reach: {unreached}"
    # A project may protect its links: HLT-S0 its regions, HLT-S1 its partners.
    for url in ("/projects/HLT-S0 [en]", "/api/v1/projects/HLT-S0 [en]"):
        assert "RU-SAM" not in bodies[url]
    assert "ORG-S2" not in bodies["/api/v1/projects/HLT-S1 [en]"]
    # Results: the overview shows reported values as reported, and a project that
    # protects its regions shows no region in its indicators anywhere.
    for lang in ("en", "ru"):
        assert "HLT-S0" in bodies[f"/results [{lang}]"]
        assert "RU-SAM" not in bodies[f"/api/v1/projects/HLT-S0/results [{lang}]"]
        assert "RU-SAM" not in bodies[f"/projects/HLT-S0 [{lang}]"]
    assert "reported, not verified" in bodies["/results [en]"]
    assert "сообщено, не проверено" in bodies["/results [ru]"]
    # The scorecard (page and API) is walked with the sample's indicator figures in it.
    assert (
        "v2x_polyarchy" in bodies["/scorecard [en]"]
        and "v2x_polyarchy" in bodies["/api/v1/scorecard [en]"]
    )
    assert "Оценочная карта" in bodies["/scorecard [ru]"]
    # Grievances: the form, the status page and the statistics are public; the
    # statistics count the planted grievance (a small cell, shown as "< 3").
    for lang in ("en", "ru"):
        assert "&lt; 3" in bodies[f"/grievances/statistics [{lang}]"]
    assert '"received":null' in bodies["/api/v1/grievances/statistics [en]"].replace(" ", "")
    assert len(bodies) > 300
    for kind in KINDS:
        for suffix in ("csv", "json", "yaml"):
            exported = tmp_path / f"{kind}.{suffix}"
            export_records(rt, kind, exported)
            bodies[exported.name] = exported.read_text(encoding="utf-8")
    bodies["iati.xml"] = _read(export_iati(rt, tmp_path / "iati.xml").file)
    for file in write_open_data(rt, tmp_path / "open").files:
        bodies[Path(file).name] = _read(file)
    assert "HLT-S0" in bodies["results.csv"] and "HLT-S0" in bodies["iati.xml"]
    for name in ("results.csv", "results.json", "iati.xml"):
        assert "RU-SAM" not in bodies[name].split("HLT-S0", 1)[1].split("HLT-S1", 1)[0], name
    assert "RU-SAM" not in bodies["results.csv"] + bodies["results.json"]
    pa = appraise_pipeline(load_inputs(rt))
    run, _ = run_portfolio(rt, pa, time_limit=10)
    board = build_report(rt, pa, run_id=run.record_id, robust_draws=5, robust_weights=5)
    report = write_report(board, tmp_path / "report")
    bodies["board report"] = report.read_text(encoding="utf-8")
    bodies["board report, Russian"] = (report.parent / "index.ru.html").read_text("utf-8")
    bodies["log"] = caplog.text
    for where, text in bodies.items():
        leaked = sorted(v for v in secret if v in text)
        assert leaked == [], f"{where} shows {len(leaked)} protected or internal values"


def _planted_agreement(rt: Runtime) -> None:
    """A signed, amended grant agreement whose parties include organisations that
    protect their names: its routes are staff only, so the walk must reach none of it."""
    with rt.uow() as uow:
        approved = sorted(p.id for p in uow.projects.list() if p.status.value == "approved")
    made = agreements.draw_up(rt, approved[0], reporting_duties="Six-monthly reports")
    agreements.sign(rt, made.id, signed_on=date(2027, 1, 10))
    agreements.amend(
        rt, made.id, Amendment(version=2, reason="A second site added", amount=made.amount + 1)
    )


def _committee_with_protected_holders(rt: Runtime) -> list[str]:
    """The joint committee with its seats held by named people and a conflict declared
    with a reason, one item decided with a departure from OPT-0001: the public page, the
    board report and every export show seat labels and votes, never these."""
    holders = [f"Holder {n} Sekretova {n * 7919}" for n in (1, 2, 3)]
    reason = "Married to the proponent's director, Sekretova 104729"
    seats = [
        SeatRequest(label="Donor USA", side=Side.DONOR, contributor="USA", holder=holders[0]),
        SeatRequest(
            label="Russian seat 1", side=Side.RUSSIAN, organisation_id="ORG-0001", holder=holders[1]
        ),
        SeatRequest(
            label="Russian seat 2", side=Side.RUSSIAN, organisation_id="ORG-0002", holder=holders[2]
        ),
    ]
    for seat in seats:
        committee.add_seat(rt, seat)
    with rt.uow() as uow:
        record = uow.decisions.get("OPT-0001")
    assert record is not None
    chosen = list(record.result["selected"])
    item = committee.open_item(
        rt,
        committee.ItemRequest(
            kind=ItemKind.PORTFOLIO, title="Approve", run_id="OPT-0001", projects=chosen[1:]
        ),
    ).id
    day = date(2026, 6, 1)
    committee.cast_vote(rt, item, "Donor USA", "yes", on=day)
    committee.cast_vote(rt, item, "Russian seat 1", "yes", on=day)
    committee.declare_conflict(rt, item, "Russian seat 2", reason=reason)
    close_item(rt, item, on=day)
    return [*holders, reason]


def _staff_only(client: TestClient, targets: list[str]) -> bool:
    """Routes the public may not read answer 401 (API) or send to the sign-in page."""
    if not targets:
        return False
    answer = client.get(targets[0], follow_redirects=False)
    return answer.status_code in {401, 403} or (
        answer.status_code == 303 and answer.headers["location"].startswith("/signin")
    )


def _read(file: str) -> str:
    return Path(file).read_text(encoding="utf-8")
