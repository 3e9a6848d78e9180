"""Which rows the audit chain vouches for, their canonical form, and who changed them.

:data:`COVERED` is the registry: every table whose rows decide where money goes (the
ledger, tranches and what gates them, conditions and their history, screening hits and
their review decisions, the vetting of counterparties, projects), each with the label
people read and the few named, never protected, fields an event keeps beside the row's
digest so that ``audit verify`` can say *what* changed.

A unit of work's session is tracked (:func:`track_changes`): every INSERT, UPDATE or
DELETE it sends to a covered table adds the keys of the rows it touched to the session,
whoever wrote the statement. At commit the audit writer digests the new state of those
rows into the transaction's events; a commit that changed covered rows without any audit
event is refused, so a service cannot forget to account for what it changed. Statements
written as raw SQL text are not seen: only this code's own constructs are.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, event, func, select, tuple_
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql import Delete, Insert, Update

from pfund.domain.audit import RowState, row_digest, utc
from pfund.store.crypto import is_sealed
from pfund.store.tables import metadata

CHANGED = "pfund.audit.changed"
UNTRACKED = "pfund.audit.untracked"
SEAL = "pfund.audit.seal"
PENDING = "pfund.audit.pending"
REQUIRE_AUDIT = "pfund.audit.required"

Owner = Callable[[Mapping[str, Any]], tuple[str, str] | None]
RowKey = tuple[str, tuple[Any, ...]]


@dataclass(frozen=True)
class Covered:
    """One covered table: how people call its rows, what an event shows of them, and
    which audit record (type, id) a row belongs to, so its state joins that event."""

    label: str
    fields: tuple[str, ...]
    owner: Owner


def _by(record_type: str, column: str) -> Owner:
    def owner(row: Mapping[str, Any]) -> tuple[str, str] | None:
        value = row.get(column)
        return (record_type, str(value)) if value is not None else None

    return owner


def _set_owner(row: Mapping[str, Any]) -> tuple[str, str] | None:
    """A data set's row belongs to its import event (``name@sha256[:12]``)."""
    if row.get("name") is None or row.get("sha256") is None:
        return None
    return ("indicator_set", f"{row['name']}@{str(row['sha256'])[:12]}")


def _no_owner(_row: Mapping[str, Any]) -> tuple[str, str] | None:
    """The transaction's last event takes the row (a value joins its set's import)."""
    return None


COVERED: dict[str, Covered] = {
    "projects": Covered("project", ("status", "stage"), _by("project", "id")),
    "tranches": Covered(
        "tranche", ("status", "amount_minor", "currency", "year", "stage"), _by("tranche", "id")
    ),
    "tranche_conditions": Covered(
        "tranche condition", ("tranche_id", "condition"), _by("tranche", "tranche_id")
    ),
    "ledger_entries": Covered(
        "ledger entry",
        ("debit", "credit", "amount_minor", "currency", "tranche_id", "contributor"),
        _by("tranche", "tranche_id"),
    ),
    # a rate sets what a commitment or payment in another currency costs the fund
    "exchange_rates": Covered(
        "exchange rate", ("base", "quote", "day", "rate"), _by("rates", "file_sha256")
    ),
    "conditions": Covered("condition", ("status", "status_since"), _by("condition", "code")),
    "condition_changes": Covered(
        "condition change", ("code", "old", "new", "on"), _by("condition", "code")
    ),
    "stage_conditions": Covered(
        "stage condition", ("stage_number", "condition"), _by("stage", "stage_number")
    ),
    "screening_hits": Covered(
        "screening hit", ("counterparty_kind", "counterparty_id"), _by("screening_hit", "id")
    ),
    "hit_decisions": Covered(
        "hit decision", ("hit_id", "decision"), _by("screening_hit", "hit_id")
    ),
    "vetting_items": Covered(
        "vetting item",
        ("organisation_id", "criterion", "met"),
        _by("organisation", "organisation_id"),
    ),
    # Results: what a project promised and what its partner reported decide payments by
    # results, so they are vouched for like money. Evidence files are addressed by the
    # hash of their content; their link to a report is covered.
    "result_indicators": Covered(
        "indicator", ("code", "unit", "baseline", "outcome"), _by("project", "project_id")
    ),
    "result_targets": Covered(
        "indicator target", ("code", "period", "value"), _by("project", "project_id")
    ),
    "result_reports": Covered(
        "report", ("project_id", "period", "due_on", "submitted_at"), _by("report", "id")
    ),
    "result_values": Covered(
        "reported value", ("indicator", "region", "value", "unit"), _by("report", "report_id")
    ),
    "report_evidence": Covered("report evidence", ("sha256",), _by("report", "report_id")),
    # What a finished project really cost: it moves every later appraisal of its area.
    "project_outturns": Covered("outturn", ("year", "cost"), _by("project", "project_id")),
    # Verification and payment by results: the units a report lists, the recorded draw,
    # what was recounted and the formula linking a tranche to an indicator set the amount
    # paid, so they are vouched for like the ledger.
    "result_units": Covered(
        "reported unit", ("indicator", "unit_id", "stratum", "reported"), _by("report", "report_id")
    ),
    "result_verifications": Covered(
        "verification",
        ("report_id", "indicator", "draw", "status", "result"),
        _by("verification", "id"),
    ),
    "result_findings": Covered(
        "finding", ("unit_id", "recounted"), _by("verification", "verification_id")
    ),
    "grievances": Covered(
        "grievance",
        ("status", "category", "subject_kind", "subject_id", "holding"),
        _by("grievance", "id"),
    ),
    "grievance_events": Covered(
        "grievance step", ("kind", "status"), _by("grievance", "grievance_id")
    ),
    "grievance_files": Covered("grievance file", ("sha256",), _by("grievance", "grievance_id")),
    "tranche_result_links": Covered(
        "tranche result link", ("indicator", "period", "formula"), _by("tranche", "tranche_id")
    ),
    # The joint committee: who may vote and how each seat voted decide what is approved.
    "committee_seats": Covered(
        "committee seat",
        ("label", "side", "contributor", "suspended"),
        _by("committee", "committee"),
    ),
    "committee_conflicts": Covered(
        "committee conflict", ("item_id", "seat_id"), _by("committee_item", "item_id")
    ),
    "committee_votes": Covered(
        "committee vote", ("item_id", "seat_id", "vote"), _by("committee_item", "item_id")
    ),
    "committee_items": Covered(
        "committee item", ("kind", "status", "run_id", "record_id"), _by("committee_item", "id")
    ),
    # Sanctions licences decide whether a payment to a sanctioned jurisdiction is lawful,
    # and the uses recorded with each payment count against a licence's cap.
    "licences": Covered(
        "licence",
        ("kind", "valid_from", "valid_until", "max_amount_minor", "revoked_on"),
        _by("licence", "id"),
    ),
    "licence_uses": Covered(
        "licence use", ("licence_id", "tranche_id", "amount_minor"), _by("tranche", "tranche_id")
    ),
    # Grant agreements: the amount is the ceiling of what a project is paid, and each
    # version row records a change of it (amendments, refunds, cancellation).
    "agreements": Covered(
        "agreement", ("project_id", "status", "version", "amount_minor"), _by("agreement", "id")
    ),
    "agreement_versions": Covered(
        "agreement version", ("version", "kind"), _by("agreement", "agreement_id")
    ),
    # The companies' return: which tracker list said what, and each company's stage on
    # its way back, which the sanctions-relief phases gate like money.
    "company_lists": Covered(
        "company list", ("tracker", "as_of", "sha256", "rows"), _by("company_list", "id")
    ),
    "company_returns": Covered(
        "company return",
        ("list_id", "tracker_status", "needs_stage", "stage"),
        _by("organisation", "organisation_id"),
    ),
    # Donor agreements: what each donor promised, and the receipts matched against it
    # (their conversions decide what the ledger received and what the fee took).
    "donor_agreements": Covered(
        "donor agreement",
        ("contributor", "currency", "total_minor", "admin_fee"),
        _by("donor_agreement", "id"),
    ),
    "donor_receipts": Covered(
        "donor receipt",
        ("agreement_id", "number", "amount_minor", "fund_amount_minor", "fee_minor", "status"),
        _by("donor_agreement", "agreement_id"),
    ),
    "donor_receipt_reversals": Covered(
        "donor receipt reversal",
        ("agreement_id", "number", "ledger_entry_id"),
        _by("donor_agreement", "agreement_id"),
    ),
    # A project's loan or guarantee: its terms set what comes back and what the fund may
    # have to pay, and what the appraisal and the optimiser count as its cost.
    "loans": Covered(
        "loan",
        ("principal_minor", "currency", "annual_rate", "instalments", "disbursed_on"),
        _by("project", "project_id"),
    ),
    "guarantees": Covered(
        "guarantee",
        ("exposure_minor", "currency", "call_probability", "loss_given_call", "valid_until"),
        _by("project", "project_id"),
    ),
    # Its rule turns the votes into a decision: an edited quorum or threshold would too.
    "committees": Covered("committee", ("code",), _by("committee", "code")),
    # The scorecard: indicator figures and the condition changes proposed from them move
    # conditions, and conditions gate money, so the data sets, their values and the
    # proposals are vouched for like the conditions themselves.
    "indicator_sets": Covered("indicator data set", ("name", "version", "sha256"), _set_owner),
    "indicator_values": Covered(
        "indicator value", ("set_id", "area", "indicator", "year", "value"), _no_owner
    ),
    "condition_proposals": Covered(
        "condition proposal", ("condition", "old", "new", "status"), _by("condition", "condition")
    ),
}

LABELS = {name: covered.label for name, covered in COVERED.items()}


def covered_tables() -> list[Table]:
    return [metadata.tables[name] for name in COVERED]


def row_key(table: Table, values: Iterable[Any]) -> str:
    """``table:pk`` (parts of a composite key joined by ``/``): how events name a row."""
    return f"{table.name}:" + "/".join(str(v) for v in values)


def canonical_value(value: Any) -> Any:
    """One JSON value per stored value, the same whichever database gave it back."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if value == value else "NaN"
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return "0" if text in {"-0", "0"} else text
    if isinstance(value, datetime):
        return utc(value).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return "b64:" + base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Mapping):
        return {str(k): canonical_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [canonical_value(v) for v in value]
    return str(value)


SEALED_VALUE = "<sealed>"

# Columns added to covered tables after the keyed chain began, with the value their
# migration gave every existing row. While a row holds that value the column is left out
# of its digest, so an upgrade does not make every row the log vouches for look edited
# behind its back; any other value is digested like every column (an edit is caught).
ADDED_LATER: dict[str, dict[str, Any]] = {
    "projects": {"description_ru": "", "version": 1},  # migrations 0014, 0015
    "conditions": {"definition_ru": ""},  # migration 0014
    # migration 0025: a tranche or entry in the fund's own currency
    "tranches": {
        "original_amount_minor": 0,
        "original_currency": "",
        "rate": "",
        "rate_date": "",
        "rate_source": "",
    },
    "ledger_entries": {"fx_amount_minor": 0, "fx_currency": "", "fx_rate": "", "fx_rate_date": ""},
}


def state_of(key: bytes, table: Table, row: Mapping[str, Any]) -> RowState:
    """The row's keyed digest over every column, and its named fields.

    An encrypted protected value counts as the fixed text ``<sealed>``: its ciphertext
    changes with every rotation and restore (a fresh nonce), and AES-GCM already refuses
    an edited one, bound to its table, column and row (``pfund.store.crypto``). A sealed
    cell replaced by clear text, or the reverse, still changes the digest.
    """
    later = ADDED_LATER.get(table.name, {})
    canonical = {
        c.name: SEALED_VALUE if is_sealed(row[c.name]) else canonical_value(row[c.name])
        for c in table.columns
        if c.name not in later or row[c.name] != later[c.name]
    }
    fields = {f: canonical[f] for f in COVERED[table.name].fields}
    return RowState(digest=row_digest(key, table.name, canonical), fields=fields)


def owner_of(
    table: Table, row: Mapping[str, Any] | None, pk: tuple[Any, ...]
) -> tuple[str, str] | None:
    """The audit record a row belongs to (a ledger entry to its tranche, and so on)."""
    if row is None:
        row = dict(zip([c.name for c in table.primary_key.columns], pk, strict=True))
    return COVERED[table.name].owner(row)


def current_states(session: Session, key: bytes) -> dict[str, RowState]:
    """The state of every covered row present now (what ``audit verify`` compares)."""
    out: dict[str, RowState] = {}
    for table in covered_tables():
        pk = list(table.primary_key.columns)
        for found in session.execute(select(table).order_by(*pk)).mappings():
            row = dict(found)
            out[row_key(table, [row[c.name] for c in pk])] = state_of(key, table, row)
    return out


def states_of(
    session: Session, key: bytes, wanted: Iterable[RowKey]
) -> dict[str, tuple[RowState | None, tuple[str, str] | None]]:
    """The new state of each wanted row (None when it is gone) and the record it belongs to."""
    by_table: dict[str, set[tuple[Any, ...]]] = {}
    for name, pk in wanted:
        by_table.setdefault(name, set()).add(pk)
    out: dict[str, tuple[RowState | None, tuple[str, str] | None]] = {}
    for name, pks in by_table.items():
        table = metadata.tables[name]
        cols = list(table.primary_key.columns)
        found: dict[tuple[Any, ...], Mapping[str, Any]] = {}
        ordered = sorted(pks, key=lambda p: tuple(str(v) for v in p))
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            where = (
                cols[0].in_([p[0] for p in chunk]) if len(cols) == 1 else tuple_(*cols).in_(chunk)
            )
            for mapping in session.execute(select(table).where(where)).mappings():
                found[tuple(mapping[c.name] for c in cols)] = dict(mapping)
        for pk in ordered:
            row = found.get(pk)
            state = state_of(key, table, row) if row is not None else None
            out[row_key(table, pk)] = (state, owner_of(table, row, pk))
    return out


def row_keys_of_all(session: Session) -> set[RowKey]:
    """The keys of every covered row present now (for the one-time seal of old stores)."""
    out: set[RowKey] = set()
    for table in covered_tables():
        cols = list(table.primary_key.columns)
        out.update((table.name, tuple(row)) for row in session.execute(select(*cols)))
    return out


def changed_rows(session: Session) -> set[RowKey]:
    """The covered rows this session changed since its last commit."""
    changed: set[RowKey] = session.info.setdefault(CHANGED, set())
    return changed


TRACKED = "pfund.audit.tracked"


def track_changes(session: Session, *, require_audit: bool = True) -> None:
    """Follow every write this session makes to a covered table (see the module doc).

    The listeners are registered once on the Session class (below) and act only on
    sessions marked here: listeners added per session cost more than the whole read of
    a cached public page.
    """
    session.info[TRACKED] = True
    session.info[REQUIRE_AUDIT] = require_audit


class UnauditedChange(RuntimeError):
    """Covered rows were changed in a transaction that recorded no audit event."""


def _before_commit(session: Session) -> None:
    if not session.info.get(TRACKED):
        return
    seal = session.info.get(SEAL)
    if seal is not None:
        seal(session)
        return
    changed = session.info.pop(CHANGED, None)
    if changed and session.info.get(REQUIRE_AUDIT, True):
        names = ", ".join(sorted(row_key(metadata.tables[t], pk) for t, pk in changed)[:5])
        raise UnauditedChange(
            f"{len(changed)} covered row(s) changed without an audit event ({names}); "
            "record the use case with AuditWriter in the same unit of work"
        )


def _forget(session: Session) -> None:
    for name in (CHANGED, SEAL, PENDING):
        session.info.pop(name, None)


def _on_execute(state: ORMExecuteState) -> Any:
    statement = state.statement
    if not isinstance(statement, Insert | Update | Delete):
        return None
    if not state.session.info.get(TRACKED):
        return None
    table = statement.table
    if not isinstance(table, Table) or table.name not in COVERED:
        return None
    session = state.session
    if session.info.get(UNTRACKED):
        return None
    changed = changed_rows(session)
    cols = list(table.primary_key.columns)
    params = state.parameters
    param_rows: list[Mapping[str, Any]] = []
    if isinstance(params, list | tuple):
        param_rows = list(params)
    elif isinstance(params, Mapping) and params:
        param_rows = [params]
    if isinstance(statement, Update | Delete):
        query = select(*cols).select_from(table)
        if statement.whereclause is not None:
            query = query.where(statement.whereclause)
        for bound in param_rows or [{}]:
            for row in session.execute(query, dict(bound)):
                changed.add((table.name, tuple(row)))
        return None
    if not param_rows:
        param_rows = [statement.compile(dialect=session.get_bind().dialect).params]
    names = [c.name for c in cols]
    if all(all(row.get(n) is not None for n in names) for row in param_rows):
        changed.update((table.name, tuple(row[n] for n in names)) for row in param_rows)
        return None
    # Ids the database assigns: what appeared above the highest id before the insert.
    (column,) = cols
    before = session.scalar(select(func.max(column))) or 0
    result = state.invoke_statement()
    if getattr(result, "returns_rows", False):  # the caller reads it after our query below
        result = result.freeze()()
    for (new_id,) in session.execute(select(column).where(column > before)):
        changed.add((table.name, (new_id,)))
    return result


event.listen(Session, "do_orm_execute", _on_execute)
event.listen(Session, "before_commit", _before_commit)
event.listen(Session, "after_rollback", _forget)
