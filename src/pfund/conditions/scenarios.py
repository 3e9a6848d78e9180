"""Scenarios: how likely each stage is to be reached by each year.

A scenario gives, for each stage k >= 1, the probability that it is reached *by* a year
(``stage_1: {2026: 0.3, 2027: 0.6}``), read as a step function: the value for the latest
year given that is not after the year asked, 0 before the first. A dated path
(``path: {1: 2027, 2: 2029}``) is the certain case: probability 1 from that year on.
Stages are nested, so a higher stage is never more likely than a lower one, and a stage
never becomes less likely as time passes: both are checked, with every problem named
by file and field (``scenarios.<name>.stage_2.2027``).
"""

from __future__ import annotations

import itertools
import math
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, model_validator

from pfund.errors import InvalidInput, Problem

__all__ = ["Scenario", "load_scenarios", "mix", "p_reached"]

YEARS = range(1900, 2201)
STAGE_KEY = re.compile(r"^stage_(\w+)$")
DEFAULT_STAGES = tuple(range(10))  # what `Stage.number` allows
Issue = tuple[str, str]  # (field, reason)


class Scenario(BaseModel):
    """P(stage k reached by year y) for each stage; optionally a weight among scenarios.

    `contributions_from_stage`: contributions to the fund flow in a year only once this
    stage is reached (default 1, a holding ceasefire; see `expected_envelope`).
    A bad table raises `InvalidInput` (not a pydantic error) with every problem named;
    pass ``context={"source", "prefix", "stages"}`` to locate them, as the loader does.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    # The scenario's key in its file: its id, named in every problem.
    name: str = ""
    description: str = ""
    # The scenario's name in English (the file's ``name``; the key in words when not
    # given, see ``english_name``) and its name and description for a Russian reader.
    name_en: str = ""
    name_ru: str = ""
    description_ru: str = ""
    weight: float | None = None
    contributions_from_stage: int = 1
    reach: dict[int, dict[int, float]] = {}
    path: dict[int, int] | None = None

    @property
    def english_name(self) -> str:
        """The English name the file gives, else the key in words (``ceasefire_only`` ->
        "Ceasefire only"), so that an older file without names still reads."""
        if self.name_en:
            return self.name_en
        text = self.name.replace("_", " ").strip()
        return text[:1].upper() + text[1:]

    @model_validator(mode="before")
    @classmethod
    def _gather(cls, data: Any, info: ValidationInfo) -> Any:
        """Turn ``stage_<k>`` keys and a dated ``path`` into the one `reach` table."""
        if not isinstance(data, Mapping) or "reach" in data:
            return data
        out = {k: v for k, v in data.items() if not STAGE_KEY.match(str(k))}
        stages = {str(k): v for k, v in data.items() if STAGE_KEY.match(str(k))}
        issues = [(k, _bad_key_reason(k)) for k in stages if not k[6:].isdigit()]
        if stages and data.get("path") is not None:
            issues.append(("path", "give either a dated path or stage_<k> probabilities"))
        _raise(issues, info, f"invalid scenario {data.get('name', '')!r}")
        out["reach"] = {int(k[6:]): v for k, v in stages.items()}
        path = data.get("path")
        if isinstance(path, Mapping):
            out["reach"] = {k: {y: 1.0} for k, y in path.items()}
        return out

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Scenario:
        known = tuple((info.context or {}).get("stages", DEFAULT_STAGES))
        _raise(list(_issues(self, sorted(known))), info, f"invalid scenario {self.name!r}")
        return self


def _bad_key_reason(key: str) -> str:
    return f"unknown stage {key[6:]!r}: write stage_<number>, e.g. stage_1"


def _raise(issues: list[Issue], info: ValidationInfo | None, message: str) -> None:
    if not issues:
        return
    ctx = (info.context if info else None) or {}
    prefix = ctx.get("prefix", "")
    problems = [Problem(r, ctx.get("source"), field=prefix + f) for f, r in issues]
    raise InvalidInput(message, problems)


def _issues(s: Scenario, known: list[int]) -> Iterator[Issue]:
    if s.weight is not None and not (math.isfinite(s.weight) and s.weight >= 0):
        yield "weight", f"weight {s.weight} must be a finite number >= 0"
    if s.contributions_from_stage not in known:
        yield "contributions_from_stage", f"unknown stage; known stages: {known}"
    for stage, table in s.reach.items():
        yield from _stage_issues(stage, table, known)
    yield from _nesting_issues(s, [k for k in known if k >= 1])
    if s.path:
        yield from _path_issues(s.path)


def _stage_issues(stage: int, table: Mapping[int, float], known: list[int]) -> Iterator[Issue]:
    name = f"stage_{stage}"
    if stage == 0:
        yield name, "stage 0 is always reached; leave it out"
    elif stage not in known:
        yield name, f"unknown stage {stage}; known stages: {[k for k in known if k >= 1]}"
    years = list(table)
    for year, p in table.items():
        if year not in YEARS:
            yield f"{name}.{year}", f"year {year} outside {YEARS.start}..{YEARS.stop - 1}"
        if not (math.isfinite(p) and 0.0 <= p <= 1.0):
            yield f"{name}.{year}", f"probability {p} must lie in 0..1"
    for before, after in itertools.pairwise(years):
        if after <= before:
            yield f"{name}.{after}", f"years out of order: {after} follows {before}"
        elif table[after] < table[before]:
            reason = f"probability falls from {table[before]} in {before} to {table[after]}"
            yield f"{name}.{after}", reason + "; a stage reached by a year is still reached later"


def _nesting_issues(s: Scenario, known: list[int]) -> Iterator[Issue]:
    """A higher stage needs every lower one, so it is never more likely in any year."""
    for lower, higher in itertools.pairwise(known):
        for year in s.reach.get(higher, {}):
            hi, lo = p_reached(s, higher, year), p_reached(s, lower, year)
            if hi > lo:
                reason = f"stage {higher} is more likely by {year} ({hi}) than stage {lower} ({lo})"
                yield f"stage_{higher}.{year}", reason + "; a higher stage needs every lower one"


def _path_issues(path: Mapping[int, int]) -> Iterator[Issue]:
    steps = sorted(path.items())
    for (k0, y0), (k1, y1) in itertools.pairwise(steps):
        if y1 < y0:
            yield f"path.{k1}", f"years out of order: stage {k1} in {y1} before stage {k0} in {y0}"


def p_reached(scenario: Scenario, stage: int, year: int) -> float:
    """P(stage reached by `year`): the value for the latest year <= `year`; 0 before the
    first year given or for a stage not given; 1 for stage 0, which holds now."""
    if stage <= 0:
        return 1.0
    table = scenario.reach.get(stage)
    if not table:
        return 0.0
    years = sorted(table)
    at = bisect_right(years, year)
    return table[years[at - 1]] if at else 0.0


def load_scenarios(
    data: object, *, source: str | None = None, stages: Iterable[int] | None = None
) -> dict[str, Scenario]:
    """Named scenarios from parsed YAML/JSON ``{scenarios: {name: {...}}}``.

    `stages` are the fund's stage numbers (unknown ones are refused); `source` names the
    file in every problem. Give a weight to every scenario or to none.
    """
    known = tuple(DEFAULT_STAGES if stages is None else stages)
    table = data.get("scenarios") if isinstance(data, Mapping) else None
    if not isinstance(table, Mapping) or not table:
        reason = "expected a mapping 'scenarios' of named scenarios"
        raise InvalidInput("no scenarios", [Problem(reason, source, field="scenarios")])
    out = {str(n): _one(str(n), raw, source, known) for n, raw in table.items()}
    _check_weights(out, source)
    return out


def _one(name: str, raw: object, source: str | None, stages: tuple[int, ...]) -> Scenario:
    prefix = f"scenarios.{name}."
    if not isinstance(raw, Mapping):
        problem = Problem("expected a mapping of stage_<k> or path", source, field=prefix[:-1])
        raise InvalidInput(f"invalid scenario {name!r}", [problem])
    ctx = {"source": source, "prefix": prefix, "stages": stages}
    try:
        # The file's ``name`` is the English name; the model's ``name`` is the key.
        fields = {k: v for k, v in raw.items() if k != "name"}
        if "name" in raw:
            fields["name_en"] = raw["name"]
        return Scenario.model_validate({**fields, "name": name}, context=ctx)
    except ValidationError as err:
        problems = [
            Problem(e["msg"], source, field=prefix + _field(e["loc"])) for e in err.errors()
        ]
        raise InvalidInput(f"invalid scenario {name!r}", problems) from None


def _field(loc: tuple[int | str, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts[:1] == ["reach"] and len(parts) > 1:
        parts = [f"stage_{parts[1]}", *parts[2:]]
    return ".".join(parts)


def _check_weights(scenarios: Mapping[str, Scenario], source: str | None) -> None:
    given = [n for n, s in scenarios.items() if s.weight is not None]
    if given and len(given) < len(scenarios):
        missing = [n for n in scenarios if n not in given]
        reason = f"give a weight to every scenario or to none; missing for {missing}"
        raise InvalidInput("incomplete weights", [Problem(reason, source, field="scenarios")])
    if given and sum(s.weight or 0.0 for s in scenarios.values()) <= 0:
        reason = "the weights add up to 0"
        raise InvalidInput("invalid weights", [Problem(reason, source, field="scenarios")])


def mix(scenarios: Mapping[str, Scenario], *, name: str = "mixture") -> Scenario:
    """One scenario whose probabilities are the weighted average of the given ones.

    Each scenario stands for a set of possible paths; weighting them (equally when no
    weights are given) is the law of total probability, so any expectation that is
    linear in the probabilities (expected value, expected disbursements) is the same
    weighted average of the scenarios' own expectations.
    """
    _check_weights(scenarios, None)
    items = list(scenarios.values())
    weights = [1.0 if s.weight is None else s.weight for s in items]
    total = sum(weights)
    starts = {s.contributions_from_stage for s in items}
    if len(starts) > 1:
        reason = f"scenarios disagree on contributions_from_stage: {sorted(starts)}"
        raise InvalidInput("cannot mix", [Problem(reason, field="contributions_from_stage")])
    reach: dict[int, dict[int, float]] = {}
    for stage in sorted({k for s in items for k in s.reach}):
        years = sorted({y for s in items for y in s.reach.get(stage, {})})
        reach[stage] = {
            y: min(
                1.0,
                sum(w * p_reached(s, stage, y) for w, s in zip(weights, items, strict=True))
                / total,
            )
            for y in years
        }
    return Scenario(name=name, reach=reach, contributions_from_stage=starts.pop())
