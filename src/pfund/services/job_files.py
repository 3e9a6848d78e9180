"""Files kept with jobs: an upload imported by a job, and what a job built.

An import larger than an API request should hold open is stored in the database with
its job, in the transaction that queues it, and imported by a worker all or nothing
(the import's own unit of work); the upload is removed once imported or refused, as it
may hold protected contacts. A board report built by a job is stored the same way, so
any API worker serves it whichever machine built it.
"""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from pfund.domain.account import Permission
from pfund.domain.jobs import Job, JobFile, JobFileRole
from pfund.errors import InvalidInput, NotFound, Problem
from pfund.services import jobs
from pfund.services.runtime import Runtime

IMPORT_KINDS = ("projects", "organisations", "people", "indicators")
SUFFIXES = frozenset({".csv", ".json", ".yaml", ".yml"})
MEDIA = {
    ".csv": "text/csv",
    ".json": "application/json",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".html": "text/html; charset=utf-8",
}


def new_file(rt: Runtime, name: str, content: bytes, role: JobFileRole) -> JobFile:
    """A file's facts (its id, digest, size and media type by its suffix)."""
    return JobFile(
        id=f"FILE-{secrets.token_hex(8)}",
        role=role,
        name=name,
        media_type=MEDIA.get(Path(name).suffix.lower(), "application/octet-stream"),
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        actor=rt.actor,
        created_at=jobs.now(),
    )


def queue_import(
    rt: Runtime,
    kind: str,
    name: str,
    content: bytes,
    *,
    allow_cost_changes: bool = False,
    max_attempts: int = 2,
) -> Job:
    """Store ``content`` (a file called ``name``) and queue its import as ``kind``."""
    rt.require(Permission.IMPORT)
    problems = []
    if kind not in IMPORT_KINDS:
        problems.append(Problem(f"choose one of: {', '.join(IMPORT_KINDS)}", field="kind"))
    if Path(name).suffix.lower() not in SUFFIXES:
        reason = f"a {', '.join(sorted(SUFFIXES))} file is needed"
        problems.append(Problem(reason, file=name))
    if not content:
        problems.append(Problem("the file is empty", file=name))
    if allow_cost_changes and kind != "projects":
        reason = "only an import of projects can allow cost changes"
        problems.append(Problem(reason, field="allow_cost_changes"))
    if problems:
        raise InvalidInput(f"cannot import '{name}' as {kind}", problems)
    params = {"kind": kind, "allow_cost_changes": allow_cost_changes}
    upload = new_file(rt, name, content, JobFileRole.UPLOAD)
    return jobs.enqueue(rt, "import", params, max_attempts=max_attempts, files=[(upload, content)])


def upload_of(rt: Runtime, job_id: str) -> tuple[JobFile, bytes]:
    """The upload a queued import reads, or NotFound once it has been imported."""
    with rt.uow() as uow:
        found = uow.job_files.of_job(job_id, JobFileRole.UPLOAD)
        content = uow.job_files.content(found[0].id) if found else None
    if not found or content is None:
        raise NotFound(f"job {job_id} has no upload to import")
    return found[0], content


def drop_upload(rt: Runtime, job_id: str) -> None:
    with rt.uow() as uow:
        uow.job_files.drop(job_id, JobFileRole.UPLOAD)
        uow.commit()


def store_results(rt: Runtime, job_id: str, built: dict[str, bytes]) -> list[JobFile]:
    """Keep what a job built (``name → content``), replacing an earlier attempt's."""
    files = [new_file(rt, name, content, JobFileRole.RESULT) for name, content in built.items()]
    with rt.uow() as uow:
        uow.job_files.drop(job_id, JobFileRole.RESULT)
        for file in files:
            uow.job_files.add(file.model_copy(update={"job_id": job_id}), built[file.name])
        uow.commit()
    return files


def results_of(rt: Runtime, job_id: str) -> list[JobFile]:
    """The files a job built (staff only, as the job itself)."""
    rt.require(Permission.READ_INTERNAL)
    with rt.uow() as uow:
        return uow.job_files.of_job(job_id, JobFileRole.RESULT)


def result_file(rt: Runtime, job_id: str, name: str) -> tuple[JobFile, bytes]:
    """One file a job built, by its name; NotFound for an upload or another job's file."""
    rt.require(Permission.READ_INTERNAL)
    with rt.uow() as uow:
        found = [f for f in uow.job_files.of_job(job_id, JobFileRole.RESULT) if f.name == name]
        content = uow.job_files.content(found[0].id) if found else None
    if not found or content is None:
        raise NotFound(f"job {job_id} built no file '{name}'")
    return found[0], content
