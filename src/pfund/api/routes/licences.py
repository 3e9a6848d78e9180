"""Sanctions licences: the register compliance keeps and the gate reads before a payment."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, UploadFile
from pydantic import BaseModel, Field

from pfund.api.deps import RuntimeDep, acting, require
from pfund.api.uploads import upload_name
from pfund.domain.account import Permission, Principal
from pfund.domain.licence import SanctionsLicence
from pfund.services import licences as register
from pfund.services.licences import LicenceCheck, LicenceImport, LicenceLine

router = APIRouter(tags=["licences"])


class Revocation(BaseModel):
    reason: str = Field(min_length=10, max_length=300)
    effective: date | None = Field(default=None, description="revoked from (default today)")


@router.get("/licences", response_model=list[LicenceLine])
def licences(
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.READ_INTERNAL)],
    on: date | None = None,
) -> list[LicenceLine]:
    """Every licence with its state on ``on`` (default today: in force, expiring, not yet,
    ended, revoked), what was paid under it, what is left and each payment made."""
    return register.licence_register(acting(rt, who), today=on)


@router.post("/licences", response_model=SanctionsLicence, status_code=201)
def add(
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.SCREEN)],
    licence: Annotated[dict[str, Any], Body()],
) -> SanctionsLicence:
    """Record one licence or exemption (checked as an import of one row)."""
    return register.add_licence(acting(rt, who), licence)


@router.post("/licences/import", response_model=LicenceImport)
def import_file(
    file: UploadFile,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.SCREEN)],
) -> LicenceImport:
    """Record the licences of a YAML, JSON or CSV file, all or nothing."""
    filename = upload_name(file.filename, "licences.yaml")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / filename
        path.write_bytes(file.file.read())
        return register.import_licences(acting(rt, who), path)


@router.post("/licences/{licence_id}/revoke", response_model=SanctionsLicence)
def revoke(
    licence_id: str,
    body: Revocation,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.SCREEN)],
) -> SanctionsLicence:
    """Revoke a licence: no payment from that day on is made under it."""
    return register.revoke_licence(
        acting(rt, who), licence_id, reason=body.reason, day=body.effective
    )


@router.get("/tranches/{tranche_id}/licences", response_model=LicenceCheck)
def check(
    tranche_id: str,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.READ_INTERNAL)],
    on: date | None = None,
) -> LicenceCheck:
    """Whether the licences would let the tranche be paid on ``on``, and under which."""
    return register.check_tranche(acting(rt, who), tranche_id, today=on)
