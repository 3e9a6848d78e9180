"""A condition names its verifiers by the codes of the fund's register (which names each
in English and Russian); a code the register lacks is refused when the data set is
loaded, naming the file, the condition, its row and the field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pfund.errors import InvalidInput
from pfund.io.dataset import bundled_dataset, load_dataset


def test_every_bundled_condition_names_registered_verifiers() -> None:
    data = load_dataset()
    register = {v.code: v for v in data.fund.verifiers}
    for condition in data.conditions:
        codes = condition.protocol.verifier_codes
        assert codes, condition.code
        assert all(register[c].name_ru for c in codes), condition.code
    sanctions = next(c for c in data.conditions if c.code == "sanctions_relief_phase1")
    assert sanctions.protocol.verifier_codes == ["eu_council", "us_treasury_ofac"]


def test_an_unregistered_verifier_is_refused_with_file_condition_and_field(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    shutil.copytree(bundled_dataset(), data)
    file = data / "conditions.yaml"
    text = file.read_text(encoding="utf-8")
    file.write_text(
        text.replace("verifier: osce_monitoring", "verifier: osce_monitoring, the_moon", 1),
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput) as refused:
        load_dataset(data)
    [problem] = refused.value.problems
    assert (problem.file, problem.row, problem.field) == ("conditions.yaml", 1, "protocol.verifier")
    assert "condition ceasefire_holding: 'the_moon' is not a registered verifier" in (
        problem.reason
    )
    assert "osce_monitoring" in problem.reason  # the register's codes are listed
