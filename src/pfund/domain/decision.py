"""Decision records: what a run was given, how it was solved, and what it chose.

A record keeps the inputs themselves, not only their hash, so that ``rerun`` can rebuild
the very problem the board decided on even after the pipeline has changed, and show that
the same inputs give the same answer.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from pfund.domain.lengths import Label, Name, Word
from pfund.domain.protection import PUBLIC


def canonical_json(value: Any) -> str:
    """One text per value, whatever the key order, so hashes repeat across machines."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def inputs_hash(inputs: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(inputs).encode("utf-8")).hexdigest()


class DecisionRecord(BaseModel):
    """One run of appraisal or portfolio selection, reproducible from what it stores."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, PUBLIC] = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
    kind: Annotated[Word, PUBLIC]
    created_at: Annotated[datetime, PUBLIC]
    actor: Name
    inputs_hash: Annotated[str, PUBLIC] = Field(pattern=r"^[0-9a-f]{64}$")
    inputs: dict[str, Any]
    parameters: Annotated[dict[str, Any], PUBLIC]
    solver: Annotated[Label, PUBLIC] = ""
    solver_version: Annotated[Label, PUBLIC] = ""
    seed: Annotated[int | None, PUBLIC] = None
    status: Annotated[Word, PUBLIC]
    objective: Annotated[float | None, PUBLIC] = None
    gap: Annotated[float | None, PUBLIC] = None
    result: Annotated[dict[str, Any], PUBLIC]
    pfund_version: Annotated[Word, PUBLIC] = ""
