"""Results on the pages: indicators on the project pages in both languages, the staff
issuing a report link, and the partner's no-JavaScript form reached with it."""

from __future__ import annotations

import hashlib
import io
import re

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import text

from pfund.services.runtime import Runtime
from pfund.store.repositories import table_counts
from tests.api.conftest import csrf_of, sign_in

PROJECT = "TRN-M11-01"  # a sample project: its indicators come with the sample fund


def _photo_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x013B] = "Ivan Petrov"  # Artist
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (56.0, 51.0, 30.0)
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (0, 90, 200)).save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _issue_link(client: TestClient) -> str:
    sign_in(client, "ana")
    late = client.get("/staff/results/late")
    assert late.status_code == 200
    answer = client.post(
        f"/staff/results/{PROJECT}/link",
        data={"period": "2030", "csrf_token": csrf_of(late.text)},
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    found = re.search(r'<code id="report-link">([^<]+)</code>', answer.text)
    assert found is not None
    client.cookies.clear()  # the partner has no account
    return found.group(1).replace("http://testserver", "")


def test_the_project_pages_show_indicators_in_both_languages(client: TestClient) -> None:
    english = client.get(f"/projects/{PROJECT}?lang=en").text
    russian = client.get(f"/projects/{PROJECT}?lang=ru").text
    assert "Km upgraded" in english and "Works acceptance certificates" in english
    assert "Модернизировано, км" in russian and "Акты приёмки работ" in russian
    assert "Результаты" in russian and "отчёта ещё нет" in russian
    sign_in(client, "ana")
    staff = client.get(f"/staff/proposals/{PROJECT}?lang=en").text
    assert "Km upgraded" in staff and 'id="issue-report-link"' in staff


def test_a_partner_reports_through_the_link_and_the_photo_loses_its_gps(
    client: TestClient, app_rt: Runtime
) -> None:
    path = _issue_link(client)
    assert path.startswith("/report?t=")
    form = client.get(path)
    assert form.status_code == 200
    assert form.headers["referrer-policy"] == "no-referrer"
    assert "<script" not in form.text
    token = path.split("=", 1)[1]
    sent = client.post(
        "/report",
        data={"t": token, "csrf_token": csrf_of(form.text), "value.km_upgraded": "140"},
        files={"evidence": ("IMG_0042.jpg", _photo_with_gps(), "image/jpeg")},
    )
    assert sent.status_code == 200, sent.text
    assert "Thank you" in sent.text
    with app_rt.uow() as uow:
        [content] = uow.session.execute(text("SELECT content FROM evidence_files")).scalars()
    assert not Image.open(io.BytesIO(content)).getexif()
    assert b"Ivan Petrov" not in content
    shown = client.get(f"/projects/{PROJECT}?lang=en").text
    assert re.search(r"<td>2030</td><td class=\"num\">150</td><td class=\"num\">140</td>", shown)
    assert "IMG_0042" not in shown  # a file's name is for staff only
    # the public results overview and the open dataset show it, as reported
    for lang, flag in (("en", "reported, not verified"), ("ru", "сообщено, не проверено")):
        overview = client.get(f"/results?lang={lang}").text
        row = re.search(
            r"<td>2030</td><td class=\"num\">150</td>\s*<td class=\"num\">140 "
            r"<small class=\"flag\">([^<]+)</small></td>\s*<td class=\"num\">93\s?%</td>",
            overview,
        )
        assert row is not None and row.group(1) == flag, lang
        assert "IMG_0042" not in overview
    rows = client.get("/api/v1/open-data/results.json").json()["results"]
    [km] = [
        r
        for r in rows
        if r["project_id"] == PROJECT and r["indicator"] == "km_upgraded" and r["period"] == "2030"
    ]
    assert (km["achieved"], km["status"]) == ("140", "reported")
    url = f"/staff/results/evidence/{hashlib.sha256(content).hexdigest()}"
    assert client.get(url, follow_redirects=False).status_code == 303  # to the sign-in page
    sign_in(client, "ana")
    staff_page = client.get(f"/staff/proposals/{PROJECT}?lang=en").text
    assert f'<a href="{url}">IMG_0042.jpg</a>' in staff_page
    download = client.get(url)
    assert download.content == content
    assert download.headers["content-type"] == "image/jpeg"
    assert download.headers["content-disposition"].startswith("attachment")


def test_a_refused_file_or_bad_value_stores_nothing_and_a_wrong_link_finds_nothing(
    client: TestClient, app_rt: Runtime
) -> None:
    path = _issue_link(client)
    form = client.get(path)
    token = path.split("=", 1)[1]
    with app_rt.uow() as uow:
        before = table_counts(uow.session)
    refused = client.post(
        "/report",
        data={"t": token, "csrf_token": csrf_of(form.text), "value.km_upgraded": "140"},
        files={"evidence": ("tool.exe", b"MZ\x90\x00 not an image", "image/jpeg")},
    )
    assert refused.status_code == 400
    assert "tool.exe" in refused.text and "Nothing was stored" in refused.text
    in_russian = client.post(
        "/report?lang=ru",
        data={"t": token, "csrf_token": csrf_of(form.text), "value.km_upgraded": "-3"},
        files={"evidence": ("tool.exe", b"MZ\x90\x00 not an image", "image/jpeg")},
    )
    assert in_russian.status_code == 400
    assert "Ничего не сохранено" in in_russian.text
    assert "принимаются изображения JPEG" in in_russian.text
    assert "не меньше нуля" in in_russian.text
    not_a_number = client.post(
        "/report?lang=en",
        data={"t": token, "csrf_token": csrf_of(form.text), "value.km_upgraded": "lots"},
    )
    assert not_a_number.status_code == 400 and "not a number" in not_a_number.text
    with app_rt.uow() as uow:
        assert table_counts(uow.session) == before
    assert client.get("/report?t=" + token[:-2] + "xx").status_code == 404
    forged = client.post(
        "/report",
        data={"t": "forged", "csrf_token": csrf_of(form.text), "value.km_upgraded": "1"},
    )
    assert forged.status_code == 404


def test_staff_edit_a_framework_by_importing_it_on_the_import_page(client: TestClient) -> None:
    sign_in(client, "ana")
    page = client.get("/staff/import?lang=en")
    assert '<option value="indicators">' in page.text
    header = "project,code,name,name_ru,unit,baseline_date,targets.2030,outcome\n"
    row = f"{PROJECT},km_upgraded,Km upgraded,Модернизировано км,km,2028-01-01,140,km_upgraded\n"
    bad = f"{PROJECT},lanes,Lanes,Полосы,lanes,2028-01-01,4,lanes\n"
    refused = client.post(
        "/staff/import",
        data={"kind": "indicators", "csrf_token": csrf_of(page.text)},
        files={"file": ("ind.csv", header + row + bad, "text/csv")},
    )
    assert refused.status_code == 400 and "lanes" in refused.text
    done = client.post(
        "/staff/import",
        data={"kind": "indicators", "csrf_token": csrf_of(page.text)},
        files={"file": ("ind.csv", header + row, "text/csv")},
    )
    assert done.status_code == 200 and "Imported 1 indicator from ind.csv" in done.text
    shown = client.get(f"/projects/{PROJECT}?lang=en").text
    assert "Road deaths avoided" not in shown  # the framework is now the file's
    assert re.search(r"<td>2030</td><td class=\"num\">140</td>", shown)
