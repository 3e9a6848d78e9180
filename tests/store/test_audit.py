"""The audit log: head, append under lock, ordered listing, and serialised writers."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from pfund.domain import verify_chain
from pfund.domain.audit import GENESIS_HASH
from pfund.keys import default_keys
from pfund.store import UnitOfWork
from tests.factories import make_audit_chain

MakeUow = Callable[[], UnitOfWork]


def test_append_moves_the_head_and_list_returns_the_chain_in_order(make_uow: MakeUow) -> None:
    events = make_audit_chain(5)
    with make_uow() as uow:
        assert uow.audit.head(lock=True) == (0, GENESIS_HASH)
        for event in events:
            uow.audit.append(event)
        assert uow.audit.head(lock=True) == (5, events[-1].hash)
        uow.commit()
    with make_uow() as uow:
        stored = uow.audit.list()
        assert uow.audit.count() == 5
        assert uow.audit.list(after_seq=3) == events[3:]
        assert uow.audit.list(limit=2) == events[:2]
        assert uow.audit.list(after_seq=1, limit=2) == events[1:3]
        assert uow.audit.list(record_type="project", record_id="P-1") == [
            e for e in events if e.record_id == "P-1"
        ]
        assert uow.audit.list(record_type="organisation") == []
    assert stored == events
    assert verify_chain(stored, default_keys().audit_key) == []


def test_details_round_trip_as_canonical_text(make_uow: MakeUow) -> None:
    event = make_audit_chain(1)[0]
    with make_uow() as uow:
        uow.audit.append(event)
        uow.commit()
    with make_uow() as uow:
        (stored,) = uow.audit.list()
    assert stored.details == {"fields": ["title", "costs"], "n": 1, "ü": "ä"}
    assert stored.hash == event.hash


@pytest.mark.parametrize("wrong", ["seq", "prev_hash"])
def test_append_refuses_an_event_that_does_not_follow_the_head(
    make_uow: MakeUow, wrong: str
) -> None:
    first, second, third = make_audit_chain(3)
    out_of_line = third if wrong == "seq" else second.model_copy(update={"prev_hash": "a" * 64})
    with make_uow() as uow:
        uow.audit.append(first)
        with pytest.raises(ValueError, match="does not follow the head"):
            uow.audit.append(out_of_line)


def test_a_second_writer_waits_for_the_first_to_commit(make_uow: MakeUow) -> None:
    """The locked head makes concurrent appends queue instead of forking the chain."""
    first, second = make_audit_chain(2)
    seen: list[tuple[int, str]] = []

    def second_writer() -> None:
        with make_uow() as uow:
            seen.append(uow.audit.head(lock=True))
            uow.audit.append(second)
            uow.commit()

    with make_uow() as uow:
        assert uow.audit.head(lock=True) == (0, GENESIS_HASH)
        uow.audit.append(first)
        thread = threading.Thread(target=second_writer)
        thread.start()
        thread.join(timeout=0.5)
        assert thread.is_alive(), "the second writer should wait on the locked head"
        assert seen == []
        uow.commit()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert seen == [(1, first.hash)]
    with make_uow() as uow:
        assert uow.audit.list() == [first, second]
