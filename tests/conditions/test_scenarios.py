"""Scenario files: validation with file and field named, the step function, expectations."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
import yaml

from pfund.conditions import (
    Scenario,
    expected_disbursements,
    expected_envelope,
    load_scenarios,
    mix,
    p_reached,
)
from pfund.domain import Tranche
from pfund.errors import InvalidInput
from pfund.io.dataset import bundled_dataset

STAGES = (0, 1, 2, 3)


def _load(name: str) -> dict[str, Scenario]:
    path = bundled_dataset() / "scenarios" / name
    return load_scenarios(yaml.safe_load(path.read_text()), source=path.name, stages=STAGES)


def _one(**table: object) -> Scenario:
    return load_scenarios({"scenarios": {"t": table}}, source="s.yaml", stages=STAGES)["t"]


def test_bundled_files_load() -> None:
    default = _load("default.yaml")
    assert set(default) == {"stalemate", "ceasefire_only", "settlement"}
    assert p_reached(default["ceasefire_only"], 2, 2060) == 0.0
    dated = _load("dated.yaml")
    assert p_reached(dated["settlement_dated"], 2, 2029) == 1.0
    files = sorted(p.name for p in (bundled_dataset() / "scenarios").glob("*.yaml"))
    assert files == ["dated.yaml", "default.yaml"]
    for scenarios in (default, dated):
        years = {y for s in scenarios.values() for t in s.reach.values() for y in t}
        assert min(years) >= 2026
        assert max(years) <= 2060
        # Every scenario is named in English, and named and described in Russian too.
        assert all(s.name_en and s.name_ru and s.description_ru for s in scenarios.values())
    assert dated["settlement_dated"].english_name == "Settlement on dates"


def test_a_scenario_s_english_name_is_its_own_field_and_the_key_stays_its_id() -> None:
    named = _one(name="A long stalemate", stage_1={2026: 0.1})
    assert (named.name, named.english_name) == ("t", "A long stalemate")
    # Without a name, the key in words, as before.
    assert _one(stage_1={2026: 0.1}).english_name == "T"
    with pytest.raises(InvalidInput) as bad:
        _one(name="Named", stage_1={2026: 1.5})
    assert bad.value.problems[0].field == "scenarios.t.stage_1.2026"
    assert "'t'" in bad.value.message


@pytest.mark.parametrize(
    ("table", "field", "words"),
    [
        ({"stage_1": {2026: 1.5}}, "scenarios.t.stage_1.2026", "must lie in 0..1"),
        ({"stage_1": {2026: 0.6, 2027: 0.4}}, "scenarios.t.stage_1.2027", "falls"),
        (
            {"stage_1": {2026: 0.2}, "stage_2": {2026: 0.3}},
            "scenarios.t.stage_2.2026",
            "more likely",
        ),
        ({"stage_7": {2026: 0.1}}, "scenarios.t.stage_7", "unknown stage 7"),
        ({"stage_one": {2026: 0.1}}, "scenarios.t.stage_one", "unknown stage"),
        ({"stage_1": {2027: 0.3, 2026: 0.1}}, "scenarios.t.stage_1.2026", "out of order"),
        ({"path": {1: 2029, 2: 2027}}, "scenarios.t.path.2", "out of order"),
        ({"stage_0": {2026: 1.0}}, "scenarios.t.stage_0", "always reached"),
        ({"stage_1": {2026: "soon"}}, "scenarios.t.stage_1.2026", "valid number"),
    ],
)
def test_invalid_scenario_names_file_field_and_reason(
    table: dict[str, object], field: str, words: str
) -> None:
    with pytest.raises(InvalidInput) as info:
        _one(**table)
    hits = [p for p in info.value.problems if p.field == field]
    assert hits, [str(p) for p in info.value.problems]
    assert hits[0].file == "s.yaml"
    assert words in hits[0].reason


def test_weights_must_be_given_to_all_or_none() -> None:
    data = {"scenarios": {"a": {"weight": 1}, "b": {"stage_1": {2026: 0.5}}}}
    with pytest.raises(InvalidInput, match="incomplete weights"):
        load_scenarios(data, source="w.yaml")


def test_p_reached_is_a_step_function() -> None:
    s = _one(stage_1={2026: 0.3, 2027: 0.6, 2028: 0.8}, stage_2={2028: 0.5})
    assert p_reached(s, 1, 2025) == 0.0
    assert p_reached(s, 1, 2026) == 0.3
    assert p_reached(s, 1, 2027) == 0.6
    assert p_reached(s, 1, 2040) == 0.8
    assert p_reached(s, 2, 2027) == 0.0
    assert p_reached(s, 3, 2040) == 0.0
    assert p_reached(s, 0, 1999) == 1.0


def test_mix_is_the_weighted_average_of_paths() -> None:
    paths = {
        "early": Scenario(path={1: 2026, 2: 2027}, weight=3),
        "late": Scenario(path={1: 2028}, weight=1),
    }
    mixed = mix(paths)
    assert p_reached(mixed, 1, 2027) == pytest.approx(0.75)
    assert p_reached(mixed, 1, 2028) == pytest.approx(1.0)
    assert p_reached(mixed, 2, 2030) == pytest.approx(0.75)


def test_expected_disbursements_weigh_each_tranche_by_its_stage() -> None:
    s = _one(stage_1={2026: 0.5, 2027: 1.0}, stage_2={2027: 0.25})

    def tranche(tid: str, year: int, stage: int, status: str = "planned") -> Tranche:
        data = {"id": tid, "project_id": "P", "year": year, "amount": "100", "stage": stage}
        return Tranche.model_validate({**data, "status": status})

    tranches = [
        tranche("a", 2026, 1),
        tranche("b", 2027, 2),
        tranche("c", 2026, 2, "disbursed"),
        tranche("d", 2027, 1, "cancelled"),
    ]
    assert expected_disbursements(tranches, s) == {2026: 150.0, 2027: 25.0}
    arrays = (np.array([2026, 2027]), np.array([100.0, 100.0]), np.array([1, 2]))
    assert expected_disbursements(arrays, s) == {2026: 50.0, 2027: 25.0}


def test_envelope_flows_from_stage_one_unless_shares_say_otherwise() -> None:
    s = _one(stage_1={2026: 0.5, 2027: 1.0}, stage_2={2027: 0.5})
    envelope = {2026: Decimal(1000), 2027: Decimal(1000)}
    assert expected_envelope(envelope, s) == {2026: Decimal("500.00"), 2027: Decimal("1000.00")}
    shares = {0: 0.1, 1: 0.5, 2: 1.0}
    # 2026: 0.5 at stage 0 and 0.5 at stage 1; 2027: half at stage 1, half at stage 2
    assert expected_envelope(envelope, s, share_by_stage=shares) == {
        2026: Decimal("300.00"),
        2027: Decimal("750.00"),
    }
    later = Scenario.model_validate({"stage_1": {2026: 0.5}, "contributions_from_stage": 0})
    assert expected_envelope(envelope, later)[2026] == Decimal("1000.00")


def test_scenario_files_are_plain_yaml_with_comments(tmp_path: Path) -> None:
    text = (bundled_dataset() / "scenarios" / "default.yaml").read_text()
    assert text.startswith("#")
    copy = tmp_path / "copy.yaml"
    copy.write_text(text.replace("0.15", "0.01"))
    with pytest.raises(InvalidInput) as info:
        load_scenarios(yaml.safe_load(copy.read_text()), source=copy.name, stages=STAGES)
    assert info.value.problems[0].field == "scenarios.stalemate.stage_1.2028"
