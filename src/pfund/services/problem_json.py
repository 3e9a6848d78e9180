"""A portfolio problem as JSON and back, exactly, for decision records and reruns.

Python's JSON writes floats with ``repr``, which reads back to the same double, so a
problem rebuilt from a record is the very problem that was solved.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pfund.portfolio import PortfolioProblem
from pfund.portfolio.earmarks import SpendCap


def problem_to_json(p: PortfolioProblem) -> dict[str, Any]:
    return {
        "ids": list(p.ids),
        "value": p.value.tolist(),
        "cost": p.cost.tolist(),
        "periods": list(p.periods),
        "budget": [b if np.isfinite(b) else None for b in p.budget.tolist()],
        "area": list(p.area),
        "area_min_share": dict(p.area_min_share),
        "area_max_share": dict(p.area_max_share),
        "regions": [list(r) for r in p.regions],
        "region_cap": dict(p.region_cap),
        "depends": [list(d) for d in p.depends],
        "excludes": [list(e) for e in p.excludes],
        "must_include": sorted(p.must_include),
        "must_exclude": sorted(p.must_exclude),
        "stage": None if p.stage is None else p.stage.tolist(),
        "max_stage": p.max_stage,
        "equity": None if p.equity is None else p.equity.tolist(),
        # NaN (no single ERR) is stored as null: JSON has no NaN.
        "err": None if p.err is None else [e if np.isfinite(e) else None for e in p.err.tolist()],
        "hurdle": p.hurdle,
        "committed": sorted(p.committed),
    } | (  # only with earmarks, so an earmark-free problem's record (and hash) is as before
        {
            "spend_caps": [
                {"name": c.name, "members": list(c.members), "cap": list(c.cap)}
                for c in p.spend_caps
            ]
        }
        if p.spend_caps
        else {}
    )


def problem_from_json(d: dict[str, Any]) -> PortfolioProblem:
    return PortfolioProblem(
        ids=tuple(d["ids"]),
        value=np.array(d["value"], dtype=np.float64),
        cost=np.array(d["cost"], dtype=np.float64),
        periods=tuple(d["periods"]),
        budget=np.array([np.inf if b is None else b for b in d["budget"]], dtype=np.float64),
        area=tuple(d["area"]),
        area_min_share=dict(d["area_min_share"]),
        area_max_share=dict(d["area_max_share"]),
        regions=tuple(tuple(r) for r in d["regions"]),
        region_cap=dict(d["region_cap"]),
        depends=tuple((int(a), int(b)) for a, b in d["depends"]),
        excludes=tuple((int(a), int(b)) for a, b in d["excludes"]),
        must_include=frozenset(d["must_include"]),
        must_exclude=frozenset(d["must_exclude"]),
        stage=None if d["stage"] is None else np.array(d["stage"], dtype=np.int64),
        max_stage=d["max_stage"],
        equity=None if d["equity"] is None else np.array(d["equity"], dtype=np.float64),
        # Runs recorded before the hurdle gate and commitments lack these keys: no gate.
        err=_errs(d.get("err")),
        hurdle=d.get("hurdle"),
        committed=frozenset(d.get("committed", ())),
        # Runs recorded before earmarks lack the key: no earmark.
        spend_caps=tuple(
            SpendCap(c["name"], tuple(c["members"]), tuple(c["cap"]))
            for c in d.get("spend_caps", ())
        ),
    )


def _errs(values: list[float | None] | None) -> np.ndarray | None:
    if values is None:
        return None
    return np.array([np.nan if e is None else e for e in values], dtype=np.float64)
