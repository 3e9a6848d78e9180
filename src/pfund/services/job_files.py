"""Files kept with jobs: an upload imported by a job, and what a job built.

An import larger than an API request should hold open is stored in the database with
its job, in the transaction that queues it, and imported by a worker all or nothing
(the import's own unit of work); the upload is removed once imported or refused, as it
may hold protected contacts. A board report built by a job is stored the same way, so
any API worker serves it whichever machine built it.

Files of jobs that ended (a built report, the upload of an import that failed or was
cancelled) are removed ``job_file_days`` after the job ended, by :func:`prune`, which
``pfund worker`` runs every hour and ``pfund jobs prune`` on demand; the job itself stays,
and the audit log says which files went (name and digest).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import BaseModel

from pfund.domain.account import Permission
from pfund.domain.jobs import Job, JobFile, JobFileRole
from pfund.errors import InvalidInput, NotFound, Problem
from pfund.services import jobs
from pfund.services.audit import AuditWriter
from pfund.services.runtime import Runtime

PRUNE_BATCH = 100  # jobs whose files one transaction removes (SQLite's write lock is short)
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


class Pruned(BaseModel):
    """What :func:`prune` removed: files of jobs that ended before ``before``."""

    before: datetime
    jobs: int = 0
    files: int = 0
    bytes: int = 0


def prune(rt: Runtime, *, older_than_days: int, actor: str | None = None) -> Pruned:
    """Remove the files of every job that ended more than ``older_than_days`` days ago,
    a batch of jobs per transaction, each job's removal audited with it (as ``actor``,
    the acting user's unless a worker names itself). Needs ``manage_store``."""
    rt.require(Permission.MANAGE_STORE)
    if older_than_days < 0:
        raise InvalidInput(
            "cannot prune job files", [Problem("0 or more days", field="older_than_days")]
        )
    done = Pruned(before=jobs.now() - timedelta(days=older_than_days))
    with rt.uow() as uow:  # found by reading first: no write lock when nothing is due
        if not uow.job_files.ended_before(done.before, limit=1):
            return done
    while batch := _prune_batch(rt, done.before, older_than_days, actor or rt.actor):
        done = done.model_copy(
            update={
                "jobs": done.jobs + len(batch),
                "files": done.files + sum(len(files) for files in batch),
                "bytes": done.bytes + sum(f.size for files in batch for f in files),
            }
        )
    return done


def _prune_batch(rt: Runtime, before: datetime, days: int, actor: str) -> list[list[JobFile]]:
    """Remove the files of up to ``PRUNE_BATCH`` jobs; the files removed, by job."""
    removed = []
    with rt.uow() as uow:
        uow.hold_writes()
        audit = AuditWriter(uow, actor)
        for job_id in uow.job_files.ended_before(before, limit=PRUNE_BATCH):
            files = uow.job_files.of_job(job_id)
            uow.job_files.drop_all(job_id)
            details = {
                "files": [
                    {"name": f.name, "role": f.role.value, "sha256": f.sha256} for f in files
                ],
                "bytes": sum(f.size for f in files),
                "older_than_days": days,
            }
            audit.record("job.files_pruned", "job", job_id, details)
            removed.append(files)
        uow.commit()
    return removed
