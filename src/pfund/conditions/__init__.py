"""Conditions engine: status changes, stage gates for tranches, and scenarios.

Pure computation on domain objects and arrays: statuses and dates come in as values,
results go out as plain dataclasses; nothing here reads a clock, a store or a network.

- `transitions`: the verification protocol's allowed status changes;
- `stages`: the stage reached, what it unlocks, and the gate every tranche passes;
- `scenarios`: probabilities of reaching each stage by each year, validated;
- `expected`: expected disbursements and contributions under a scenario;
- `stochastic`: the portfolio chosen now under uncertain stages (one optimisation).
"""

from __future__ import annotations

from pfund.conditions.expected import (
    expected_disbursements,
    expected_envelope,
    expected_share,
)
from pfund.conditions.scenarios import Scenario, load_scenarios, mix, p_reached
from pfund.conditions.stages import (
    FreezeResult,
    GateResult,
    frozen_by_reversal,
    required_conditions,
    stage_reached,
    statuses_of,
    tranche_gate,
    unfreeze_candidates,
    unlocked,
)
from pfund.conditions.stochastic import (
    ScenarioOutcome,
    compare_scenarios,
    expected_costs,
    reach_probabilities,
    scenario_problem,
    start_years_of,
    what_if,
)
from pfund.conditions.transitions import (
    ALLOWED_TRANSITIONS,
    ConditionChange,
    allowed_next,
    apply_change,
    check_history,
    check_transition,
    evidence_problem,
    registered_verifier,
)

__all__ = [
    "ALLOWED_TRANSITIONS",
    "ConditionChange",
    "FreezeResult",
    "GateResult",
    "Scenario",
    "ScenarioOutcome",
    "allowed_next",
    "apply_change",
    "check_history",
    "check_transition",
    "compare_scenarios",
    "evidence_problem",
    "expected_costs",
    "expected_disbursements",
    "expected_envelope",
    "expected_share",
    "frozen_by_reversal",
    "load_scenarios",
    "mix",
    "p_reached",
    "reach_probabilities",
    "registered_verifier",
    "required_conditions",
    "scenario_problem",
    "stage_reached",
    "start_years_of",
    "statuses_of",
    "tranche_gate",
    "unfreeze_candidates",
    "unlocked",
    "what_if",
]
