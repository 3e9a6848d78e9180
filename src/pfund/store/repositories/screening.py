"""Watchlists and their entities, screening hits with their decisions, company outreach.

Decisions are only ever inserted: a hit's status is read from its latest decision, so
the whole review history stays in the table.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Row, Select, delete, false, func, or_, select, update
from sqlalchemy.orm import Session

from pfund.domain.compliance import (
    STATUS_AFTER,
    HitDecision,
    HitDecisionKind,
    HitStatus,
    OutreachEntry,
    ScreeningHit,
    Watchlist,
)
from pfund.domain.watchlist import WatchlistEntity
from pfund.store.crypto import FieldCipher
from pfund.store.repositories._rows import RowDict, insert_many, table, to_utc
from pfund.store.tables import (
    HitDecisionRow,
    OutreachRow,
    ScreeningHitRow,
    WatchlistEntityRow,
    WatchlistRow,
)

NAME_FIELDS = ("names", "aliases", "weak_aliases")
IDENTIFIER_FIELDS = ("inn", "ogrn", "registration_numbers")
EXTRA_FIELDS = ("datasets", "topics", "problems")


def _aware(row: Row[Any], *keys: str) -> RowDict:
    """The row as a dict with its times in aware UTC (SQLite returns them naive)."""
    values = dict(row._mapping)
    return values | {key: to_utc(values[key]) for key in keys}


def entity_row(watchlist_id: str, entity: WatchlistEntity, content_hash: str) -> RowDict:
    """The entity flattened into JSON groups: names, identifiers, and the rest."""
    data = entity.model_dump(mode="json")
    return {
        "watchlist_id": watchlist_id,
        "entity_id": entity.id,
        "schema_name": entity.schema_name,
        "names": {key: data[key] for key in NAME_FIELDS},
        "identifiers": {key: data[key] for key in IDENTIFIER_FIELDS},
        "birth_dates": data["birth_dates"],
        "countries": data["countries"],
        "extra": {key: data[key] for key in EXTRA_FIELDS},
        "content_hash": content_hash,
    }


def build_entity(row: Row[Any]) -> WatchlistEntity:
    return WatchlistEntity(
        id=row.entity_id,
        schema_name=row.schema_name,
        birth_dates=tuple(row.birth_dates),
        countries=tuple(row.countries),
        **{key: tuple(values) for key, values in row.names.items()},
        **{key: tuple(values) for key, values in row.identifiers.items()},
        **{key: tuple(values) for key, values in row.extra.items()},
    )


class WatchlistRepository:
    """Watchlists and their entities; an update replaces changed entities by id."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, watchlist_id: str) -> Watchlist | None:
        lists = table(WatchlistRow)
        row = self.session.execute(select(lists).where(lists.c.id == watchlist_id)).first()
        return Watchlist.model_validate(_aware(row, "loaded_at")) if row else None

    def list(self) -> builtins.list[Watchlist]:
        lists = table(WatchlistRow)
        rows = self.session.execute(select(lists).order_by(lists.c.id))
        return [Watchlist.model_validate(_aware(row, "loaded_at")) for row in rows]

    def save(self, watchlist: Watchlist) -> None:
        """Insert the watchlist, or replace its name, source, time, hash and count."""
        lists = table(WatchlistRow)
        values = watchlist.model_dump() | {"loaded_at": to_utc(watchlist.loaded_at)}
        if self.get(watchlist.id) is None:
            insert_many(self.session, WatchlistRow, [values])
        else:
            self.session.execute(update(lists).where(lists.c.id == watchlist.id).values(values))

    def hashes(self, watchlist_id: str) -> dict[str, str]:
        """Each stored entity's content hash by entity id: what an update is diffed against."""
        rows = table(WatchlistEntityRow)
        query = select(rows.c.entity_id, rows.c.content_hash).where(
            rows.c.watchlist_id == watchlist_id
        )
        return {row.entity_id: row.content_hash for row in self.session.execute(query)}

    def add_entities(
        self, watchlist_id: str, entities: Sequence[tuple[WatchlistEntity, str]]
    ) -> None:
        """Store (entity, content hash) pairs; remove older versions first."""
        rows = [entity_row(watchlist_id, entity, digest) for entity, digest in entities]
        insert_many(self.session, WatchlistEntityRow, rows)

    def remove_entities(self, watchlist_id: str, entity_ids: Iterable[str]) -> None:
        rows, ids = table(WatchlistEntityRow), builtins.list(entity_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            self.session.execute(
                delete(rows).where(rows.c.watchlist_id == watchlist_id, rows.c.entity_id.in_(chunk))
            )

    def entities(
        self, watchlist_id: str, entity_ids: Iterable[str] | None = None
    ) -> builtins.list[tuple[WatchlistEntity, str]]:
        """(entity, content hash) pairs of one watchlist, all or only the ids given."""
        rows = table(WatchlistEntityRow)
        query = select(rows).where(rows.c.watchlist_id == watchlist_id).order_by(rows.c.entity_id)
        if entity_ids is not None:
            query = query.where(rows.c.entity_id.in_(builtins.list(entity_ids)))
        return [(build_entity(row), row.content_hash) for row in self.session.execute(query)]


class HitRepository:
    """Screening hits and their append-only decisions.

    What a hit matched and why name a protected counterparty, so both are sealed at
    rest, bound to the hit's counterparty and listed entity.
    """

    def __init__(self, session: Session, cipher: FieldCipher) -> None:
        self.session = session
        self.cipher = cipher

    def _open(self, row: Row[Any]) -> RowDict:
        values = self.cipher.open("screening_hits", row._mapping)
        return values | {"created_at": to_utc(values["created_at"])}

    def add_new(self, hits: Iterable[ScreeningHit]) -> builtins.list[ScreeningHit]:
        """Store the hits not already stored for the same pair and entity version.

        Returns the stored ones with their ids; a repeat screening adds nothing.
        """
        added = []
        for hit in hits:
            if self._find(hit) is not None:
                continue
            values = hit.model_dump(exclude={"id"}) | {"created_at": to_utc(hit.created_at)}
            values["counterparty_kind"] = hit.counterparty_kind.value
            values = self.cipher.seal("screening_hits", values)
            hit_id = self.session.execute(
                table(ScreeningHitRow)
                .insert()
                .values(values)
                .returning(table(ScreeningHitRow).c.id)
            ).scalar_one()
            added.append(hit.model_copy(update={"id": hit_id}))
        return added

    def _find(self, hit: ScreeningHit) -> int | None:
        hits = table(ScreeningHitRow)
        query = select(hits.c.id).where(
            hits.c.counterparty_kind == hit.counterparty_kind.value,
            hits.c.counterparty_id == hit.counterparty_id,
            hits.c.watchlist_id == hit.watchlist_id,
            hits.c.entity_id == hit.entity_id,
            hits.c.entity_hash == hit.entity_hash,
        )
        return self.session.scalar(query)

    def get(self, hit_id: int) -> ScreeningHit | None:
        hits = table(ScreeningHitRow)
        row = self.session.execute(select(hits).where(hits.c.id == hit_id)).first()
        return ScreeningHit.model_validate(self._open(row)) if row else None

    def _with_last_decision(self) -> Select[Any]:
        """Every hit with its latest decision (``NULL`` while open), in one query."""
        hits, decisions = table(ScreeningHitRow), table(HitDecisionRow)
        latest = (
            select(decisions.c.hit_id, func.max(decisions.c.id).label("last"))
            .group_by(decisions.c.hit_id)
            .subquery()
        )
        last = decisions.alias("last_decision")
        return (
            select(hits, last.c.decision)
            .outerjoin(latest, latest.c.hit_id == hits.c.id)
            .outerjoin(last, last.c.id == latest.c.last)
        )

    def _hit_and_status(self, row: Row[Any]) -> tuple[ScreeningHit, HitStatus]:
        values = self._open(row)
        decision = values.pop("decision")
        status = STATUS_AFTER[HitDecisionKind(decision)] if decision else HitStatus.OPEN
        return ScreeningHit.model_validate(values), status

    def with_status(
        self,
        *,
        statuses: Iterable[HitStatus] | None = None,
        counterparties: Iterable[tuple[str, str]] | None = None,
        entities: Iterable[tuple[str, str]] | None = None,
    ) -> builtins.list[tuple[ScreeningHit, HitStatus]]:
        """Hits with their status, by id; optionally only some statuses, counterparties
        (kind, id) or listed entities (watchlist id, entity id)."""
        hits = table(ScreeningHitRow)
        query = self._with_last_decision().order_by(hits.c.id)
        out = []
        wanted = set(statuses) if statuses is not None else None
        pairs = set(counterparties) if counterparties is not None else None
        listed = set(entities) if entities is not None else None
        if pairs is not None:
            query = query.where(hits.c.counterparty_id.in_(sorted({i for _, i in pairs})))
        if listed is not None:
            query = query.where(hits.c.entity_id.in_(sorted({i for _, i in listed})))
        for row in self.session.execute(query):
            hit, status = self._hit_and_status(row)
            if wanted is not None and status not in wanted:
                continue
            if (
                pairs is not None
                and (hit.counterparty_kind.value, hit.counterparty_id) not in pairs
            ):
                continue
            if listed is not None and (hit.watchlist_id, hit.entity_id) not in listed:
                continue
            out.append((hit, status))
        return out

    @staticmethod
    def _in_status(query: Select[Any], statuses: Iterable[HitStatus] | None) -> Select[Any]:
        """``query`` (hits with their latest decision) kept to hits in ``statuses``."""
        if statuses is None:
            return query
        wanted, last = set(statuses), query.selected_columns.decision
        kinds = [k.value for k, status in STATUS_AFTER.items() if status in wanted]
        held = [last.in_(kinds)] if kinds else []
        held += [last.is_(None)] if HitStatus.OPEN in wanted else []
        return query.where(or_(*held) if held else false())

    def count_by_watchlist(self, statuses: Iterable[HitStatus] | None = None) -> dict[str, int]:
        """How many hits (in ``statuses``) each watchlist raised, counted by the database."""
        found = self._in_status(self._with_last_decision(), statuses).subquery()
        query = select(found.c.watchlist_id, func.count()).group_by(found.c.watchlist_id)
        return {str(row[0]): int(row[1]) for row in self.session.execute(query)}

    def queue(
        self,
        *,
        statuses: Iterable[HitStatus] | None = None,
        watchlist: str | None = None,
        kind: str | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> tuple[int, builtins.list[tuple[ScreeningHit, HitStatus]]]:
        """How many hits pass the filters, and those from ``offset`` (at most ``limit``),
        highest score first: filtered, counted and paged by the database, two queries
        whatever the number of hits. ``watchlist`` and ``kind`` ignore case."""
        hits = table(ScreeningHitRow)
        query = self._in_status(self._with_last_decision(), statuses)
        if watchlist:
            query = query.where(func.lower(hits.c.watchlist_id) == watchlist.lower())
        if kind:
            query = query.where(func.lower(hits.c.counterparty_kind) == kind.lower())
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        page = query.order_by(hits.c.score.desc(), hits.c.id).offset(offset).limit(limit)
        return total, [self._hit_and_status(row) for row in self.session.execute(page)]

    def decide(self, decision: HitDecision) -> None:
        """Append a decision; earlier ones stay as they were."""
        values = decision.model_dump() | {
            "decision": decision.decision.value,
            "at": to_utc(decision.at),
        }
        insert_many(self.session, HitDecisionRow, [values])

    def decisions(self, hit_id: int) -> builtins.list[HitDecision]:
        return self.decisions_of([hit_id]).get(hit_id, [])

    def decisions_of(self, hit_ids: Iterable[int]) -> dict[int, builtins.list[HitDecision]]:
        """The decisions on each of ``hit_ids``, oldest first, in one query (hits without
        one are left out)."""
        rows, ids = table(HitDecisionRow), sorted(set(hit_ids))
        query = select(rows).where(rows.c.hit_id.in_(ids)).order_by(rows.c.hit_id, rows.c.id)
        found: dict[int, builtins.list[HitDecision]] = {}
        for row in self.session.execute(query) if ids else ():
            values = {k: v for k, v in _aware(row, "at").items() if k != "id"}
            found.setdefault(row.hit_id, []).append(HitDecision.model_validate(values))
        return found


class OutreachRepository:
    """The company outreach log, in the order contacts happened.

    The note is sealed bound to the entry's id, which the database gives on insert: the
    entry is inserted with an empty note and the sealed note written right after.
    """

    def __init__(self, session: Session, cipher: FieldCipher) -> None:
        self.session = session
        self.cipher = cipher

    def add(self, entry: OutreachEntry) -> int:
        values = entry.model_dump(exclude={"id"}) | {"outcome": entry.outcome.value}
        rows = table(OutreachRow)
        entry_id: int = self.session.execute(
            rows.insert().values(values | {"note": ""}).returning(rows.c.id)
        ).scalar_one()
        if entry.note:
            sealed = self.cipher.seal("outreach", {"id": entry_id, "note": entry.note})
            self.session.execute(
                update(rows).where(rows.c.id == entry_id).values(note=sealed["note"])
            )
        return entry_id

    def list(self, organisation_id: str | None = None) -> builtins.list[OutreachEntry]:
        rows = table(OutreachRow)
        query = select(rows).order_by(rows.c.on, rows.c.id)
        if organisation_id is not None:
            query = query.where(rows.c.organisation_id == organisation_id)
        return [
            OutreachEntry.model_validate(values)
            for values in self.cipher.open_all("outreach", self.session.execute(query))
        ]
