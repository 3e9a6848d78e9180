"""``pfund fx`` (the name issue 17 gives the exchange rates) runs the ``pfund rates`` commands."""

from __future__ import annotations

from tests.cli.conftest import Invoke, as_json


def test_fx_is_the_rates_commands_under_another_name(demo_db: Invoke) -> None:
    asked = ("show", "EUR", "--date", "2024-06-28", "--amount", "1000", "--json")
    fx, rates = as_json(demo_db("fx", *asked)), as_json(demo_db("rates", *asked))
    assert fx == rates and fx["rate"]["rate"] == "1.0705"  # EUR 1,000 = USD 1,070.50
    listed = as_json(demo_db("fx", "list", "--currency", "JPY", "--json"))
    assert [r["rate"] for r in listed] == ["171.94", "155.53"]
