"""Queued frontier and robustness jobs keep to a batch's time budget (issue 18).

As ``pfund portfolio frontier --total-time``: the job's parameters take ``total_time``
(checked), the job's result names its record and, when the time ran out, the labels
(``partial``, ``unsolved``, ``stand_in``), and the staff page says so in English and
Russian. The clock is a fake one (a second per reading, as in
``tests/services/test_analysis_budget.py``), so nothing here depends on the machine.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from pfund.domain.jobs import Job, JobState
from pfund.portfolio.solvers import base as solver_base
from pfund.services.job_kinds import batch_result
from pfund.services.records import get_record
from pfund.services.runtime import Runtime
from pfund.web.staff_jobs import batch_outcome
from tests.api.conftest import Headers, sign_in
from tests.api.test_jobs_api import settle
from tests.services.test_analysis_budget import Ticking


@pytest.mark.parametrize("kind", ["frontier", "robust"])
@pytest.mark.parametrize("total_time", [-1, 86_401, "soon"])
def test_a_jobs_total_time_is_checked(
    client: TestClient, token_for: Callable[[str], Headers], kind: str, total_time: object
) -> None:
    bad = client.post(
        "/api/v1/jobs",
        json={"kind": kind, "parameters": {"total_time": total_time}},
        headers=token_for("ana"),
    )
    assert bad.status_code == 400, bad.text
    assert "total_time" in bad.text


def _run(
    client: TestClient, headers: Headers, kind: str, parameters: dict[str, object]
) -> dict[str, object]:
    """Queue a job through the API and wait until the service has run it to its end."""
    started = client.post(
        "/api/v1/jobs", json={"kind": kind, "parameters": parameters}, headers=headers
    )
    assert started.status_code == 202, started.text
    job = settle(client, headers, started.json()["id"])
    assert job["state"] == "done", job
    return job


def test_a_frontier_job_out_of_time_carries_its_labels_to_the_api_and_the_page(
    client: TestClient,
    token_for: Callable[[str], Headers],
    app_rt: Runtime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ana = token_for("ana")
    monkeypatch.setattr(solver_base, "now", Ticking())
    # As in test_analysis_budget: of 4 budgets the first two are solved, the last two
    # are not and show the second's portfolio; the equity curve gets no time.
    job = _run(client, ana, "frontier", {"points": 4, "time_limit": 5, "total_time": 2.5})
    assert job["parameters"] == {"record_id": None, "points": 4, "time_limit": 5, "total_time": 2.5}
    record_id, labels = str(job["result"]).split(" ", 1)
    assert labels == "partial unsolved=2/4 stand_in=2"
    record = get_record(app_rt, record_id, kind="frontier")
    assert record.parameters["total_time"] == 2.5
    assert record.result["unsolved"] == 2 and record.result["partial"]
    assert [p["stand_in"] for p in record.result["budget"]] == [False, False, True, True]
    sign_in(client, "ana")
    page = client.get(f"/staff/jobs/{job['id']}?lang=en").text
    assert f"Record {record_id}" in page
    assert "before 2 of 4 budget points were solved" in page
    assert "For 2 of them the previous budget" in page
    assert "Time for the whole batch: 2.5 s." in page
    russian = client.get(f"/staff/jobs/{job['id']}?lang=ru").text
    assert "2 из 4 точек бюджета" in russian and "Время на весь пакет: 2,5 с." in russian
    # how long it took, written as each language writes a decimal
    assert re.search(r"Done in \d+\.\d s\.", page)
    assert re.search(r"Готово за \d+,\d с\.", russian)


def test_a_robustness_job_with_no_time_solves_nothing_and_says_so(
    client: TestClient, token_for: Callable[[str], Headers]
) -> None:
    job = _run(client, token_for("ana"), "robust", {"draws": 3, "weight_sets": 0, "total_time": 0})
    assert str(job["result"]).endswith(" partial unsolved=3/3")
    sign_in(client, "ana")
    page = client.get(f"/staff/jobs/{job['id']}?lang=en").text
    assert "before 3 of 3 re-optimisations were solved" in page
    assert "3 из 3 переоптимизаций" in client.get(f"/staff/jobs/{job['id']}?lang=ru").text


def test_a_whole_batch_leaves_the_result_its_record_alone() -> None:
    assert batch_result("FRN-0001", partial=False, unsolved=0, of=31) == "FRN-0001"
    cut = batch_result("FRN-0002", partial=True, unsolved=0, of=31)
    assert cut == "FRN-0002 partial unsolved=0/31"  # the equity curve alone was cut
    now = datetime.now(UTC)
    job = Job(id="J", kind="frontier", state=JobState.DONE, actor="a", created_at=now, result=cut)
    outcome = batch_outcome(job)
    assert outcome is not None and outcome.partial and outcome.unsolved == 0
