"""Exchange rates: the stored rates, a conversion into the fund's currency, an import."""

from __future__ import annotations

import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, UploadFile

from pfund.api.deps import RuntimeDep, acting, require
from pfund.api.uploads import upload_name
from pfund.domain.account import Permission, Principal
from pfund.domain.fx import ExchangeRate
from pfund.io.rates import ECB_SOURCE
from pfund.services import gate as money_gate
from pfund.services import rates as fx
from pfund.services.rates import Conversion, RatesImport

router = APIRouter(tags=["rates"])


@router.get("/rates", response_model=list[ExchangeRate])
def rates(
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.READ_INTERNAL)],
    currency: Annotated[str | None, Query(min_length=3, max_length=3)] = None,
    since: date | None = None,
    until: date | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 200,
) -> list[ExchangeRate]:
    """Stored rates (one euro in each currency), newest day first, each with its source
    and the sha256 of the file it came from."""
    return fx.list_rates(acting(rt, who), currency=currency, since=since, until=until, limit=limit)


@router.get("/rates/{currency}", response_model=Conversion)
def conversion(
    currency: Annotated[str, Path(pattern="^[A-Za-z]{3}$")],
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.READ_INTERNAL)],
    on: date | None = None,
    amount: Annotated[Decimal | None, Query(ge=0, max_digits=24)] = None,
    to: Annotated[str | None, Query(min_length=3, max_length=3)] = None,
) -> Conversion:
    """The rate ``currency`` -> the fund's currency (or ``to``) a conversion on ``on``
    (default today) uses, with the day it was published and its source, and ``amount``
    converted at it; refused (400, code ``rate_missing``) when no rate is recent enough."""
    day = on or money_gate.today()
    return fx.show_rate(acting(rt, who), currency, to, day=day, amount=amount)


@router.post("/rates/import", response_model=RatesImport)
def import_file(
    file: UploadFile,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.IMPORT)],
    source: Annotated[str, Form(min_length=1, max_length=300)] = ECB_SOURCE,
    source_ru: Annotated[str | None, Form(max_length=300)] = None,
) -> RatesImport:
    """Store every rate of a CSV in the ECB layout (``Date,USD,JPY,...``), all or nothing:
    each bad row and field is named and nothing is stored."""
    filename = upload_name(file.filename, "eurofxref-hist.csv")
    with tempfile.TemporaryDirectory() as folder:
        path = FilePath(folder) / filename
        path.write_bytes(file.file.read())
        return fx.import_rates(acting(rt, who), path, source=source, source_ru=source_ru)
