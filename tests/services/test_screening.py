"""Watchlist loads, delta re-screening, screen-all, read-only name screening and the
tranche block, over the sample fund on both databases."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

import pfund
from pfund.domain import Tranche
from pfund.errors import Conflict, InvalidInput
from pfund.funding import commit
from pfund.services.audit import AuditWriter
from pfund.services.funding import post_entries, record_contributions
from pfund.services.hit_review import decide, review_queue
from pfund.services.imports import import_organisations, import_people
from pfund.services.proposals import ProposalForm, accept, submit
from pfund.services.runtime import Runtime
from pfund.services.screening import load_watchlist, screen_all
from pfund.services.screening_names import read_names, screen_names
from pfund.services.tranches import disburse_tranche, release_tranche
from pfund.store.repositories import table_counts
from pfund.store.repositories._rows import insert_many, table
from pfund.store.tables import PersonRow, ProjectContactRow

SAMPLE = Path(pfund.__file__).parent / "data" / "rpf" / "watchlists" / "sample.ftm.json"
PERSON_NAME = "Алексей Николаевич Образцов"  # PER-0015 of the sample fund, protected


@pytest.fixture
def demo(demo_rt: Runtime) -> Runtime:
    return demo_rt  # the sample fund loaded (load_demo), see tests/services/conftest.py


def lines() -> list[dict[str, object]]:
    return [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]


def write(path: Path, entities: list[dict[str, object]], extra: str = "") -> Path:
    text = "\n".join(json.dumps(e, ensure_ascii=False) for e in entities)
    path.write_text(text + "\n" + extra, encoding="utf-8")
    return path


def counts(rt: Runtime) -> dict[str, int]:
    with rt.uow() as uow:
        return table_counts(uow.session)


def test_loading_the_sample_raises_hits_for_the_newsroom_and_the_person(demo: Runtime) -> None:
    report = load_watchlist(demo, SAMPLE)
    assert report.watchlist == "sample" and report.added == report.entities == len(lines())
    found = {(h.counterparty_id, h.entity_id) for h in report.new_hits}
    assert ("ORG-0006", "pfs-org-001") in found
    assert ("PER-0015", "pfs-per-001") in found
    person = next(h for h in report.new_hits if h.counterparty_id == "PER-0015")
    assert person.organisation == "ORG-0018"
    with demo.uow() as uow:
        events = [e for e in uow.audit.list() if e.action == "screening.hit_raised"]
    assert len(events) == len(report.new_hits)
    assert PERSON_NAME not in json.dumps([e.details for e in events], ensure_ascii=False)


def test_bad_lines_refuse_the_file_unless_skipped(demo: Runtime, tmp_path: Path) -> None:
    bad = write(
        tmp_path / "bad.ftm.json", lines()[:3], '{"id": "x", "schema": "Vessel"}\nnot json\n'
    )
    before = counts(demo)
    with pytest.raises(InvalidInput) as refused:
        load_watchlist(demo, bad)
    assert [p.row for p in refused.value.problems] == [4, 5]
    assert counts(demo) == before
    report = load_watchlist(demo, bad, skip_bad=True)
    assert report.entities == 3 and len(report.skipped_lines) == 2
    assert "row 4" in report.skipped_lines[0]


def test_an_update_rescreens_only_what_changed_and_lists_removed_open_hits(
    demo: Runtime, tmp_path: Path
) -> None:
    first = load_watchlist(demo, SAMPLE, watchlist_id="wl")
    entities = lines()
    renamed = [e for e in entities if e["id"] != "pfs-org-001"]
    changed = dict(renamed[0]) | {"properties": {"name": ["Obrazcov Aleksej"]}}
    added: dict[str, object] = {
        "id": "pfs-org-009",
        "schema": "Organization",
        "properties": {"name": ["Wolga Free Press Trust"]},
    }
    update = write(tmp_path / "wl.ftm.json", [changed, *renamed[1:], added])
    report = load_watchlist(demo, update, watchlist_id="wl")
    assert (report.added, report.changed, report.removed) == (1, 1, 1)
    assert report.unchanged == len(entities) - 2
    assert {h.entity_id for h in report.new_hits} <= {"pfs-per-001", "pfs-org-009"}
    assert [h.entity_id for h in report.removed_with_open_hits] == ["pfs-org-001"]
    assert report.content_hash != first.content_hash
    queue = review_queue(demo)
    assert any(i.entity_id == "pfs-org-001" for i in queue), "a removed entity closes nothing"
    again = load_watchlist(demo, update, watchlist_id="wl")
    assert (again.added, again.changed, again.new_hits) == (0, 0, [])


def test_screen_all_finds_the_hits_once(demo: Runtime) -> None:
    load_watchlist(demo, SAMPLE)
    report = screen_all(demo)
    # 54 of organisations.yaml and 16 companies the sample tracker lists add (companies/)
    assert report.organisations == 70 and report.people == 15
    assert report.hits >= 2 and report.new_hits == []
    assert screen_all(demo).new_hits == []


def test_screen_names_is_read_only(demo: Runtime, tmp_path: Path) -> None:
    load_watchlist(demo, SAMPLE)
    before = counts(demo)
    names = tmp_path / "names.csv"
    names.write_text("id,name\n1,Wolga Free Press\n2,Nobody At All\n", encoding="utf-8")
    results = screen_names(demo, read_names(names))
    assert [r.name for r in results] == ["Wolga Free Press", "Nobody At All"]
    assert results[0].hits[0].entity_id == "pfs-org-001" and results[1].hits == []
    assert counts(demo) == before
    with pytest.raises(InvalidInput, match="kind"):
        screen_names(demo, ["x"], kind="vessel")
    empty = tmp_path / "empty.txt"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="no name"):
        read_names(empty)


def _planned_tranche(rt: Runtime, project_id: str) -> str:
    """A committed tranche for one project, as approval would plan it."""
    record_contributions(rt, year=2023, received=True)
    tranche = Tranche(
        id=f"{project_id}-2027", project_id=project_id, year=2027, amount=Decimal(1000)
    )
    with rt.uow() as uow:
        uow.tranches.add_many([tranche])
        entry = commit(
            datetime.now(UTC), tranche.amount, project_id=project_id, tranche_id=tranche.id
        )
        post_entries(uow, AuditWriter(uow, rt.actor), [entry])
        uow.commit()
    return tranche.id


def test_an_open_or_confirmed_hit_blocks_the_release_until_dismissed(demo: Runtime) -> None:
    tranche = _planned_tranche(demo, "GOV-MED-02")  # proponent ORG-0006
    report = load_watchlist(demo, SAMPLE)
    hit = next(h.hit for h in report.new_hits if h.counterparty_id == "ORG-0006")
    with pytest.raises(Conflict) as refused:
        release_tranche(demo, tranche)
    assert f"hit {hit}" in str(refused.value) and "ORG-0006" in str(refused.value)
    decide(demo, hit, "confirm", "same newsroom, German spelling")
    with pytest.raises(Conflict, match="confirmed"):
        release_tranche(demo, tranche)
    decide(demo, hit, "dismiss", "different organisation: registry checked")
    assert release_tranche(demo, tranche).status == "released"


def test_a_hit_raised_after_release_stops_the_payment(demo: Runtime) -> None:
    tranche = _planned_tranche(demo, "GOV-MED-02")
    release_tranche(demo, tranche)
    hit = next(
        h.hit for h in load_watchlist(demo, SAMPLE).new_hits if h.counterparty_id == "ORG-0006"
    )
    with pytest.raises(Conflict, match=f"cannot be paid: screening hit {hit}"):
        disburse_tranche(demo, tranche)
    decide(demo, hit, "dismiss", "different organisation: registry checked")
    assert disburse_tranche(demo, tranche).status == "disbursed"


def _tie_person_to_project(rt: Runtime, via: str) -> None:
    """Make PER-0015 (of ORG-0018) a person of GOV-MED-02's proponent, or its contact."""
    with rt.uow() as uow:
        if via == "organisation":
            people = table(PersonRow)
            change = people.update().where(people.c.id == "PER-0015")
            uow.session.execute(change.values(organisation="ORG-0006"))
        else:
            row = {"project_id": "GOV-MED-02", "position": 0, "contact": "PER-0015"}
            insert_many(uow.session, ProjectContactRow, [uow.cipher.seal("project_contacts", row)])
        uow.commit()


@pytest.mark.parametrize("via", ["organisation", "contact"])
def test_a_person_hit_blocks_by_id_without_the_name(demo: Runtime, via: str) -> None:
    tranche = _planned_tranche(demo, "GOV-MED-02")
    _tie_person_to_project(demo, via)
    report = load_watchlist(demo, SAMPLE)
    org_hit = next(h.hit for h in report.new_hits if h.counterparty_id == "ORG-0006")
    decide(demo, org_hit, "dismiss", "not the same newsroom")
    with pytest.raises(Conflict) as refused:
        release_tranche(demo, tranche)
    text = str(refused.value)
    assert "person PER-0015" in text
    assert PERSON_NAME not in text and "Образцов" not in text
    person_hit = next(h.hit for h in report.new_hits if h.counterparty_id == "PER-0015")
    decide(demo, person_hit, "dismiss", "date of birth differs")
    assert release_tranche(demo, tranche).status == "released"


def test_a_word_shared_by_listed_entities_still_finds_them(demo: Runtime, tmp_path: Path) -> None:
    names = ["Wolga Free Press", "Wolga Free Radio", "Wolga Press Trust"]
    rows: list[dict[str, object]] = [
        {"id": f"w{i}", "schema": "Organization", "properties": {"name": [name]}}
        for i, name in enumerate(names)
    ]
    report = load_watchlist(demo, write(tmp_path / "wolga.ftm.json", rows))
    assert ("ORG-0006", "w0") in {(h.counterparty_id, h.entity_id) for h in report.new_hits}
    (found,) = screen_names(demo, ["Volga Free Press"])
    assert found.hits[0].entity_id == "w0"


def test_a_repeated_entity_id_refuses_the_file_unless_skipped(
    demo: Runtime, tmp_path: Path
) -> None:
    rows = lines()[:2]
    twice = write(tmp_path / "twice.ftm.json", [*rows, rows[0]])
    with pytest.raises(InvalidInput) as refused:
        load_watchlist(demo, twice)
    assert "pfs-org-001" in str(refused.value) and "appears again" in str(refused.value)
    report = load_watchlist(demo, twice, skip_bad=True)
    assert report.entities == 2 and len(report.skipped_lines) == 1


def test_organisations_imported_after_a_load_are_screened_on_the_way_in(
    demo: Runtime, tmp_path: Path
) -> None:
    load_watchlist(demo, SAMPLE)
    path = tmp_path / "orgs.csv"
    path.write_text(
        "id,name,kind,country,areas,company.russia_status\n"
        "C-9,Fantomstroy LLC,company,RU,energy,digging_in\n"
        "N-9,Siberian Reading Circle,ngo,RU,education,\n",
        encoding="utf-8",
    )
    result = import_organisations(demo, path)
    assert [(h.counterparty_id, h.entity_id) for h in result.new_hits] == [("C-9", "pfs-com-001")]
    queue = {i.counterparty_id: i for i in review_queue(demo)}
    assert queue["C-9"].hit == result.new_hits[0].hit
    with demo.uow() as uow:
        raised = [e for e in uow.audit.list() if e.action == "screening.hit_raised"]
    assert raised[-1].record_id == str(result.new_hits[0].hit)


def test_people_imported_with_no_watchlist_loaded_raise_nothing(
    demo: Runtime, tmp_path: Path
) -> None:
    path = tmp_path / "people.yaml"
    path.write_text("- {id: P-9, name: Образцов Алексей Николаевич}\n", "utf-8")
    assert import_people(demo, path).new_hits == []
    load_watchlist(demo, SAMPLE)  # the load screens them instead
    assert "P-9" in {i.counterparty_id for i in review_queue(demo)}


def test_a_proposal_taken_into_the_pipeline_screens_its_contact(demo: Runtime) -> None:
    load_watchlist(demo, SAMPLE)
    form = ProposalForm(
        title="Clean water for Samara schools",
        description="Filters and training for forty rural schools in Samara oblast.",
        area="health",
        first_year=2027,
        years=1,
        cost_low=Decimal(90_000),
        cost_likely=Decimal(100_000),
        cost_high=Decimal(130_000),
        contact_name="Pridumanov Gleb Semenovich",
        contact_email="gleb@example.org",
    )
    sent = submit(demo, form)
    person = f"PER-WEB-{sent.project_id.removeprefix('WEB-')}"
    assert person not in {i.counterparty_id for i in review_queue(demo)}
    accept(demo, sent.project_id)
    (hit,) = [i for i in review_queue(demo) if i.counterparty_id == person]
    assert hit.entity_id == "pfs-per-004"
