"""Decision records come back exactly as written, on both databases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from pfund.domain.decision import DecisionRecord, inputs_hash
from pfund.store.unit_of_work import UnitOfWork


def make_record(record_id: str, *, kind: str = "optimize", minute: int = 0) -> DecisionRecord:
    inputs = {"ids": ["B", "A"], "value": [1.5, 2.25], "budget": {"2028": 10}}
    return DecisionRecord(
        id=record_id,
        kind=kind,
        created_at=datetime(2026, 11, 24, 12, minute, 5, 123456, tzinfo=UTC),
        actor="test:analyst",
        inputs_hash=inputs_hash(inputs),
        inputs=inputs,
        parameters={"time_limit": 10.0, "objective": "expected"},
        solver="highs",
        solver_version="1.16.0",
        seed=42,
        status="optimal",
        objective=3.75,
        gap=0.0,
        result={"selected": ["A", "B"], "greedy_objective": 3.5},
        pfund_version="0.1.0",
    )


def test_record_round_trips_exactly(make_uow: Callable[[], UnitOfWork]) -> None:
    record = make_record("RUN-1")
    with make_uow() as uow:
        uow.decisions.add(record)
        uow.commit()
    with make_uow() as uow:
        back = uow.decisions.get("RUN-1")
    assert back == record
    assert back is not None and inputs_hash(back.inputs) == record.inputs_hash


def test_records_list_newest_first_and_filter_by_kind(make_uow: Callable[[], UnitOfWork]) -> None:
    with make_uow() as uow:
        uow.decisions.add(make_record("RUN-1", minute=1))
        uow.decisions.add(make_record("RUN-2", minute=2))
        uow.decisions.add(make_record("RUN-3", kind="frontier", minute=3))
        uow.commit()
    with make_uow() as uow:
        assert [r.id for r in uow.decisions.list()] == ["RUN-3", "RUN-2", "RUN-1"]
        assert [r.id for r in uow.decisions.list(kind="optimize")] == ["RUN-2", "RUN-1"]
        assert uow.decisions.count(kind="frontier") == 1
        assert uow.decisions.get("RUN-404") is None


def test_condition_history_is_kept_in_order(make_uow: Callable[[], UnitOfWork]) -> None:
    from datetime import date

    from pfund.domain.conditions import ConditionChange
    from tests.factories import make_condition

    with make_uow() as uow:
        uow.conditions.add_many([make_condition("ceasefire_holding")])
        for old, new, day in (("not_met", "met", 1), ("met", "reversed", 9)):
            uow.conditions.add_change(
                ConditionChange(
                    code="ceasefire_holding",
                    old=old,
                    new=new,
                    evidence="OSCE report",
                    verifier="OSCE SMM",
                    on=date(2027, 3, day),
                    actor="test",
                )
            )
        uow.commit()
    with make_uow() as uow:
        history = uow.conditions.history("ceasefire_holding")
    assert [(c.old.value, c.new.value, c.on.day) for c in history] == [
        ("not_met", "met", 1),
        ("met", "reversed", 9),
    ]


def test_headings_list_runs_without_their_inputs_newest_first(
    make_uow: Callable[[], UnitOfWork],
) -> None:
    with make_uow() as uow:
        for n, kind in ((1, "optimize"), (2, "optimize"), (3, "frontier")):
            uow.decisions.add(make_record(f"RUN-{n}", kind=kind, minute=n))
        uow.commit()
    with make_uow() as uow:
        full = uow.decisions.list()
        headings = uow.decisions.headings()
        assert [(h.id, h.kind, h.status, h.actor, h.created_at) for h in headings] == [
            (r.id, r.kind, r.status, r.actor, r.created_at) for r in full
        ]
        assert [h.id for h in uow.decisions.headings(kind="optimize")] == ["RUN-2", "RUN-1"]
