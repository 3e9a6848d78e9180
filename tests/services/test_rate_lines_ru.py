"""lang18b: a conversion the staff pages show reads in the page's language: an
agreement's 'rate' change line (stored as the service states it, in English) and a
converted tranche's own amount with the rate and source of its commitment, the source
by its Russian name (exchange_rates.source_ru) on a Russian page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pfund.api import create_app
from pfund.domain.account import Role
from pfund.services import accounts
from pfund.services.agreements import draw_up, refund, sign
from pfund.services.rates import import_rates
from pfund.services.runtime import Runtime
from pfund.services.tranches import disburse_tranche, release_tranche
from pfund.settings import Settings
from tests.api.conftest import csrf_of
from tests.language_runs import foreign_runs
from tests.services.test_currencies import RATES, approve_euro_project, fund, on_day, write

__all__ = ["fund"]  # the dollar fund of the currency tests

OURS = "Проверочные курсы для испытаний"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def refunded(fund: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    """A euro project committed, paid and partly refunded at rates with a Russian source."""
    later = RATES.replace("2024-07-05,1.0500", "2024-07-08,1.0600").splitlines()
    body = "\n".join([later[0], later[1]]) + "\n"
    import_rates(fund, write(tmp_path, "later.csv", body), source="Our rates", source_ru=OURS)
    on_day(monkeypatch, date(2024, 7, 8))
    tid = approve_euro_project(fund, "ENV-EUR-18")
    agreement = draw_up(fund, "ENV-EUR-18")
    sign(fund, agreement.id, signed_on=date(2024, 7, 8))
    release_tranche(fund, tid)
    disburse_tranche(fund, tid)
    on_day(monkeypatch, date(2024, 7, 10))  # the latest rate is of 2024-07-08
    refund(fund, agreement.id, Decimal("100000.00"), reason="Unspent works budget")
    accounts.add_user(fund, "fin18", PASSWORD, roles=[Role.ADMIN], display_name="Fin")
    return fund


def _page(client: TestClient, path: str) -> str:
    form = client.get("/signin").text
    client.post(
        "/signin",
        data={"username": "fin18", "password": PASSWORD, "csrf_token": csrf_of(form)},
    )
    answer = client.get(path)
    assert answer.status_code == 200, answer.text
    main = answer.text[answer.text.index("<main") :]
    return str(main[: main.index("</main>")])


def test_the_rate_change_line_and_the_tranches_rate_read_in_russian(
    refunded: Runtime, database_url: str
) -> None:
    app = create_app(Settings(database_url=database_url), runtime=refunded)
    with TestClient(app) as client:
        ru = _page(client, "/staff/agreements?lang=ru")
        en = _page(client, "/staff/agreements?lang=en")
        tranches_ru = _page(client, "/staff/tranches?lang=ru")
        tranches_en = _page(client, "/staff/tranches?lang=en")
    assert "1 EUR = 1,06 USD (курс на 8 июля 2024" in ru, ru
    assert "последний опубликованный до 10 июля 2024" in ru and OURS in ru
    assert "rate of" not in ru and "Our rates" not in ru and not foreign_runs(ru, "ru")
    assert "EUR 1 = USD 1.06 (rate of July 8, 2024, the latest published before" in en
    assert "Our rates" in en and OURS not in en
    assert "1 EUR = 1,06 USD (курс на 8 июля 2024" in tranches_ru and OURS in tranches_ru
    assert not foreign_runs(tranches_ru, "ru"), tranches_ru
    assert "EUR 1 = USD 1.06 (rate of July 8, 2024; Our rates)" in tranches_en


def test_a_source_whose_text_holds_a_semicolon_is_shown_in_russian() -> None:
    """The sample's source is "... (two days; rates/README.md)": read as two sources
    joined by '; ', neither has a Russian name and the Russian page showed it in English
    (the staff tranches page, found by the link crawl)."""
    from pfund.services.demo import SAMPLE_RATES, SAMPLE_RATES_RU
    from pfund.web.rate_words import source_in

    names = {SAMPLE_RATES: SAMPLE_RATES_RU, "Bank of Canada": "Банк Канады"}
    assert source_in(SAMPLE_RATES, "ru", names) == SAMPLE_RATES_RU
    assert source_in("Bank of Canada; ECB", "ru", names) == "Банк Канады; ECB"
    assert source_in(SAMPLE_RATES, "en", names) == SAMPLE_RATES


def test_a_russian_tranches_page_reads_the_sources_once_and_an_english_one_not(
    refunded: Runtime, database_url: str
) -> None:
    """The staff tranches page is bounded in statements (tests/api/test_page_cost.py):
    the Russian names of the rates' sources cost one constant query (and, on SQLite, the
    BEGIN of its unit of work), and only a Russian page that shows a conversion reads
    them; lang18 read them on every page, one over the page's bound."""
    from tests.api.test_page_cost import statements

    app = create_app(Settings(database_url=database_url), runtime=refunded)
    with TestClient(app) as client:
        _page(client, "/staff/tranches?lang=en")
        with statements(refunded) as en:
            client.get("/staff/tranches?lang=en")
        with statements(refunded) as ru:
            assert OURS in client.get("/staff/tranches?lang=ru").text
    reads_en = [s for s in en if s.strip() != "BEGIN"]
    reads_ru = [s for s in ru if s.strip() != "BEGIN"]
    assert len(reads_ru) == len(reads_en) + 1
    assert [s for s in reads_ru if s not in reads_en] == [
        s for s in reads_ru if "exchange_rates.source_ru" in s
    ]
