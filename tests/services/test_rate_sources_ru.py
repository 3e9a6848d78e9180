"""A rate's source is data a person reads (the public money pages, open data, the staff
rates page): it is stored in English and in Russian, as the fund's other data is, and a
Russian page shows the Russian. The ECB's own name gets its Russian by default."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pfund.api import create_app
from pfund.io.rates import ECB_SOURCE, ECB_SOURCE_RU
from pfund.services import portal
from pfund.services.opendata import public_dataset
from pfund.services.rates import import_rates, list_rates
from pfund.services.runtime import Runtime
from pfund.services.tranches import disburse_tranche, release_tranche
from pfund.settings import Settings
from tests.language_runs import foreign_runs
from tests.services.test_currencies import RATES, approve_euro_project, fund, on_day, write

__all__ = ["fund"]  # the dollar fund of the currency tests, with its "test rates"

OURS = "Проверочные курсы для испытаний"


@pytest.fixture
def paid(fund: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    """A euro project committed and paid at rates whose source has its Russian."""
    later = RATES.replace("2024-07-05,1.0500", "2024-07-08,1.0600").splitlines()
    body = "\n".join([later[0], later[1]]) + "\n"
    import_rates(fund, write(tmp_path, "later.csv", body), source="Our rates", source_ru=OURS)
    on_day(monkeypatch, date(2024, 7, 8))
    tid = approve_euro_project(fund, "ENV-EUR-09")
    release_tranche(fund, tid)
    disburse_tranche(fund, tid)
    return fund


def test_the_rates_source_is_kept_in_both_languages(paid: Runtime) -> None:
    shown = portal.overview(paid)
    assert shown.rate_sources == ["Our rates"] and shown.rate_sources_ru == [OURS]
    table = public_dataset(paid, "ledger-entries", "csv").decode()
    converted = [r for r in csv.DictReader(io.StringIO(table)) if r["original_currency"]]
    assert converted and all(r["rate_source"] == "Our rates" for r in converted)
    assert all(r["rate_source_ru"] == OURS for r in converted)
    # a source given in English only (the currency tests' "test rates") has no Russian
    older = [r for r in list_rates(paid) if r.day == date(2024, 7, 1)]
    assert older and all((r.source, r.source_ru) == ("test rates", "") for r in older)


def test_the_ecbs_name_has_its_russian_by_default(fund: Runtime, tmp_path: Path) -> None:
    body = "Date,USD,\n2024-07-09,1.0700,\n"
    done = import_rates(fund, write(tmp_path, "ecb.csv", body), source=ECB_SOURCE)
    assert done.source_ru == ECB_SOURCE_RU
    (rate,) = [r for r in list_rates(fund) if r.day == date(2024, 7, 9)]
    assert (rate.source, rate.source_ru) == (ECB_SOURCE, ECB_SOURCE_RU)


def test_the_funding_page_names_the_source_in_the_readers_language(
    paid: Runtime, database_url: str
) -> None:
    app = create_app(Settings(database_url=database_url), runtime=paid)
    with TestClient(app) as client:
        russian = client.get("/funding?lang=ru").text
        english = client.get("/funding?lang=en").text
    assert OURS in russian and "Our rates" not in russian
    assert "Our rates" in english and OURS not in english
    assert not [run for run in foreign_runs(russian, "ru") if "rates" in run]
