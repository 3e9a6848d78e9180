"""ui17: an agreement's change lines on the staff page read as the page writes money and
dates, in its language: an amendment's amounts, an extension's end dates (one not set
before shown as a dash), a cancellation's decommitted money and a refund in another
currency, never the stored ``"EUR 100000.00"`` or ``"2029-12-31 -> 2030-12-31"``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from pfund.api import create_app
from pfund.domain.account import Role
from pfund.domain.agreement import Amendment
from pfund.services import accounts
from pfund.services.agreements import amend, cancel, draw_up, sign
from pfund.services.runtime import Runtime
from pfund.settings import Settings
from pfund.web.change_words import change_value
from pfund.web.i18n import Formatter
from tests.services.test_currencies import approve_euro_project, fund, on_day
from tests.services.test_rate_lines_ru import PASSWORD, _page, refunded

__all__ = ["fund", "refunded"]  # the dollar fund, and its euro refund (lang18b)

NBSP = "\xa0"


def _en(whole: int) -> str:
    """US dollars as an English page writes them: $1,234."""
    return f"${whole:,}"


def _ru(whole: int) -> str:
    """US dollars as a Russian page writes them: 1 234 $ (no-break spaces)."""
    return f"{whole:,}".replace(",", NBSP) + f"{NBSP}$"


@pytest.fixture
def changed(fund: Runtime, monkeypatch: pytest.MonkeyPatch) -> tuple[Runtime, Decimal, Decimal]:
    """A euro project's agreement (in the fund's dollars: USD 1,050,000.00) drawn up
    without an end date, signed, extended, amended up by USD 1,000.40 and cancelled."""
    on_day(monkeypatch, date(2024, 7, 8))
    approve_euro_project(fund, "ENV-EUR-17")
    made = draw_up(fund, "ENV-EUR-17")
    sign(fund, made.id, signed_on=date(2024, 7, 8))
    extend = Amendment(version=2, reason="Works delayed by the floods", ends_on=date(2026, 12, 31))
    amend(fund, made.id, extend)
    more = made.amount + Decimal("1000.40")
    amend(fund, made.id, Amendment(version=3, reason="A second site added", amount=more))
    cancel(fund, made.id, reason="The partner withdrew", version=4)
    accounts.add_user(fund, "fin18", PASSWORD, roles=[Role.ADMIN], display_name="Fin")
    return fund, made.amount, more


def _pages(rt: Runtime, database_url: str) -> tuple[str, str]:
    app = create_app(Settings(database_url=database_url), runtime=rt)
    with TestClient(app) as client:
        en = _page(client, "/staff/agreements?lang=en")
        return en, _page(client, "/staff/agreements?lang=ru")


def test_amounts_and_end_dates_of_changes_read_as_the_page_writes_them(
    changed: tuple[Runtime, Decimal, Decimal], database_url: str
) -> None:
    rt, before, after = changed
    en, ru = _pages(rt, database_url)
    old, new = round(before), round(after)
    assert f"Amount: {_en(old)} → {_en(new)}" in en, en
    assert f"Сумма: {_ru(old)} → {_ru(new)}" in ru, ru
    assert "Ends on: — → December 31, 2026" in en
    assert "Дата окончания: — → 31 декабря 2026\u202fг." in ru
    # what was committed and unpaid (the tranche's dollars), not the amended ceiling
    assert f"Decommitted: {_en(old)}" in en and f"Снято с обязательств: {_ru(old)}" in ru
    for page in (en, ru):
        assert f"{before:.2f}" not in page and f"{after:.2f}" not in page
        assert "2026-12-31" not in page
        assert " -> " not in page and "None" not in page


def test_a_refund_in_euros_reads_as_money_in_either_language(
    refunded: Runtime, database_url: str
) -> None:
    """The refund of EUR 100,000.00 under a dollar agreement: its amount in euros, its
    exchange difference in the fund's dollars."""
    en, ru = _pages(refunded, database_url)
    assert "Amount: €100,000" in en, en
    assert f"Сумма: 100{NBSP}000{NBSP}€" in ru, ru
    for page in (en, ru):
        assert "EUR 100000.00" not in page and "USD 0" not in page
    assert "Exchange difference: $0" in en and f"Курсовая разница: 0{NBSP}$" in ru


@pytest.mark.parametrize(
    ("key", "text", "en", "ru"),
    [
        ("amount", "67500000.00 -> 74250000.00", "$67,500,000 → $74,250,000", None),
        ("repooled", "0", "$0", f"0{NBSP}$"),
        ("exchange_difference", "USD -12.00", "-$12", f"-12{NBSP}$"),
        ("ends_on", "2029-12-31 -> 2030-12-31", "December 31, 2029 → December 31, 2030", None),
        ("reporting_duties", " -> Reports every quarter", "— → Reports every quarter", None),
        ("tranches", "T-1, T-2", "T-1, T-2", "T-1, T-2"),
        ("amount", "about 5 -> 6", "about 5 -> 6", "about 5 -> 6"),  # another shape: as kept
    ],
)
def test_each_kind_of_change_value(key: str, text: str, en: str, ru: str | None) -> None:
    assert change_value(key, text, "USD", Formatter("en")) == en
    if ru is not None:
        assert change_value(key, text, "USD", Formatter("ru")) == ru
