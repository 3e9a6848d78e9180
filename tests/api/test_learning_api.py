"""The API appraises with the optimism-bias mode the caller names, as the CLI does, and
the report and its decision record say which uplift each area got."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from pfund.domain import ProjectStatus
from pfund.services.audit import AuditWriter
from pfund.services.learning import import_outturns
from pfund.services.lifecycle import advance
from pfund.services.records import get_record
from pfund.services.runtime import Runtime
from tests.api.test_api import error_of

Headers = dict[str, str]


def test_an_appraisal_names_its_uplift_and_the_record_keeps_it(
    client: TestClient, token_for: Callable[[str], Headers], app_rt: Runtime
) -> None:
    headers = token_for("ana")
    answer = client.post("/api/v1/appraisals?optimism_bias=green-book", headers=headers)
    assert answer.status_code == 200, answer.text
    bias = answer.json()["optimism_bias"]
    assert bias["mode"] == "green-book" and bias["finished"] == 0
    transport = next(a for a in bias["areas"] if a["area"] == "transport")
    assert (transport["source"], transport["cost_uplift"]) == ("green_book", 1.66)
    record = get_record(app_rt, answer.json()["record_id"], kind="appraisal")
    assert record.parameters["optimism_bias"]["mode"] == "green-book"
    plain = client.post("/api/v1/appraisals", headers=headers).json()
    assert plain["optimism_bias"] is None  # the sample policy says off


def test_an_unknown_mode_is_refused(
    client: TestClient, token_for: Callable[[str], Headers]
) -> None:
    answer = client.post("/api/v1/appraisals?optimism_bias=always", headers=token_for("ana"))
    assert error_of(answer)["status"] == 422
    run = client.post(
        "/api/v1/portfolio/runs", json={"optimism_bias": "always"}, headers=token_for("ana")
    )
    assert error_of(run)["status"] == 422


def test_a_finished_projects_page_shows_ex_post_beside_ex_ante(
    client: TestClient, app_rt: Runtime, tmp_path: Path
) -> None:
    chosen = get_record(app_rt, "OPT-0001", kind="portfolio").result["selected"][0]
    before = client.get(f"/projects/{chosen}?lang=en").text
    assert "Ex post beside ex ante" not in before  # not finished yet
    with app_rt.uow() as uow:
        advance(uow, AuditWriter(uow, app_rt.actor), [chosen], ProjectStatus.COMPLETED, "test")
        uow.commit()
        estimate = uow.projects.get(chosen).likely_cost()  # type: ignore[union-attr]
    path = tmp_path / "outturns.csv"
    path.write_text(f"project,year,cost\n{chosen},2027,{estimate * 2}\n", encoding="utf-8")
    import_outturns(app_rt, path)
    english = client.get(f"/projects/{chosen}?lang=en").text
    russian = client.get(f"/projects/{chosen}?lang=ru").text
    assert "Ex post beside ex ante" in english and "Net present value" in english
    assert "No outcome has been reported yet" in english
    assert "Оценка после завершения рядом с предварительной" in russian
    assert "Отчётов о результатах пока нет" in russian
