"""Money moves once: many clients at once through the real server, on SQLite and PostgreSQL.

Each test starts the service (uvicorn, in a thread, on a loopback socket it was handed)
over its own copy of the sample fund: accounts, 2023 contributions received and one
portfolio run (OPT-0001), not yet approved. PostgreSQL gets that copy by a backup of
the SQLite template restored into it. N clients then fire the same money write at the
same moment (a barrier releases them together): exactly one may succeed, every other
must get a 409, the ledger's invariants must hold and the audit chain must verify.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from pfund.domain import TrancheStatus
from pfund.services.audit import verify
from pfund.services.backup import backup, restore
from pfund.services.conditions import set_condition
from pfund.services.demo_committee import run_committee_sample
from pfund.services.donors import agreement_view, record_receipt
from pfund.services.funding import ledger_view, reverse_contributions
from pfund.services.runtime import Runtime, open_runtime
from pfund.services.tranches import approve, list_tranches
from tests.api.browsing import serving
from tests.api.conftest import PASSWORD, settings_for
from tests.conftest import _postgres_url, _reset_postgres

N = 12
SECRET = "a long enough passphrase for the race tests"
EVIDENCE = {
    "evidence": "OSCE monitoring report 12 on the line of contact",
    "verifier": "osce_monitoring",
}


@pytest.fixture(scope="module")
def template_backup(unapproved_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The unapproved sample fund as a backup file, to restore into PostgreSQL."""
    file = tmp_path_factory.mktemp("race") / "template.age"
    rt = open_runtime(settings_for(f"sqlite:///{unapproved_template}"))
    try:
        backup(rt, file, SECRET)
    finally:
        rt.close()
    return file


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def store_url(request: pytest.FixtureRequest, unapproved_template: Path, tmp_path: Path) -> str:
    """A fresh copy of the unapproved sample fund on each database."""
    if request.param == "sqlite":
        copy = tmp_path / "race.db"
        shutil.copy(unapproved_template, copy)
        return f"sqlite:///{copy}"
    url = _postgres_url()
    _reset_postgres(url)
    rt = open_runtime(settings_for(url))
    try:
        restore(rt, request.getfixturevalue("template_backup"), SECRET)
    finally:
        rt.close()
    return url


@pytest.fixture
def rt(store_url: str) -> Iterator[Runtime]:
    runtime = open_runtime(settings_for(store_url))
    yield runtime
    runtime.close()


@pytest.fixture
def server(store_url: str) -> Iterator[str]:
    """The real service on a loopback socket: requests run on its thread pool."""
    with serving(store_url) as base:
        yield base


@pytest.fixture
def headers(server: str) -> dict[str, str]:
    """A bearer token of the administrator (who may approve and move money)."""
    answer = httpx.post(
        f"{server}/api/v1/auth/token", data={"username": "ada", "password": PASSWORD}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


Send = Callable[[httpx.Client], httpx.Response]


def together(server: str, sends: list[Send]) -> list[httpx.Response]:
    """Send every request at once: all threads wait at a barrier, then fire."""
    barrier = threading.Barrier(len(sends))

    def fire(send: Send) -> httpx.Response:
        with httpx.Client(base_url=server, timeout=60) as client:
            barrier.wait()
            return send(client)

    with ThreadPoolExecutor(len(sends)) as pool:
        return list(pool.map(fire, sends))


def post(path: str, headers: dict[str, str], **kwargs: Any) -> Send:
    return lambda client: client.post(path, headers=headers, **kwargs)


def statuses(answers: list[httpx.Response]) -> Counter[int]:
    return Counter(a.status_code for a in answers)


def assert_sound(rt: Runtime) -> None:
    """The ledger's invariants hold and the audit chain verifies."""
    assert ledger_view(rt).invariants == []
    with rt.uow() as uow:
        report = verify(uow)
    assert report.intact and report.head_matches, report.breaks


def entries_of(rt: Runtime, tranche: str, debit: str) -> int:
    with rt.uow() as uow:
        return int(
            uow.session.execute(
                text("SELECT COUNT(*) FROM ledger_entries WHERE tranche_id = :t AND debit = :d"),
                {"t": tranche, "d": debit},
            ).scalar_one()
        )


def free_tranche(rt: Runtime) -> str:
    """A planned tranche of stage 0 (no conditions), of the earliest year."""
    planned = [t for t in list_tranches(rt) if t.stage == 0 and t.status is TrancheStatus.PLANNED]
    return min(planned, key=lambda t: (t.year, t.id)).id


def test_one_approval_of_a_run_among_many(
    rt: Runtime, server: str, headers: dict[str, str]
) -> None:
    answers = together(server, [post("/api/v1/portfolio/runs/OPT-0001/approve", headers)] * N)
    assert statuses(answers) == {200: 1, 409: N - 1}, [a.text for a in answers]
    committed = ledger_view(rt).balances["committed"]
    assert committed == sum(t.amount for t in list_tranches(rt))
    assert_sound(rt)


def test_one_release_and_one_payment_of_a_tranche(
    rt: Runtime, server: str, headers: dict[str, str]
) -> None:
    approve(rt, "OPT-0001")
    tranche = free_tranche(rt)
    released = together(server, [post(f"/api/v1/tranches/{tranche}/release", headers)] * N)
    assert statuses(released) == {200: 1, 409: N - 1}, [a.text for a in released]
    paid = together(server, [post(f"/api/v1/tranches/{tranche}/disburse", headers)] * N)
    assert statuses(paid) == {200: 1, 409: N - 1}, [a.text for a in paid]
    assert entries_of(rt, tranche, "released") == 1
    assert entries_of(rt, tranche, "disbursed") == 1
    assert {t.id: t.status for t in list_tranches(rt)}[tranche] is TrancheStatus.DISBURSED
    assert_sound(rt)


def test_one_contribution_of_a_member_and_year(
    rt: Runtime, server: str, headers: dict[str, str]
) -> None:
    reverse_contributions(rt, year=2023, receipts=True, members=["DEU"], reason="test")
    reverse_contributions(rt, year=2023, receipts=False, members=["DEU"], reason="test")
    body = {"year": 2023, "received": True, "members": ["DEU"]}
    answers = together(server, [post("/api/v1/fund/contributions", headers, json=body)] * N)
    assert statuses(answers) == {200: 1, 409: N - 1}, [a.text for a in answers]
    refusal = next(a for a in answers if a.status_code == 409).json()["error"]["message"]
    assert "DEU" in refusal and "2023" in refusal and "already recorded" in refusal
    position = ledger_view(rt).contributors["DEU"]
    assert position["pledged"] == position["received"] > 0
    assert_sound(rt)


def test_one_reversal_of_a_donor_receipt(rt: Runtime, server: str, headers: dict[str, str]) -> None:
    done = record_receipt(
        rt, "DA-0002", day=date(2026, 5, 12), amount=Decimal("1000000.00"), currency="EUR"
    )
    receipt = done.receipt.receipt_id
    path = f"/api/v1/donors/receipts/{receipt}/reverse"
    answers = together(server, [post(path, headers, json={"reason": "bounced"})] * N)
    assert statuses(answers) == {200: 1, 409: N - 1}, [a.text for a in answers]
    with rt.uow() as uow:
        reversals = uow.session.execute(
            text("SELECT COUNT(*) FROM ledger_entries WHERE memo LIKE :m"),
            {"m": "reverses DA-0002 receipt%"},
        ).scalar_one()
        rows = uow.session.execute(text("SELECT COUNT(*) FROM donor_receipt_reversals")).scalar()
    assert (reversals, rows) == (2, 1)  # a receipt reversal and a pledge reversal, once
    view = agreement_view(rt, "DA-0002")
    assert [r.status for r in view.receipts] == ["reversed"] and view.received == 0
    assert_sound(rt)


def test_a_reversal_racing_releases_never_leaves_money_released_on_it(
    rt: Runtime, server: str, headers: dict[str, str]
) -> None:
    approve(rt, "OPT-0001")
    set_condition(rt, "ceasefire_holding", "met", on=date(2026, 4, 1), **EVIDENCE)
    stage1 = [t.id for t in list_tranches(rt) if t.stage == 1][: N - 1]
    assert len(stage1) >= 3
    reversal = {"status": "reversed", "on": "2026-05-01"} | EVIDENCE
    sends = [post(f"/api/v1/tranches/{t}/release", headers) for t in stage1]
    sends.insert(
        len(sends) // 2,
        lambda client: client.put(
            "/api/v1/conditions/ceasefire_holding", json=reversal, headers=headers
        ),
    )
    answers = together(server, sends)
    assert set(statuses(answers)) <= {200, 409}, [a.text for a in answers]
    after = {t.id: t.status for t in list_tranches(rt)}
    # Whatever the order, no stage-1 money is released on the reversed condition.
    assert {after[t] for t in stage1} <= {TrancheStatus.PLANNED, TrancheStatus.FROZEN}
    assert ledger_view(rt).balances["released"] == 0
    assert_sound(rt)


def test_a_retry_with_the_same_key_gets_the_first_answer_and_moves_nothing(
    rt: Runtime, server: str, headers: dict[str, str]
) -> None:
    approve(rt, "OPT-0001")
    tranche = free_tranche(rt)
    keyed = headers | {"Idempotency-Key": "release-once-1"}
    answers = together(server, [post(f"/api/v1/tranches/{tranche}/release", keyed)] * N)
    assert statuses(answers) == {200: N}, [a.text for a in answers]
    assert len({a.text for a in answers}) == 1
    assert sum(a.headers.get("idempotent-replayed") == "true" for a in answers) == N - 1
    with httpx.Client(base_url=server, timeout=60) as client:
        again = client.post(f"/api/v1/tranches/{tranche}/release", headers=keyed)
        assert (again.status_code, again.json()) == (200, answers[0].json())
        unkeyed = client.post(f"/api/v1/tranches/{tranche}/release", headers=headers)
        assert unkeyed.status_code == 409
        other = client.post(f"/api/v1/tranches/{tranche}/disburse", headers=keyed)
        assert other.status_code == 422  # the key belongs to another request
        body = {"year": 2023, "received": True, "members": ["FRA"]}
        key = headers | {"Idempotency-Key": "contribution-1"}
        first = client.post("/api/v1/fund/contributions", json=body, headers=key)
        assert first.status_code == 409  # already recorded: a refusal is not kept ...
        changed = client.post(
            "/api/v1/fund/contributions", json=body | {"members": ["ITA"]}, headers=key
        )
        assert changed.status_code == 409  # ... so the key is still free
    assert entries_of(rt, tranche, "released") == 1
    assert_sound(rt)


def test_the_same_key_with_another_body_is_refused(
    rt: Runtime, server: str, headers: dict[str, str]
) -> None:
    reverse_contributions(rt, year=2023, receipts=True, members=["DEU", "FRA"])
    key = headers | {"Idempotency-Key": "contribution-2"}
    with httpx.Client(base_url=server, timeout=60) as client:
        body = {"year": 2023, "received": True, "members": ["DEU"]}
        first = client.post("/api/v1/fund/contributions", json=body, headers=key)
        assert first.status_code == 200, first.text
        # the same JSON, spaced and ordered otherwise, is the same request
        same = client.post(
            "/api/v1/fund/contributions",
            content=b'{"members": ["DEU"], "received": true,  "year": 2023}',
            headers=key | {"Content-Type": "application/json"},
        )
        assert (same.status_code, same.json()) == (200, first.json())
        other = client.post(
            "/api/v1/fund/contributions", json=body | {"members": ["FRA"]}, headers=key
        )
        assert other.status_code == 422, other.text
        assert "Idempotency-Key" in other.text
    assert ledger_view(rt).contributors["FRA"]["received"] == 0
    assert_sound(rt)


# Each CLI process imports the whole application before it parses its arguments (seconds
# of CPU under load), so processes started together reach the database one by one, and
# starting new ones for every race is most of these tests' time. These processes import
# once, say "ready", then wait for commands on stdin: the test hands the same command to
# every one at once, and each runs it as `pfund` would with the store's URL in its
# environment (the command opens its own runtime, engine and connections, and closes
# them), reporting its exit status and then an end line on stderr.
CLI_PROCESS = """
import json, os, sys, traceback
from pfund.cli.app import main
END = "-- end of command --"
print("ready", flush=True)
for line in sys.stdin:
    order = json.loads(line)
    os.environ.update(order["env"])
    sys.argv = ["pfund", *order["args"]]
    try:
        main()
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except Exception:  # what `pfund` would end on with a traceback (the test looks for it)
        traceback.print_exc()
        code = 70
    print(f"exit {code}", flush=True)
    print(END, file=sys.stderr, flush=True)
os._exit(0)  # stdin closed: done (the interpreter's own teardown takes seconds)
"""
PROCESSES = 6  # each races the others for the same money, all from the same moment


@pytest.fixture(scope="module")
def cli() -> Iterator[list[subprocess.Popen[str]]]:
    """PROCESSES processes ready to run CLI commands (see CLI_PROCESS), shared by the
    tests of this module on both databases: the store is named with each command."""
    env = os.environ | {"PFUND_ACTOR": "test:cli"}
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", CLI_PROCESS],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    try:
        for run in runs:
            assert run.stdout is not None
            ready = run.stdout.readline()
            assert ready == "ready\n", (ready, run.stderr.read() if run.stderr else "")
        yield runs
    finally:
        for run in runs:
            if run.stdin:
                run.stdin.close()
        for run in runs:
            run.wait(timeout=60)


def race_cli(runs: list[subprocess.Popen[str]], store_url: str, *args: str) -> None:
    """The CLI command on the store in every process at once: exactly one succeeds, the
    rest exit 1 with a message (no traceback)."""
    line = json.dumps({"env": {"PFUND_DATABASE_URL": store_url}, "args": args}) + "\n"
    for run in runs:  # all wait on stdin, each started before any has opened its store
        assert run.stdin is not None
        run.stdin.write(line)
        run.stdin.flush()
    codes: Counter[int] = Counter()
    errors = []
    for run in runs:
        codes[_exit_status(run)] += 1
        errors.append(_stderr_of_one_command(run))
    assert codes == {0: 1, 1: len(runs) - 1}, errors
    assert all("Traceback" not in e for e in errors)


def _exit_status(run: subprocess.Popen[str]) -> int:
    """The exit status the process reported for its last command (after what it printed)."""
    assert run.stdout is not None
    for line in iter(run.stdout.readline, ""):
        if line.startswith("exit "):
            return int(line.split()[1])
    raise AssertionError("a CLI process ended before it reported its exit status")


def _stderr_of_one_command(run: subprocess.Popen[str]) -> str:
    """What the process wrote to stderr for its last command (up to its end line)."""
    assert run.stderr is not None
    lines = []
    for line in iter(run.stderr.readline, ""):
        if line == "-- end of command --\n":
            break
        lines.append(line)
    return "".join(lines)


def test_releases_and_payments_from_many_processes(
    rt: Runtime, store_url: str, cli: list[subprocess.Popen[str]]
) -> None:
    """One release and one payment of a tranche, whatever number of processes try."""
    approve(rt, "OPT-0001")
    tranche = free_tranche(rt)
    race_cli(cli, store_url, "tranches", "release", tranche)
    assert entries_of(rt, tranche, "released") == 1
    race_cli(cli, store_url, "tranches", "disburse", tranche)
    assert entries_of(rt, tranche, "disbursed") == 1
    assert_sound(rt)


def contribution_entries(rt: Runtime) -> int:
    with rt.uow() as uow:
        return int(
            uow.session.execute(
                text(
                    "SELECT COUNT(*) FROM ledger_entries WHERE contributor = 'DEU' AND year = 2023"
                )
            ).scalar_one()
        )


def test_approvals_and_contributions_from_many_processes(
    rt: Runtime, store_url: str, cli: list[subprocess.Popen[str]]
) -> None:
    """One approval of a run, and one pledge and receipt of a member-year, across processes."""
    run_committee_sample(rt, "OPT-0001")  # a `pfund` process keeps the sample's policy
    race_cli(cli, store_url, "portfolio", "approve", "OPT-0001")
    committed = ledger_view(rt).balances["committed"]
    assert committed == sum(t.amount for t in list_tranches(rt))
    reverse_contributions(rt, year=2023, receipts=True, members=["DEU"], reason="test")
    reverse_contributions(rt, year=2023, receipts=False, members=["DEU"], reason="test")
    before = contribution_entries(rt)
    args = ("fund", "contributions", "--year", "2023", "--member", "DEU", "--received")
    race_cli(cli, store_url, *args)
    assert contribution_entries(rt) == before + 2  # one pledge and one receipt, once
    assert_sound(rt)
