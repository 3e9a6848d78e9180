"""The committee's tally, the cost of departing from the optimiser, and the record.

When the committee approves a portfolio run with a selection other than the one the
optimiser recommended, the departure has a price on paper: the value of the recommended
portfolio less the value of the approved one (both in the run's own recorded problem,
so later changes to the pipeline do not move it), and, for each project added or
dropped, what the explain machinery says forcing that one decision costs.

Closing an item stores its tally as a decision record (``CMT-0001``), with the rule
applied, the votes by seat label and the departure, and marks the item decided, in one
transaction with its audit event.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import numpy as np
from pydantic import BaseModel

from pfund.domain.account import Permission
from pfund.domain.decision import DecisionRecord
from pfund.domain.governance import ItemKind
from pfund.errors import Conflict
from pfund.portfolio import explain_all
from pfund.portfolio.infeasible import money
from pfund.services import gate
from pfund.services.analysis import solution_of
from pfund.services.audit import AuditWriter
from pfund.services.committee import ItemTally, _item, count, fund_currency
from pfund.services.problem_json import problem_from_json
from pfund.services.records import save_record
from pfund.services.runtime import Runtime
from pfund.store.unit_of_work import UnitOfWork


class DepartureLine(BaseModel):
    project: str
    change: str  # "added" (the optimiser left it out) or "dropped" (it chose it)
    value_lost: float | None
    sentence: str


class Departure(BaseModel):
    """What the committee's selection costs against the optimiser's recommendation."""

    run_id: str
    recommended: list[str]
    approved: list[str]
    added: list[str]
    dropped: list[str]
    recommended_value: float
    approved_value: float
    value_lost: float
    lines: list[DepartureLine]
    sentence: str


def departure_cost(
    record: DecisionRecord, approved: list[str], *, time_limit: float = 2.0
) -> Departure | None:
    """The cost of approving ``approved`` rather than the run's selection; None if equal."""
    problem = problem_from_json(record.inputs["problem"])
    recommended = list(record.result.get("selected", []))
    added = [p for p in approved if p not in recommended]
    dropped = [p for p in recommended if p not in approved]
    if not added and not dropped:
        return None
    chosen = set(approved)
    x = np.array([pid in chosen for pid in problem.ids], dtype=bool)
    value_r = record.objective if record.objective is not None else 0.0
    value_a = problem.portfolio_value(x)
    changed = [p for p in added + dropped if p in problem.ids]
    explained = explain_all(
        problem, solution_of(record, problem), time_limit=time_limit, only=changed
    )
    lines = [
        DepartureLine(
            project=e.project,
            change="added" if e.project in added else "dropped",
            value_lost=e.value_lost,
            sentence=e.sentence,
        )
        for e in explained
    ]
    lost = max(value_r - value_a, 0.0)
    return Departure(
        run_id=record.id,
        recommended=recommended,
        approved=list(approved),
        added=added,
        dropped=dropped,
        recommended_value=value_r,
        approved_value=value_a,
        value_lost=lost,
        lines=lines,
        sentence=_sentence(record.id, added, dropped, lost),
    )


def _sentence(run: str, added: list[str], dropped: list[str], lost: float) -> str:
    parts = []
    if added:
        parts.append(f"added {', '.join(added)}")
    if dropped:
        parts.append(f"dropped {', '.join(dropped)}")
    return (
        f"The committee departed from the optimiser's recommendation in {run} "
        f"({'; '.join(parts)}): the departure costs {money(lost)} of value."
    )


def _departure(
    uow: UnitOfWork, item_kind: ItemKind, run_id: str | None, projects: list[str]
) -> Departure | None:
    if item_kind is not ItemKind.PORTFOLIO or not run_id:
        return None
    record = uow.decisions.get(run_id)
    if record is None or record.status not in ("optimal", "feasible"):
        return None
    return departure_cost(record, projects)


def tally_item(rt: Runtime, item_id: int, *, on: date | None = None) -> ItemTally:
    """The tally as it stands (an open item) or as recorded (a decided one)."""
    rt.require(Permission.READ_INTERNAL)
    with rt.uow() as uow:
        item = _item(uow, item_id)
        if item.record_id:
            record = uow.decisions.get(item.record_id)
            assert record is not None
            known = {"item": item.model_dump(), "currency": fund_currency(uow)}
            return ItemTally.model_validate(record.result | known)
        lines, result = count(uow, item, on or gate.today())
        departure = _departure(uow, item.kind, item.run_id, item.projects)
        currency = fund_currency(uow)
    return ItemTally(
        item=item,
        votes=lines,
        tally=result,
        departure=departure.model_dump(mode="json") if departure else None,
        currency=currency,
    )


def close_item(rt: Runtime, item_id: int, *, on: date | None = None) -> tuple[ItemTally, str]:
    """Decide an open item: its tally becomes a decision record; the item is closed.

    Seats stand or not on ``on`` (today by default; the sample fund fixes a day)."""
    rt.require(Permission.APPROVE)
    day = on or gate.today()
    preview = tally_item(rt, item_id, on=day)
    if preview.item.status != "open":
        raise Conflict(f"item {item_id} is already {preview.item.status}")
    status = "approved" if preview.tally.passed else "rejected"
    decided = preview.model_copy(
        update={"item": preview.item.model_copy(update={"status": status})}
    )
    result: dict[str, Any] = decided.model_dump(mode="json")

    def close(uow: UnitOfWork, audit: AuditWriter) -> None:
        count_now, _ = count(uow, _item(uow, item_id), day)
        if count_now != preview.votes:
            raise Conflict(f"item {item_id}: votes changed while it was being closed; try again")
        record_id = uow.decisions.list(kind="committee", limit=1)[0].id
        if not uow.committees.decide_item(
            item_id, status=status, record_id=record_id, at=datetime.now(UTC)
        ):
            raise Conflict(f"item {item_id} was closed by someone else")
        audit.record(
            "committee.item_decided",
            "committee_item",
            str(item_id),
            {"outcome": preview.tally.outcome.value, "record": record_id},
        )

    record = save_record(
        rt,
        kind="committee",
        inputs={"item": item_id, "votes": result["votes"], "rule": result["tally"]["rule"]},
        parameters={"rule": result["tally"]["rule"], "kind": preview.item.kind.value},
        status=status,
        result=result,
        then=close,
    )
    return tally_item(rt, item_id), record.id


class PublicDecision(BaseModel):
    """A decided item as the public sees it: seat labels and votes, never a holder."""

    item: int
    kind: ItemKind
    title: str
    title_ru: str
    status: str
    decided_at: datetime | None
    record_id: str
    run_id: str | None
    projects: list[str]
    votes: list[dict[str, Any]]
    tally: dict[str, Any]
    departure: dict[str, Any] | None
    currency: str = "USD"  # of the donor weights


def public_decisions(rt: Runtime) -> list[PublicDecision]:
    """Every decided item, newest first, from its decision record."""
    rt.require(Permission.READ_PUBLIC)
    with rt.uow() as uow:
        decided = [i for i in uow.committees.items() if i["record_id"]]
        records = {i["id"]: uow.decisions.get(i["record_id"]) for i in decided}
        # A record closed before seats had a Russian label names its seats by label only.
        in_russian = {
            (c, s["label"]): s["label_ru"]
            for c in {i["committee"] for i in decided}
            for s in uow.committees.seats(c)
        }
        currency = fund_currency(uow)
    out = []
    for i in reversed(decided):
        record = records[i["id"]]
        if record is None:
            continue
        out.append(
            PublicDecision(
                item=i["id"],
                kind=ItemKind(i["kind"]),
                title=i["title"],
                title_ru=i["title_ru"],
                status=i["status"],
                decided_at=i["decided_at"],
                record_id=record.id,
                run_id=i["run_id"],
                projects=i["projects"],
                votes=[
                    _public_vote(v, in_russian.get((i["committee"], v.get("seat")), ""))
                    for v in record.result["votes"]
                ],
                tally=record.result["tally"],
                departure=record.result.get("departure"),
                currency=currency,
            )
        )
    return out


PUBLIC_VOTE_FIELDS = ("seat", "seat_ru", "side", "weight", "standing", "vote")


def _public_vote(line: dict[str, Any], seat_ru: str = "") -> dict[str, Any]:
    return {k: line.get(k) for k in PUBLIC_VOTE_FIELDS} | {
        "seat_ru": line.get("seat_ru") or seat_ru
    }
