"""``pfund committee``: seats weighted from the ledger, a vote refused from a lapsed seat
and a second vote refused (exit 1, nothing stored), the tally with its reasons."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from tests.cli.conftest import Invoke, as_json


def test_seats_votes_and_tally_from_the_command_line(
    demo_db: Invoke, today: Callable[[date], None]
) -> None:
    today(date(2026, 6, 1))
    cli = demo_db
    assert cli("fund", "contributions", "--year", "2023", "--received").exit_code == 0
    assert (
        cli(
            "committee", "seat-add", "Donor USA", "--side", "donor", "--contributor", "USA"
        ).exit_code
        == 0
    )
    for n, org in ((1, "ORG-0001"), (3, "ORG-0003")):
        added = cli(
            "committee",
            "seat-add",
            f"Russian seat {n}",
            "--side",
            "russian",
            "--organisation",
            org,
            "--holder",
            "Sekret Holderov",
        )
        assert added.exit_code == 0, added.output
    seats = {s["label"]: s for s in as_json(cli("committee", "seats", "--json"))}
    assert float(seats["Donor USA"]["weight"]) > 0
    assert seats["Russian seat 3"]["standing"] == "suspended"
    assert "Sekret" not in str(seats)
    item = as_json(
        cli(
            "committee",
            "open",
            "appraisal",
            "--title",
            "Identify",
            "--projects",
            "TRN-M11-03",
            "--json",
        )
    )["id"]
    lapsed = cli("committee", "vote", str(item), "yes", "--seat", "Russian seat 3")
    assert lapsed.exit_code == 1 and "suspended" in lapsed.output
    assert as_json(cli("committee", "vote", str(item), "yes", "--seat", "Donor USA", "--json"))
    again = cli("committee", "vote", str(item), "no", "--seat", "Donor USA")
    assert again.exit_code == 1 and "already voted" in again.output
    cli("committee", "vote", str(item), "yes", "--seat", "Russian seat 1")
    tally = as_json(cli("committee", "tally", str(item), "--close", "--json"))
    assert tally["tally"]["passed"] is True and tally["item"]["record_id"] == "CMT-0001"
    assert [v["vote"] for v in tally["votes"]] == ["yes", "yes", None]


def test_a_seat_takes_its_russian_label_from_the_option_or_derives_it(demo_db: Invoke) -> None:
    """lang18b: ``--label-ru`` gives the label a Russian page shows; without it a donor
    seat is named by its state in Russian and 'Russian seat N' as 'Российское место N'."""
    cli = demo_db
    assert cli("fund", "contributions", "--year", "2023", "--received").exit_code == 0
    for args in (
        ("Donor USA", "--side", "donor", "--contributor", "USA"),
        ("Donor DEU", "--side", "donor", "--contributor", "DEU", "--label-ru", "Место ФРГ"),
        ("Russian seat 2", "--side", "russian", "--organisation", "ORG-0001"),
    ):
        added = cli("committee", "seat-add", *args)
        assert added.exit_code == 0, added.output
    seats = {s["label"]: s["label_ru"] for s in as_json(cli("committee", "seats", "--json"))}
    assert seats == {
        "Donor USA": "Донор — Соединенные Штаты",
        "Donor DEU": "Место ФРГ",
        "Russian seat 2": "Российское место 2",
    }
    bad = cli(
        "committee",
        "seat-add",
        "Donor GBR",
        "--side",
        "donor",
        "--contributor",
        "GBR",
        "--label-ru",
        "Место <GBR>",
    )
    assert bad.exit_code == 1 and "label_ru" in bad.output
