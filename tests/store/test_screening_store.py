"""Watchlists, hits, append-only decisions, outreach and vetting rows, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.exc import DBAPIError

from pfund.domain.compliance import (
    CounterpartyKind,
    HitDecision,
    HitDecisionKind,
    HitStatus,
    OutreachEntry,
    OutreachOutcome,
    ScreeningHit,
    Watchlist,
)
from pfund.domain.enums import OrganisationKind, ReengagementStatus, RussiaStatus, VettingCriterion
from pfund.domain.organisation import CompanyProfile, VettingItem
from pfund.domain.watchlist import WatchlistEntity
from pfund.store.repositories._rows import table
from pfund.store.tables import HitDecisionRow
from tests.factories import make_organisation
from tests.store.conftest import MakeUow

AT = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def entity(entity_id: str, name: str, **extra: object) -> WatchlistEntity:
    return WatchlistEntity(id=entity_id, schema_name="Person", names=(name,), **extra)


def hit(entity_id: str = "e1", digest: str = "h1", party: str = "ORG-0001") -> ScreeningHit:
    return ScreeningHit(
        counterparty_kind=CounterpartyKind.ORGANISATION,
        counterparty_id=party,
        watchlist_id="wl",
        entity_id=entity_id,
        entity_hash=digest,
        score=0.8,
        matched="Listed Name",
        explanation="'a' vs 'b'",
        created_at=AT,
    )


def with_watchlist(uow: MakeUow) -> None:
    with uow() as u:
        u.watchlists.save(
            Watchlist(
                id="wl", name="wl", source="x", loaded_at=AT, content_hash="c", entity_count=2
            )
        )
        u.commit()


def test_watchlist_entities_round_trip_and_replace_by_id(seeded: MakeUow) -> None:
    with_watchlist(seeded)
    first = entity("e1", "Иванов Пётр", aliases=("Ivanov Petr",), inn=("500100732259",))
    with seeded() as u:
        u.watchlists.add_entities("wl", [(first, "h1"), (entity("e2", "Smith"), "h2")])
        u.commit()
    with seeded() as u:
        assert u.watchlists.entities("wl", ["e1"]) == [(first, "h1")]
        u.watchlists.remove_entities("wl", ["e1", "e2"])
        u.watchlists.add_entities("wl", [(entity("e1", "Other"), "h9")])
        u.commit()
    with seeded() as u:
        assert u.watchlists.hashes("wl") == {"e1": "h9"}
        saved = u.watchlists.get("wl")
        assert saved is not None and saved.loaded_at == AT


def test_hits_are_stored_once_per_pair_and_entity_version(seeded: MakeUow) -> None:
    with_watchlist(seeded)
    with seeded() as u:
        added = u.hits.add_new([hit(), hit(), hit(digest="h2")])
        again = u.hits.add_new([hit()])
        u.commit()
    assert [h.entity_hash for h in added] == ["h1", "h2"] and again == []
    assert added[0].id is not None and added[0].id < (added[1].id or 0)


def test_status_follows_the_latest_decision_and_decisions_are_kept(seeded: MakeUow) -> None:
    with_watchlist(seeded)
    with seeded() as u:
        first, second = u.hits.add_new([hit("e1"), hit("e2", party="ORG-0002")])
        assert first.id is not None and second.id is not None
        for kind in (HitDecisionKind.DISMISS, HitDecisionKind.CONFIRM):
            u.hits.decide(HitDecision(hit_id=first.id, decision=kind, reason="r", actor="a", at=AT))
        u.commit()
    with seeded() as u:
        statuses = {h.id: s for h, s in u.hits.with_status()}
        assert statuses == {first.id: HitStatus.CONFIRMED, second.id: HitStatus.OPEN}
        assert [d.decision for d in u.hits.decisions(first.id)] == ["dismiss", "confirm"]
        only = u.hits.with_status(counterparties=[("organisation", "ORG-0002")])
        assert [h.id for h, _ in only] == [second.id]
        by_entity = u.hits.with_status(statuses=[HitStatus.OPEN], entities=[("wl", "e1")])
        assert by_entity == []


def test_outreach_log_keeps_the_contact_as_a_person_id(seeded: MakeUow) -> None:
    entry = OutreachEntry(
        organisation_id="ORG-0001",
        on=date(2030, 2, 1),
        channel="call",
        staff="Desk officer",
        contact_person_id="PER-0001",
        outcome=OutreachOutcome.INTERESTED,
    )
    with seeded() as u:
        entry_id = u.outreach.add(entry)
        u.commit()
    with seeded() as u:
        assert u.outreach.list("ORG-0001") == [entry.model_copy(update={"id": entry_id})]
        assert u.outreach.list("ORG-0002") == []


def test_company_status_and_vetting_items_change_in_place(seeded: MakeUow) -> None:
    company = make_organisation(
        "ORG-0009",
        kind=OrganisationKind.COMPANY,
        company=CompanyProfile(russia_status=RussiaStatus.DIGGING_IN),
    )
    group = make_organisation("ORG-0008", kind=OrganisationKind.DEMOCRATIC_FORCES)
    item = VettingItem(
        criterion=VettingCriterion.REJECTS_NEO_IMPERIALISM, met=True, evidence="e", reviewer="r"
    )
    with seeded() as u:
        u.organisations.add_many([company, group])
        u.organisations.set_company_status(
            "ORG-0009", RussiaStatus.WITHDRAWN, ReengagementStatus.IN_TALKS
        )
        u.organisations.set_vetting_item("ORG-0008", item)
        u.organisations.set_vetting_item("ORG-0008", item.model_copy(update={"met": False}))
        u.commit()
    with seeded() as u:
        stored = u.organisations.get("ORG-0009")
        assert stored is not None and stored.company is not None
        assert stored.company.russia_status is RussiaStatus.WITHDRAWN
        vetted = u.organisations.get("ORG-0008")
        assert vetted is not None and vetted.vetting is not None
        assert [i.met for i in vetted.vetting.items] == [False]


def test_the_database_refuses_to_change_or_remove_a_decision(seeded: MakeUow) -> None:
    with_watchlist(seeded)
    with seeded() as u:
        (stored,) = u.hits.add_new([hit()])
        assert stored.id is not None
        decision = HitDecision(
            hit_id=stored.id, decision=HitDecisionKind.DISMISS, reason="r", actor="a", at=AT
        )
        u.hits.decide(decision)
        u.commit()
    decisions = table(HitDecisionRow)
    for change in (decisions.update().values(reason="rewritten"), decisions.delete()):
        with seeded() as u, pytest.raises(DBAPIError, match="append-only"):
            u.session.execute(change)
    with seeded() as u:
        assert u.hits.decisions(stored.id) == [decision]
