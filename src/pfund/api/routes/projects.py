"""Projects and organisations: public fields for everyone, internal fields for staff."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, UploadFile
from fastapi.responses import Response
from pydantic import BeforeValidator
from pydantic_core import to_json

from pfund.api.deps import PrincipalDep, RuntimeDep, acting, require
from pfund.api.uploads import upload_name
from pfund.domain import OrganisationKind, Project, ProjectStatus, ProtectionClass
from pfund.domain.account import Permission, Principal
from pfund.domain.project import is_public
from pfund.domain.protection import view
from pfund.errors import InvalidInput, NotFound, Problem
from pfund.services import imports
from pfund.services.filters import ProjectFilter
from pfund.services.imports import ImportResult
from pfund.services.portal import cached
from pfund.services.runtime import Runtime
from pfund.services.summary import FundSummary, get_project, list_projects, summarise

router = APIRouter(tags=["projects"])


def _status_code(value: object) -> object:
    """A status filter in any case or spelling (``In progress``) as the enum's value."""
    return ProjectFilter.of(status=value).status if isinstance(value, str) else value


IMPORTERS = {
    "projects": imports.import_projects,
    "organisations": imports.import_organisations,
    "people": imports.import_people,
}
SUFFIXES = {".csv", ".json", ".yaml", ".yml"}


def audience(who: Principal) -> ProtectionClass:
    """Staff see internal fields; protected fields leave only through compliance services."""
    if who.can(Permission.READ_INTERNAL):
        return ProtectionClass.INTERNAL
    return ProtectionClass.PUBLIC


@router.get("/fund", response_model=FundSummary)
def fund_summary(rt: RuntimeDep, who: PrincipalDep) -> FundSummary:
    """The fund at a glance: projects, organisations, money, stages."""
    return summarise(rt, public=not who.can(Permission.READ_INTERNAL))


@router.get("/projects", response_model=list[dict[str, Any]])
def projects(
    rt: RuntimeDep,
    who: PrincipalDep,
    area: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[ProjectStatus | None, BeforeValidator(_status_code)] = None,
    region: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    """Every project, filtered by area, status or region (in any case: ``ru-sam``).

    The public answer is built once per state of the store and shared by every reader.
    """
    seen = audience(who)
    chosen = ProjectFilter.of(area, status.value if status else None, region)

    def build() -> bytes:
        found = list_projects(rt, area=chosen.area, status=chosen.status, region=chosen.region)
        # The filters match what this reader sees: a project whose regions (say) are
        # protected must not be found by its region, or the filter would reveal them.
        views = [view(p, audience=seen) for p in found if _visible(p, who)]
        return to_json([v for v in views if _shows(v, chosen)])

    if seen is ProtectionClass.PUBLIC:
        body = cached(rt, ("api-projects", chosen), build)
    else:
        body = build()
    return Response(body, media_type="application/json")


@router.get("/projects/{project_id}")
def project(project_id: str, rt: RuntimeDep, who: PrincipalDep) -> dict[str, Any]:
    found = get_project(rt, project_id)
    if not _visible(found, who):
        raise NotFound(f"no project with id '{project_id}'")
    return view(found, audience=audience(who))


def _shows(seen: dict[str, Any], chosen: ProjectFilter) -> bool:
    """Whether a project's view (only the fields its reader may see) passes the filters."""
    return chosen.matches(
        area=seen.get("area"), status=seen.get("status"), regions=seen.get("regions") or []
    )


def _visible(project: Project, who: Principal) -> bool:
    """The public sees published projects only; staff see every one."""
    return is_public(project) or who.can(Permission.READ_INTERNAL)


@router.get("/organisations")
def organisations(
    rt: RuntimeDep, who: PrincipalDep, kind: OrganisationKind | None = None
) -> list[dict[str, Any]]:
    with rt.uow() as uow:
        found = uow.organisations.list(kind=kind)
    return [view(o, audience=audience(who)) for o in found]


@router.get("/organisations/{organisation_id}")
def organisation(organisation_id: str, rt: RuntimeDep, who: PrincipalDep) -> dict[str, Any]:
    with rt.uow() as uow:
        found = uow.organisations.get(organisation_id)
    if found is None:
        raise NotFound(f"no organisation with id '{organisation_id}'")
    return view(found, audience=audience(who))


@router.post("/imports/{kind}", response_model=ImportResult)
def import_file(
    kind: str,
    file: UploadFile,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.IMPORT)],
    allow_cost_changes: Annotated[
        bool,
        Query(
            description="Projects only: let an update change the costs or currency of a "
            "project already approved (the tranches stay as committed). Needs the "
            "permission to approve; audited in each update's event."
        ),
    ] = False,
) -> ImportResult:
    """Import a CSV, JSON or YAML file of records: all or nothing."""
    if kind not in IMPORTERS:
        raise NotFound(f"no import of '{kind}' (known: {', '.join(IMPORTERS)})")
    name = upload_name(file.filename, "upload.csv")
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        reason = f"a {', '.join(sorted(SUFFIXES))} file is needed"
        raise InvalidInput(f"cannot import '{name}'", [Problem(reason, file=name)])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(file.file.read())
        return import_upload(acting(rt, who), kind, path, allow_cost_changes)


def import_upload(rt: Runtime, kind: str, path: Path, allow_cost_changes: bool) -> ImportResult:
    """The import of ``kind`` from ``path``; only projects take ``allow_cost_changes``
    (organisations and people carry no committed money), so asking it of them is refused
    rather than ignored."""
    if kind == "projects":
        return imports.import_projects(rt, path, allow_cost_changes=allow_cost_changes)
    if allow_cost_changes:
        reason = "only an import of projects can allow cost changes"
        problem = Problem(reason, field="allow_cost_changes")
        raise InvalidInput(f"an import of {kind} cannot allow cost changes", [problem])
    return IMPORTERS[kind](rt, path)
