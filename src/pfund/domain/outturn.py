"""What a finished project really cost: the outturn that ex-post appraisal and the
fund's reference classes read beside the ex-ante estimate."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from pfund.domain.lengths import MAX_DIGITS, Id
from pfund.domain.protection import PUBLIC


class Outturn(BaseModel):
    """A finished project's realised cost in one year, every part (capital and running)
    together, in the project's currency, as its final accounts give it.

    One total per year because final accounts rarely split the way the proposal did,
    and the reference classes compare totals (realised / estimated cost)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    project: Annotated[Id, PUBLIC]
    year: Annotated[int, PUBLIC] = Field(ge=1900, le=2200)
    cost: Annotated[Decimal, PUBLIC] = Field(ge=0, max_digits=MAX_DIGITS)
