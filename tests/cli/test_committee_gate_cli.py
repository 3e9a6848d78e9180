"""``pfund portfolio approve`` on a run the joint committee has not passed: exit 1, and
the message names the run and the commands that put it to the committee."""

from __future__ import annotations

import pytest

from tests.cli.conftest import Invoke, as_json

pytestmark = pytest.mark.committee_gate


def test_the_cli_names_the_run_and_the_commands_that_put_it_to_the_committee(
    cli: Invoke,
) -> None:
    assert cli("demo", "--no-report").exit_code == 0
    assert cli("fund", "contributions", "--year", "2023", "--received").exit_code == 0
    run = as_json(cli("portfolio", "optimize", "--json"))["record_id"]
    refused = cli("portfolio", "approve", run)
    said = " ".join(refused.output.split())
    assert refused.exit_code == 1
    assert f"run {run} cannot be approved: it has no decision of the joint committee" in said
    assert f"pfund committee open portfolio --run {run} --title TEXT" in said
    assert "pfund committee tally ITEM --close" in said
    assert "Traceback" not in said
