"""The results API: public indicators, staff issue links and import, a partner reports
with the link's token in a header, and bad input stores nothing."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import text

from pfund.services.runtime import Runtime
from pfund.store.repositories import table_counts

API = "/api/v1"
PROJECT = "TRN-M11-01"
Headers = dict[str, str]


def _link(client: TestClient, headers: Headers) -> str:
    answer = client.post(
        f"{API}/projects/{PROJECT}/report-links", json={"period": "2030"}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["token"]
    return token


def test_indicators_are_public_and_late_reports_are_for_staff(
    client: TestClient, token_for: Callable[[str], Headers]
) -> None:
    answer = client.get(f"{API}/projects/{PROJECT}/results")
    assert answer.status_code == 200
    codes = [v["indicator"]["code"] for v in answer.json()["indicators"]]
    assert codes == ["km_upgraded", "road_deaths_avoided_per_year"]
    assert client.get(f"{API}/results/late").status_code == 401
    late = client.get(f"{API}/results/late?on=2040-01-01", headers=token_for("ana"))
    assert late.status_code == 200 and isinstance(late.json(), list)
    assert (
        client.post(f"{API}/projects/{PROJECT}/report-links", json={"period": "2030"}).status_code
        == 401
    )


def test_a_partner_reports_with_the_token_and_its_photo_loses_the_gps(
    client: TestClient, token_for: Callable[[str], Headers], app_rt: Runtime
) -> None:
    token = _link(client, token_for("ana"))
    exif = Image.Exif()
    exif.get_ifd(0x8825)[1] = "N"
    exif[0x013B] = "Ivan Petrov"
    photo = io.BytesIO()
    Image.new("RGB", (8, 8)).save(photo, format="JPEG", exif=exif)
    values = json.dumps([{"indicator": "km_upgraded", "value": "75.5", "unit": "km"}])
    answer = client.post(
        f"{API}/reports",
        headers={"X-Report-Token": token},
        data={"values": values},
        files=[("evidence", ("IMG_1.jpg", photo.getvalue(), "image/jpeg"))],
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["values"][0]["value"] == "75.5" and body["channel"] == "api"
    with app_rt.uow() as uow:
        [content] = uow.session.execute(text("SELECT content FROM evidence_files")).scalars()
    assert b"Ivan Petrov" not in content and not Image.open(io.BytesIO(content)).getexif()
    shown = client.get(f"{API}/projects/{PROJECT}/results").json()
    km = shown["indicators"][0]["periods"]
    assert [(p["period"], p["achieved"]) for p in km] == [("2029", None), ("2030", "75.5")]


def test_a_wrong_unit_or_token_stores_nothing(
    client: TestClient, token_for: Callable[[str], Headers], app_rt: Runtime
) -> None:
    token = _link(client, token_for("ana"))
    with app_rt.uow() as uow:
        before = table_counts(uow.session)
    miles = json.dumps([{"indicator": "km_upgraded", "value": "75", "unit": "miles"}])
    answer = client.post(
        f"{API}/reports", headers={"X-Report-Token": token}, data={"values": miles}
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["problems"][0]["field"] == "unit"
    wrong = client.post(
        f"{API}/reports", headers={"X-Report-Token": token + "x"}, data={"values": miles}
    )
    assert wrong.status_code == 404
    with app_rt.uow() as uow:
        assert table_counts(uow.session) == before


def test_staff_import_indicators_all_or_nothing(
    client: TestClient, token_for: Callable[[str], Headers]
) -> None:
    header = "project,code,name,name_ru,unit,baseline_date,targets.2030,outcome\n"
    good = f"{PROJECT},km_upgraded,Km upgraded,Модернизировано км,km,2028-01-01,150,km_upgraded\n"
    bad = f"{PROJECT},lanes,Lanes,Полосы,lanes,2028-01-01,4,lanes\n"
    refused = client.post(
        f"{API}/results/indicators",
        files={"file": ("ind.csv", header + good + bad, "text/csv")},
        headers=token_for("ana"),
    )
    assert refused.status_code == 400
    assert [(p["row"], p["field"]) for p in refused.json()["error"]["problems"]] == [(3, "outcome")]
    still = client.get(f"{API}/projects/{PROJECT}/results").json()["indicators"]
    assert len(still) == 2
    done = client.post(
        f"{API}/results/indicators",
        files={"file": ("ind.csv", header + good, "text/csv")},
        headers=token_for("ana"),
    )
    assert done.status_code == 200 and done.json()["imported"] == 1
    assert len(client.get(f"{API}/projects/{PROJECT}/results").json()["indicators"]) == 1
