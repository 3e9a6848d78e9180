"""Initialising a store with a fund's reference data, once, audited."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from pfund.domain.fund import FundDefinition
from pfund.errors import Conflict, InvalidInput, Problem
from pfund.io.dataset import Dataset, load_dataset
from pfund.services.audit import AuditWriter
from pfund.services.runtime import Runtime
from pfund.store.unit_of_work import UnitOfWork


class InitResult(BaseModel):
    fund: str
    created: bool
    areas: int
    regions: int
    contributors: int
    conditions: int
    stages: int


def init_fund(rt: Runtime, dataset: Path | None = None) -> InitResult:
    """Load the data set's reference data into an empty store; a no-op if the same fund is there.

    Refuses a different fund in the same store: mixing two funds' regions and conditions
    would make every later number meaningless.
    """
    data = load_dataset(dataset or rt.dataset)
    _check_stages(data)
    with rt.uow() as uow:
        current = uow.fund.get()
        if current is not None:
            if current.code != data.fund.code:
                raise Conflict(
                    f"this database already holds the fund '{current.code}', not "
                    f"'{data.fund.code}'; use another database",
                )
            _register_verifiers(uow, rt, current, data)
            return _result(data, created=False)
        audit = AuditWriter(uow, rt.actor)
        uow.fund.put(data.fund)
        uow.reference.add_areas(data.areas)
        uow.reference.add_regions(data.regions)
        uow.reference.add_contributors(data.contributors)
        uow.conditions.add_many(data.conditions)
        uow.stages.add_many(data.stages)
        audit.record("fund.initialised", "fund", data.fund.code, _counts(data))
        uow.commit()
    return _result(data, created=True)


def _register_verifiers(
    uow: UnitOfWork, rt: Runtime, current: FundDefinition, data: Dataset
) -> None:
    """Give a store made before verifiers were registered the data set's register.

    Only an empty register is filled: a register already stored is the fund's record of
    whose word it accepted, and is not rewritten behind its back.
    """
    if current.verifiers or not data.fund.verifiers:
        return
    uow.fund.put(current.model_copy(update={"verifiers": data.fund.verifiers}))
    AuditWriter(uow, rt.actor).record(
        "fund.verifiers_registered",
        "fund",
        current.code,
        {"verifiers": [v.code for v in data.fund.verifiers]},
    )
    uow.commit()


def _check_stages(data: Dataset) -> None:
    codes = {c.code for c in data.conditions}
    problems = [
        Problem(f"stage {s.number} names unknown condition '{c}'", "stages.yaml", s.number + 1)
        for s in data.stages
        for c in s.conditions
        if c not in codes
    ]
    if problems:
        raise InvalidInput("the data set's stages do not match its conditions", problems)


def _counts(data: Dataset) -> dict[str, int]:
    return {
        "areas": len(data.areas),
        "regions": len(data.regions),
        "contributors": len(data.contributors),
        "conditions": len(data.conditions),
        "stages": len(data.stages),
    }


def _result(data: Dataset, *, created: bool) -> InitResult:
    return InitResult(fund=data.fund.name, created=created, **_counts(data))
