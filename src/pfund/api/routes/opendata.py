"""Open data: the IATI 2.03 activity file and every public dataset as CSV or JSON."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import Response

from pfund.api.deps import RuntimeDep
from pfund.errors import NotFound
from pfund.services.opendata import DATASETS, MEDIA_TYPES, iati_xml, public_dataset

router = APIRouter(tags=["open data"])


@router.get(
    "/iati.xml",
    response_class=Response,
    responses={200: {"content": {"application/xml": {}}}},
)
def iati(rt: RuntimeDep) -> Response:
    """Every reported activity as IATI 2.03 XML, valid against the official schema."""
    return Response(iati_xml(rt), media_type=MEDIA_TYPES["xml"])


@router.get(
    "/open-data/{name}.{fmt}",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, "application/json": {}}}},
)
def dataset(name: str, fmt: Literal["csv", "json"], rt: RuntimeDep) -> Response:
    """One public dataset: projects, organisations, contributors, conditions, tranches, ..."""
    if name not in DATASETS:
        raise NotFound(f"no dataset '{name}' (known: {', '.join(DATASETS)})")
    return Response(
        public_dataset(rt, name, fmt),
        media_type=MEDIA_TYPES[fmt],
        headers={"content-disposition": f'attachment; filename="{name}.{fmt}"'},
    )
