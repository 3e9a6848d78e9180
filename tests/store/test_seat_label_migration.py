"""Migration 0035 (lang18b) on a database that already has committee seats (both
stores): each seat gets its Russian label the way ``pfund`` derives one for a new seat,
a donor seat by its state's name as the Russian pages write countries."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from pfund.domain.governance import Side
from pfund.services.committee import SeatRequest, default_label_ru
from pfund.store import make_engine, upgrade
from pfund.web.localize import country_name

SEATS = [  # label, side, contributor
    ("Donor DEU", "donor", "DEU"),
    ("Donor USA", "donor", "USA"),
    ("Russian seat 2", "russian", None),
    ("Moscow chair", "russian", None),  # not the sample's numbering: left for the label
    ("Donor ZZZ", "donor", "ZZZ"),  # no such state: its code stands in
]


def test_0035_fills_the_russian_labels_of_the_seats_stored_before(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0034")
        at = datetime(2026, 1, 1, tzinfo=UTC)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO committees (code, name, name_ru, rule, created_at)"
                    " VALUES ('joint', 'Joint', 'Совместный', '{}', :at)"
                ),
                {"at": at},
            )
            for label, side, contributor in SEATS:
                connection.execute(
                    text(
                        "INSERT INTO committee_seats (committee, label, side, contributor,"
                        " holder, suspended, created_at) VALUES ('joint', :label, :side,"
                        " :contributor, '', false, :at)"
                    ),
                    {"label": label, "side": side, "contributor": contributor, "at": at},
                )
        upgrade(engine)
        with engine.connect() as connection:
            stored: dict[str, str] = dict(
                connection.execute(text("SELECT label, label_ru FROM committee_seats")).all()
            )
    finally:
        engine.dispose()
    assert stored == {
        "Donor DEU": "Донор — Германия",
        "Donor USA": "Донор — Соединенные Штаты",
        "Russian seat 2": "Российское место 2",
        "Moscow chair": "",
        "Donor ZZZ": "Донор — ZZZ",
    }
    assert stored["Donor DEU"] == "Донор — " + country_name("DEU", "Germany", "ru")
    for label, side, contributor in SEATS:  # as a seat added now would get it
        request = SeatRequest(label=label, side=Side(side), contributor=contributor)
        assert default_label_ru(request) == stored[label], label
