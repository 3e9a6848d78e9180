"""lang18b: the staff and public pages read in the page's language where they showed
English identifiers or said a thing twice: committee seats by their Russian label, a
refusal's reason without a second 'nothing was changed' and with its dates as the page
writes them, an agreement's rate change line, a tranche's rate source, and an import's
problems naming the field by its label."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.api.conftest import csrf_of, sign_in
from tests.language_runs import foreign_runs

Headers = dict[str, str]
RECEIPT = {"day": "2026-11-02", "amount": "30000000.00", "currency": "USD"}


def test_a_refused_reversal_says_nothing_changed_once_and_dates_as_the_page(
    client: TestClient, token_for: Callable[[str], Headers]
) -> None:
    analyst = token_for("ana")
    booked = client.post(
        "/api/v1/donors/agreements/DA-0002/receipts", json=RECEIPT, headers=analyst
    )
    receipt = f"DA-0002-{booked.json()['receipt']['number']}"
    done = client.post(
        f"/api/v1/donors/receipts/{receipt}/reverse",
        json={"reason": "wrong amount", "on": "2026-11-03"},
        headers=analyst,
    )
    assert done.status_code == 200, done.text
    sign_in(client, "ana")
    csrf = csrf_of(client.get("/staff/donors").text)
    said = {  # the day the reversal was recorded, written as the page writes dates
        "en": ("nothing was changed", r"\(on [A-Z][a-z]+ \d{1,2}, \d{4}\)", "is already reversed"),
        "ru": ("ничего не изменено", r"\(\d{1,2} [а-я]+ \d{4}\s?г\.\)", "уже сторнировано"),
    }
    for lang, (nothing, day, problem) in said.items():
        again = client.post(
            f"/staff/donors/receipts/{receipt}/reverse?lang={lang}",
            data={"reason": "bounced", "csrf_token": csrf},
            follow_redirects=False,
        )
        assert again.status_code == 409, again.text
        alert = again.text[again.text.index('role="alert"') :]
        alert = alert[: alert.index("</div>")]
        assert alert.lower().count(nothing) == 1, alert
        assert alert.count(f"{receipt} {problem}") == 1, alert  # the problem, in its words
        assert re.search(day, alert) and not re.search(r"\d{4}-\d\d-\d\d", alert), alert
        if lang == "ru":
            assert not foreign_runs(alert, "ru"), alert


BAD_PROJECTS = b"id,title,area,regions,costs\nBAD,x,nowhere,XX-1,\n"


def _import_problems(client: TestClient, lang: str) -> str:
    token = csrf_of(client.get("/staff/import").text)
    answer = client.post(
        f"/staff/import?lang={lang}",
        data={"csrf_token": token, "kind": "projects"},
        files={"file": ("bad.csv", BAD_PROJECTS, "text/csv")},
    )
    assert answer.status_code == 400, answer.text
    box = answer.text[answer.text.index('role="alert"') :]
    return str(box[: box.index("</div>")])


def test_an_imports_problems_name_the_field_by_its_label_and_its_column(
    client: TestClient,
) -> None:
    sign_in(client, "ana")
    russian = _import_problems(client, "ru")
    for label, column in (("Название", "title"), ("Регионы", "regions"), ("Расходы", "costs")):
        assert f"поле «{label}» (столбец {column})" in russian, russian
    assert "поле title" not in russian and not foreign_runs(russian, "ru"), russian
    english = _import_problems(client, "en")
    assert "field “Title” (column title)" in english, english
