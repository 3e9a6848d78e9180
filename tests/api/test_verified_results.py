"""Verified figures where people read results: after the demo's history is loaded (its
first completed project's report verified on a seeded sample), the results page, the
project page, the API's answer and the results open data show the verified value with
the factor and its interval beside the reported one, in both languages; the completed
project's page shows ex post beside ex ante."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from pfund.services.demo_loop import load_history
from pfund.services.runtime import Runtime


def test_results_pages_api_and_open_data_show_the_verified_value(
    client: TestClient, app_rt: Runtime
) -> None:
    history = load_history(app_rt)
    assert history is not None
    v, project = history.verification, history.completed[0]
    assert v.factor is not None and v.lower is not None and v.upper is not None
    english = client.get(f"/projects/{project}?lang=en").text
    russian = client.get(f"/projects/{project}?lang=ru").text
    factor = f"{v.factor:.3f}"
    assert "Verified" in english and f"factor {factor}" in english
    assert "Проверено" in russian and f"коэффициент {factor.replace('.', ',')}" in russian
    assert "Ex post beside ex ante" in english
    overview = client.get("/results?lang=en").text
    assert f"factor {factor}" in overview and "values verified on a sample" in overview
    assert "значений проверено на выборке" in client.get("/results?lang=ru").text
    answer = client.get(f"/api/v1/projects/{project}/results").json()
    period = answer["indicators"][0]["periods"][0]
    assert period["verified"]["verification"] == v.verification
    assert period["verified"]["factor_lower"] <= period["verified"]["factor"]
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/open-data/results.csv").text)))
    mine = [r for r in rows if r["project_id"] == project]
    assert [(r["status"], r["verification"]) for r in mine] == [("verified", v.verification)]
    assert float(mine[0]["verified"]) == round(float(mine[0]["achieved"]) * v.factor, 2)
    others = [r for r in rows if r["status"] == "reported"]
    assert others and all(r["verification"] == "" for r in others)
