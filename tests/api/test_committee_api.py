"""The joint committee through the API and the pages: a member votes only for the seat
they hold, once; the public page shows seat labels and votes, never a holder."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient

from pfund.domain.account import Role
from pfund.domain.governance import ItemKind, Side
from pfund.services import accounts
from pfund.services.committee import ItemRequest, SeatRequest, add_seat, open_item
from pfund.services.runtime import Runtime
from tests.api.conftest import PASSWORD, Headers, csrf_of, sign_in
from tests.language_runs import foreign_runs

HOLDER = "Zinaida Kholderova-Sekretnaya"
VOTES = "/api/v1/committee/items/{}/votes"


@pytest.fixture
def item(app_rt: Runtime, today: Callable[[date], None]) -> int:
    today(date(2026, 6, 1))
    for name in ("cm1", "cm2"):
        accounts.add_user(app_rt, name, PASSWORD, roles=[Role.COMMITTEE_MEMBER])
    seats = [
        SeatRequest(label="Donor USA", side=Side.DONOR, contributor="USA", member="cm1"),
        SeatRequest(label="Donor DEU", side=Side.DONOR, contributor="DEU"),
        SeatRequest(
            label="Russian seat 1",
            side=Side.RUSSIAN,
            organisation_id="ORG-0001",
            member="cm2",
            holder=HOLDER,
        ),
        SeatRequest(label="Russian seat 2", side=Side.RUSSIAN, organisation_id="ORG-0002"),
    ]
    for seat in seats:
        add_seat(app_rt, seat)
    request = ItemRequest(
        kind=ItemKind.APPRAISAL,
        title="Identify proposals for appraisal",
        title_ru="Отобрать предложения для оценки",
        projects=["TRN-M11-03"],
    )
    return open_item(app_rt, request).id


def test_a_member_votes_once_for_their_own_seat_through_the_api(
    client: TestClient, token_for: Callable[[str], Headers], item: int
) -> None:
    cm1 = token_for("cm1")
    ballot = {"seat": "Donor USA", "vote": "yes"}
    assert client.post(VOTES.format(item), json=ballot).status_code == 401
    assert client.post(VOTES.format(item), json=ballot, headers=token_for("rev")).status_code == 403
    answer = client.post(VOTES.format(item), json=ballot, headers=cm1)
    assert answer.status_code == 201, answer.text
    assert answer.json()["seat"] == "Donor USA" and answer.json()["vote"] == "yes"
    again = client.post(VOTES.format(item), json={**ballot, "vote": "no"}, headers=cm1)
    assert again.status_code == 409 and "already voted" in again.text
    theirs = {"seat": "Russian seat 1", "vote": "no"}
    assert client.post(VOTES.format(item), json=theirs, headers=cm1).status_code == 403
    seats = client.get("/api/v1/committee/seats", headers=cm1).json()
    assert {s["label"] for s in seats} >= {"Donor USA", "Russian seat 1"}
    assert HOLDER not in str(seats)


def test_votes_cast_on_the_page_and_the_public_record(
    client: TestClient, token_for: Callable[[str], Headers], item: int
) -> None:
    sign_in(client, "cm2")
    page = client.get("/staff/committee")
    assert page.status_code == 200 and "Russian seat 1" in page.text and HOLDER not in page.text
    data = {"seat": "Russian seat 1", "choice": "yes", "csrf_token": csrf_of(page.text)}
    done = client.post(f"/staff/committee/{item}/vote", data=data, follow_redirects=False)
    assert done.status_code == 303
    refused = client.post(f"/staff/committee/{item}/vote", data=data)
    assert refused.status_code == 409 and "already voted" in refused.text
    client.post(
        VOTES.format(item), json={"seat": "Donor USA", "vote": "yes"}, headers=token_for("cm1")
    )
    closed = client.post(f"/api/v1/committee/items/{item}/close", headers=token_for("ana"))
    assert closed.status_code == 200, closed.text
    assert closed.json()["tally"]["passed"] is True
    client.cookies.clear()
    said = {
        "en": ("carried by the rule", "Russian seat 1", "Российское место 1"),
        "ru": ("принято по правилу", "Российское место 1", "Russian seat 1"),
    }
    for lang, (words, seat, other) in said.items():
        public = client.get(f"/committee?lang={lang}")
        assert public.status_code == 200
        assert seat in public.text and words in public.text and other not in public.text
        assert ("Записать" not in public.text) if lang == "ru" else True  # a noun, not a verb
        assert HOLDER not in public.text


def test_seats_read_in_the_pages_language_and_are_voted_by_their_label(
    client: TestClient, app_rt: Runtime, item: int
) -> None:
    """A Russian page shows each seat by its Russian label (given, or derived from the
    donor's state or the sample's 'Russian seat N'); the vote form still sends the label."""
    given = SeatRequest(
        label="Donor NOR", label_ru="Место Норвегии", side=Side.DONOR, contributor="NOR"
    )
    assert add_seat(app_rt, given).label_ru == "Место Норвегии"
    sign_in(client, "cm2")
    ru = client.get("/staff/committee?lang=ru").text
    main = ru[ru.index("<main") : ru.index("</main>")]
    for russian in ("Донор — Соединенные Штаты", "Донор — Германия", "Место Норвегии"):
        assert f"<td>{russian}</td>" in main, russian
    # both of the seat's forms (its vote and a conflict) offer it by its Russian label
    assert main.count('<option value="Russian seat 1">Российское место 1</option>') == 2
    assert "Donor USA" not in main and "Donor NOR" not in main
    assert not foreign_runs(main, "ru"), foreign_runs(main, "ru")
    en = client.get("/staff/committee?lang=en").text
    assert "<td>Donor USA</td>" in en and "Донор" not in en
    data = {"seat": "Russian seat 1", "choice": "yes", "csrf_token": csrf_of(ru)}
    done = client.post(f"/staff/committee/{item}/vote?lang=ru", data=data, follow_redirects=False)
    assert done.status_code == 303, done.text
