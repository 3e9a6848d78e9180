"""Screening: load watchlists, screen every counterparty, and keep hits for review.

A watchlist update is diffed entity by entity on content hashes: only added and changed
entities are screened again (against every organisation and person), and the open hits
of removed entities are listed, never closed silently. Hits are stored once per
counterparty and version of the listed entity, so screening twice adds nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel

from pfund.domain import Organisation, Person
from pfund.domain.account import Permission
from pfund.domain.compliance import (
    BLOCKING,
    CounterpartyKind,
    HitStatus,
    ScreeningHit,
    Watchlist,
)
from pfund.domain.enums import OrganisationKind
from pfund.domain.project import ID_PATTERN
from pfund.domain.watchlist import WatchlistEntity
from pfund.errors import InvalidInput, Problem
from pfund.screening.index import CandidateIndex, Hit
from pfund.services.audit import AuditWriter
from pfund.services.lifecycle import after_screening
from pfund.services.runtime import Runtime
from pfund.store.unit_of_work import UnitOfWork

PERSON, ORGANISATION, COMPANY, ANY = "Person", "Organization", "Company", "LegalEntity"
MAX_ENTITY_ID = 200  # the watchlist_entities.entity_id column


class Counterparty(BaseModel):
    """Who is screened: an organisation or a person, under every name they go by."""

    kind: CounterpartyKind
    id: str
    names: list[str]
    schema_name: str
    organisation: str | None = None


class HitRef(BaseModel):
    """A hit as lists and errors may show it: ids and score, no names."""

    hit: int
    counterparty_kind: CounterpartyKind
    counterparty_id: str
    organisation: str | None
    watchlist: str
    entity_id: str
    score: float
    status: HitStatus


class LoadReport(BaseModel):
    watchlist: str
    content_hash: str
    entities: int
    added: int
    changed: int
    removed: int
    unchanged: int
    skipped_lines: list[str]
    warnings: list[str]
    new_hits: list[HitRef]
    removed_with_open_hits: list[HitRef]


class WatchlistView(BaseModel):
    id: str
    source: str
    loaded_at: datetime
    content_hash: str
    entities: int
    open_hits: int


class ScreenReport(BaseModel):
    organisations: int
    people: int
    entities: int
    hits: int
    new_hits: list[HitRef]


def entity_hash(entity: WatchlistEntity) -> str:
    """SHA-256 of the entity's canonical JSON: equal exactly when nothing changed."""
    text = json.dumps(entity.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def watchlist_hash(hashes: Iterable[str]) -> str:
    """One hash over the entity hashes in sorted order, so line order does not matter."""
    return hashlib.sha256("\n".join(sorted(hashes)).encode("ascii")).hexdigest()


def watchlist_id_for(path: Path) -> str:
    """``sample.ftm.json`` gives ``sample``: the file name up to its first dot."""
    return path.name.split(".", 1)[0]


def counterparties(uow: UnitOfWork) -> list[Counterparty]:
    """Every stored organisation (name and alias) and person (name), in id order."""
    return [
        *(organisation_party(org) for org in uow.organisations.list()),
        *(person_party(person) for person in uow.people.list()),
    ]


def organisation_party(org: Organisation) -> Counterparty:
    return Counterparty(
        kind=CounterpartyKind.ORGANISATION,
        id=org.id,
        names=list(dict.fromkeys(n for n in (org.name, org.alias) if n)),
        schema_name=COMPANY if org.kind is OrganisationKind.COMPANY else ORGANISATION,
        organisation=org.id,
    )


def person_party(person: Person) -> Counterparty:
    return Counterparty(
        kind=CounterpartyKind.PERSON,
        id=person.id,
        names=[person.name],
        schema_name=PERSON,
        organisation=person.organisation,
    )


# Below this many entities the index keeps every key: its default drops keys held by
# more than 5 % of entities, which in a ten-entity list (or a small update) is any word
# two entities share, and would hide "Wolga Free Press" when "Wolga Free Radio" is listed.
SMALL_LIST = 5_000


def build_index(entities: Iterable[WatchlistEntity]) -> CandidateIndex:
    """The candidate index, keeping every key for small lists and small updates."""
    listed = list(entities)
    if len(listed) <= SMALL_LIST:
        return CandidateIndex.build(listed, max_share=1.0)
    return CandidateIndex.build(listed)


def screen_counterparties(
    watchlist_id: str,
    entities: Sequence[tuple[WatchlistEntity, str]],
    parties: Sequence[Counterparty],
    at: datetime,
) -> list[ScreeningHit]:
    """Every counterparty against the given entities: the best hit per (party, entity)."""
    if not entities or not parties:
        return []
    index = build_index(entity for entity, _ in entities)
    digests = {entity.id: digest for entity, digest in entities}
    return _screen_with(index, digests, watchlist_id, parties, at)


def _screen_with(
    index: CandidateIndex,
    digests: dict[str, str],
    watchlist_id: str,
    parties: Sequence[Counterparty],
    at: datetime,
) -> list[ScreeningHit]:
    out: list[ScreeningHit] = []
    for party in parties:
        best: dict[str, Hit] = {}
        for name in party.names:
            for hit in index.screen(name, party.schema_name):
                if hit.entity_id not in best or hit.score > best[hit.entity_id].score:
                    best[hit.entity_id] = hit
        out += [
            ScreeningHit(
                counterparty_kind=party.kind,
                counterparty_id=party.id,
                watchlist_id=watchlist_id,
                entity_id=hit.entity_id,
                entity_hash=digests[hit.entity_id],
                score=round(min(max(hit.score, 0.0), 1.0), 6),
                matched=hit.matched,
                explanation=hit.summary,
                created_at=at,
            )
            for hit in sorted(best.values(), key=lambda h: h.entity_id)
        ]
    return out


# The index of each stored watchlist, kept by the process under the list's content hash
# (a hash over its entities' hashes), so screening a few new counterparties does not
# rebuild the index of a large list each time; a reload changes the hash.
_INDEXES: dict[str, tuple[str, CandidateIndex, dict[str, str]]] = {}


def _stored_index(uow: UnitOfWork, watchlist: Watchlist) -> tuple[CandidateIndex, dict[str, str]]:
    kept = _INDEXES.get(watchlist.id)
    if kept is not None and kept[0] == watchlist.content_hash:
        return kept[1], kept[2]
    stored = uow.watchlists.entities(watchlist.id)
    index = build_index(entity for entity, _ in stored)
    digests = {entity.id: digest for entity, digest in stored}
    _INDEXES[watchlist.id] = (watchlist.content_hash, index, digests)
    return index, digests


def screen_new_counterparties(
    uow: UnitOfWork, audit: AuditWriter, parties: Sequence[Counterparty]
) -> list[HitRef]:
    """Screen counterparties that have just been stored against every stored watchlist.

    A watchlist load screens the counterparties stored at that time; without this, an
    organisation or person added later would carry no hit until someone ran
    ``pfund screen all``, and a tranche could be released to a listed party.
    """
    if not parties:
        return []
    at = datetime.now(UTC)
    hits: list[ScreeningHit] = []
    for watchlist in uow.watchlists.list():
        index, digests = _stored_index(uow, watchlist)
        hits += _screen_with(index, digests, watchlist.id, parties, at)
    return _store_hits(uow, audit, hits, list(parties))


def _store_hits(
    uow: UnitOfWork, audit: AuditWriter, hits: list[ScreeningHit], parties: list[Counterparty]
) -> list[HitRef]:
    """Store new hits with an audit event each: ids and score only, never a name."""
    owner = {(p.kind, p.id): p.organisation for p in parties}
    refs = []
    for hit in uow.hits.add_new(hits):
        assert hit.id is not None
        ref = _ref(hit, HitStatus.OPEN, owner.get((hit.counterparty_kind, hit.counterparty_id)))
        audit.record("screening.hit_raised", "screening_hit", str(hit.id), _audit_details(ref))
        refs.append(ref)
    return refs


def _audit_details(ref: HitRef) -> dict[str, object]:
    return ref.model_dump(mode="json", exclude={"hit", "status"})


def _ref(hit: ScreeningHit, status: HitStatus, organisation: str | None) -> HitRef:
    assert hit.id is not None
    return HitRef(
        hit=hit.id,
        counterparty_kind=hit.counterparty_kind,
        counterparty_id=hit.counterparty_id,
        organisation=organisation,
        watchlist=hit.watchlist_id,
        entity_id=hit.entity_id,
        score=hit.score,
        status=status,
    )


def load_watchlist(
    rt: Runtime, path: Path, *, skip_bad: bool = False, watchlist_id: str | None = None
) -> LoadReport:
    """Load or update a watchlist from FtM JSON lines, then screen what changed.

    Bad lines refuse the whole file unless ``skip_bad``; then they are reported with
    their line numbers and the rest is loaded.
    """
    rt.require(Permission.SCREEN)
    from pfund.io.ftm import read_ftm  # here: followthemoney costs a second to import

    read = read_ftm(path, skip_bad=skip_bad)
    wid = _checked_id(watchlist_id or watchlist_id_for(path), path)
    kept, refused = _unique_entities(read.entities, path.name)
    if refused and not skip_bad:
        raise InvalidInput(f"{path.name}: {len(refused)} bad entities; nothing was read", refused)
    problems = [*read.problems, *refused]
    hashed = {entity.id: (entity, entity_hash(entity)) for entity in kept}
    at = datetime.now(UTC)
    with rt.uow() as uow:
        before = uow.watchlists.hashes(wid)
        added = [i for i in hashed if i not in before]
        changed = [i for i in hashed if i in before and before[i] != hashed[i][1]]
        removed = sorted(set(before) - set(hashed))
        digest = watchlist_hash(d for _, d in hashed.values())
        uow.watchlists.save(
            Watchlist(
                id=wid,
                name=wid,
                source=str(path),
                loaded_at=at,
                content_hash=digest,
                entity_count=len(hashed),
            )
        )
        fresh = [hashed[i] for i in (*added, *changed)]
        uow.watchlists.remove_entities(wid, [*changed, *removed])
        uow.watchlists.add_entities(wid, fresh)
        audit = AuditWriter(uow, rt.actor)
        audit.record(
            "watchlist.loaded",
            "watchlist",
            wid,
            {
                "content_hash": digest,
                "entities": len(hashed),
                "added": len(added),
                "changed": len(changed),
                "removed": len(removed),
                "skipped_lines": [p.row for p in problems if p.row],
            },
        )
        parties = counterparties(uow)
        new = _store_hits(uow, audit, screen_counterparties(wid, fresh, parties, at), parties)
        left_open = blocking_refs(uow, entities=[(wid, i) for i in removed])
        uow.commit()
    return LoadReport(
        watchlist=wid,
        content_hash=digest,
        entities=len(hashed),
        added=len(added),
        changed=len(changed),
        removed=len(removed),
        unchanged=len(hashed) - len(added) - len(changed),
        skipped_lines=[str(p) for p in problems],
        warnings=[str(w) for w in read.warnings],
        new_hits=new,
        removed_with_open_hits=left_open,
    )


def _unique_entities(
    entities: Sequence[WatchlistEntity], source: str
) -> tuple[list[WatchlistEntity], list[Problem]]:
    """The first entity of each id (at most 200 characters); a problem for the rest."""
    kept: dict[str, WatchlistEntity] = {}
    problems = []
    for entity in entities:
        if len(entity.id) > MAX_ENTITY_ID:
            reason = f"entity id '{entity.id[:40]}...' is longer than {MAX_ENTITY_ID} characters"
        elif entity.id in kept:
            reason = f"entity id '{entity.id}' appears again; the first one is kept"
        else:
            kept[entity.id] = entity
            continue
        problems.append(Problem(reason, file=source, field="id"))
    return list(kept.values()), problems


def _checked_id(wid: str, path: Path) -> str:
    if not re.fullmatch(ID_PATTERN, wid) or len(wid) > 64:
        raise InvalidInput(
            f"cannot name a watchlist after {path.name}",
            [Problem(f"'{wid}' is not a valid watchlist id", file=path.name, field="id")],
        )
    return wid


def screen_all(rt: Runtime) -> ScreenReport:
    """Screen every stored organisation and person against every stored watchlist."""
    rt.require(Permission.SCREEN)
    at = datetime.now(UTC)
    with rt.uow() as uow:
        parties = counterparties(uow)
        audit = AuditWriter(uow, rt.actor)
        hits: list[ScreeningHit] = []
        entities = 0
        for watchlist in uow.watchlists.list():
            index, digests = _stored_index(uow, watchlist)
            entities += len(digests)
            hits += _screen_with(index, digests, watchlist.id, parties, at)
        new = _store_hits(uow, audit, hits, parties)
        orgs = sum(p.kind is CounterpartyKind.ORGANISATION for p in parties)
        audit.record(
            "screening.run",
            "screening",
            "all",
            {"counterparties": len(parties), "entities": entities, "new_hits": len(new)},
        )
        after_screening(uow, audit, "screening run")
        uow.commit()
    return ScreenReport(
        organisations=orgs,
        people=len(parties) - orgs,
        entities=entities,
        hits=len(hits),
        new_hits=new,
    )


def blocking_refs(
    uow: UnitOfWork,
    *,
    organisations: Iterable[str] | None = None,
    contacts: Iterable[str] = (),
    entities: Iterable[tuple[str, str]] | None = None,
) -> list[HitRef]:
    """Open or confirmed hits of these organisations, their people and the contacts
    named; or of these listed entities."""
    people = {p.id: p.organisation for p in uow.people.list()}
    pairs = None
    if organisations is not None:
        orgs = set(organisations)
        pairs = [(CounterpartyKind.ORGANISATION.value, o) for o in orgs]
        pairs += [(CounterpartyKind.PERSON.value, p) for p, o in people.items() if o in orgs]
        pairs += [(CounterpartyKind.PERSON.value, p) for p in contacts]
    found = uow.hits.with_status(statuses=BLOCKING, counterparties=pairs, entities=entities)
    return [_ref(hit, status, _owner(hit, people)) for hit, status in found]


def _owner(hit: ScreeningHit, people: dict[str, str | None]) -> str | None:
    if hit.counterparty_kind is CounterpartyKind.ORGANISATION:
        return hit.counterparty_id
    return people.get(hit.counterparty_id)


def watchlists(rt: Runtime) -> list[WatchlistView]:
    """The loaded watchlists, when each was loaded, and how many hits await review."""
    with rt.uow() as uow:
        lists = uow.watchlists.list()
        waiting = uow.hits.count_by_watchlist([HitStatus.OPEN])
    return [
        WatchlistView(
            id=w.id,
            source=w.source,
            loaded_at=w.loaded_at,
            content_hash=w.content_hash,
            entities=w.entity_count,
            open_hits=waiting.get(w.id, 0),
        )
        for w in lists
    ]
