"""What the plan assumes: the fund's scenarios, as the public conditions page shows them.

The fund plans its money under a few scenarios (``scenarios/default.yaml`` of its data
set): each says how likely each stage is to be reached by each year, and carries a
weight. They are planning judgements, not forecasts; the portal shows them so a reader
can see what the plan rests on. Per stage a reader is told the first year by which it is
more likely than not (above one half), and how likely it is by the last year the
scenario gives, since a stage may never become more likely than not.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from pfund.conditions import Scenario
from pfund.conditions.scenarios import p_reached
from pfund.domain import Stage
from pfund.io.dataset import bundled_dataset
from pfund.services.runtime import Runtime
from pfund.services.scenarios import load_scenario_file

LIKELY = 0.5  # more likely than not: a probability above this


class StageOutlook(BaseModel):
    """One stage under one scenario: ``likely_by`` the first year its probability is
    above one half (None when it never is), ``p_last`` its probability by ``last_year``
    (the last year the scenario gives for it; None when it gives none: never reached)."""

    number: int
    name: str
    name_ru: str
    likely_by: int | None
    last_year: int | None
    p_last: float


class ScenarioView(BaseModel):
    key: str
    name: str
    name_ru: str
    description: str
    description_ru: str
    share: float  # the scenario's weight as a share of all weights
    stages: list[StageOutlook]


def scenario_file(rt: Runtime) -> Path:
    return (rt.dataset or bundled_dataset()) / "scenarios" / "default.yaml"


def plan_assumptions(rt: Runtime) -> list[ScenarioView]:
    """The fund's scenarios, each with its share of the weight and each stage's outlook;
    an empty list when the data set has no scenario file."""
    path = scenario_file(rt)
    if not path.exists():
        return []
    with rt.uow() as uow:
        stages = sorted((s for s in uow.stages.list() if s.number > 0), key=lambda s: s.number)
    loaded = load_scenario_file(path, [0, *(s.number for s in stages)])
    weights = {k: 1.0 if s.weight is None else s.weight for k, s in loaded.items()}
    total = sum(weights.values()) or 1.0
    return [_view(key, s, weights[key] / total, stages) for key, s in loaded.items()]


def _view(key: str, scenario: Scenario, share: float, stages: list[Stage]) -> ScenarioView:
    return ScenarioView(
        key=key,
        name=scenario.english_name,
        name_ru=scenario.name_ru,
        description=scenario.description,
        description_ru=scenario.description_ru,
        share=share,
        stages=[_outlook(scenario, s) for s in stages],
    )


def _outlook(scenario: Scenario, stage: Stage) -> StageOutlook:
    years = sorted(scenario.reach.get(stage.number, {}))
    likely = [y for y in years if p_reached(scenario, stage.number, y) > LIKELY]
    last = years[-1] if years else None
    return StageOutlook(
        number=stage.number,
        name=stage.name,
        name_ru=stage.name_ru or stage.name,
        likely_by=likely[0] if likely else None,
        last_year=last,
        p_last=p_reached(scenario, stage.number, last) if last is not None else 0.0,
    )
