"""Projects: bulk writes with executemany and list reads in a fixed number of queries."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from pfund.domain.enums import ProjectStatus
from pfund.domain.project import Project
from pfund.store.crypto import FieldCipher
from pfund.store.repositories._project_map import (
    CHILD_TABLES,
    Grouped,
    ProjectRows,
    build_project,
    scalar_row,
)
from pfund.store.repositories._rows import chunks, group_by, insert_many, table
from pfund.store.tables import (
    Base,
    ProjectBenefitRow,
    ProjectContactRow,
    ProjectCostRow,
    ProjectPublicationRow,
    ProjectRegionRow,
    ProjectRow,
)

# Order of each child table's rows within a project, so lists and dicts come back as written.
CHILD_ORDER: dict[type[Base], tuple[str, ...]] = {
    ProjectCostRow: ("year", "kind"),
    ProjectBenefitRow: ("position", "year"),
}

ALL_TABLES: tuple[type[Base], ...] = (ProjectRow, *CHILD_TABLES)


class ProjectRepository:
    """Reads and writes whole projects; never commits (the unit of work does).

    Contacts, and the text fields a project raises to protected, are sealed by
    ``cipher`` on the way in and opened on the way out.
    """

    def __init__(self, session: Session, cipher: FieldCipher) -> None:
        self.session = session
        self.cipher = cipher

    def _seal(self, batch: ProjectRows) -> ProjectRows:
        rows, seal = batch.by_table, self.cipher.seal
        rows[ProjectRow] = [seal("projects", r) for r in rows.get(ProjectRow, [])]
        rows[ProjectContactRow] = [
            seal("project_contacts", r) for r in rows.get(ProjectContactRow, [])
        ]
        return batch

    def add(self, project: Project) -> None:
        self.add_many([project])

    def add_many(self, projects: Iterable[Project]) -> None:
        """Insert many projects with one executemany per table (10,000 in a few seconds).

        Links between projects in the batch are fine in any order: the link's reference to
        the other project is checked at commit.
        """
        batch = ProjectRows()
        items = builtins.list(projects)
        for project in items:
            batch.add(project)
        self._seal(batch)
        for row_class in ALL_TABLES:
            insert_many(self.session, row_class, batch.by_table.get(row_class, []))
        now = datetime.now(UTC)
        shown = [{"project_id": p.id, "published_at": now} for p in items if p.published]
        insert_many(self.session, ProjectPublicationRow, shown)

    def replace(self, project: Project) -> None:
        """Overwrite a stored project with a new version of itself (same id).

        The row is updated in place rather than deleted, so links from other projects
        to this one survive.
        """
        values = self.cipher.seal("projects", scalar_row(project))
        result = self.session.execute(
            update(table(ProjectRow)).where(table(ProjectRow).c.id == project.id).values(values)
        )
        if getattr(result, "rowcount", 0) == 0:
            raise LookupError(f"no project '{project.id}' to replace")
        for row_class in CHILD_TABLES:
            child = table(row_class)
            self.session.execute(delete(child).where(child.c.project_id == project.id))
        batch = ProjectRows()
        batch.add(project)
        self._seal(batch)
        for row_class in CHILD_TABLES:
            insert_many(self.session, row_class, batch.by_table.get(row_class, []))
        self.set_published(project.id, project.published)

    def set_published(self, project_id: str, published: bool) -> bool:
        """Publish or withdraw from publication; False when it already was so."""
        rows = table(ProjectPublicationRow)
        if not published:
            gone = self.session.execute(delete(rows).where(rows.c.project_id == project_id))
            return bool(getattr(gone, "rowcount", 0))
        present = self.session.scalar(
            select(rows.c.project_id).where(rows.c.project_id == project_id)
        )
        if present is not None:
            return False
        self.session.execute(
            rows.insert().values(project_id=project_id, published_at=datetime.now(UTC))
        )
        return True

    def published_at(self, project_id: str) -> datetime | None:
        rows = table(ProjectPublicationRow)
        found: datetime | None = self.session.scalar(
            select(rows.c.published_at).where(rows.c.project_id == project_id)
        )
        return found

    def move_status(
        self, project_id: str, expected: Iterable[ProjectStatus], status: ProjectStatus
    ) -> bool:
        """``UPDATE ... WHERE status IN expected``: False when another move came first.

        The condition is in the statement itself, so of two staff acting at once only
        one changes the row (PostgreSQL re-checks the condition after the other's
        commit; SQLite writers run one at a time).
        """
        projects = table(ProjectRow)
        result = self.session.execute(
            update(projects)
            .where(
                projects.c.id == project_id,
                projects.c.status.in_([s.value for s in expected]),
            )
            .values(status=status.value)
        )
        return bool(getattr(result, "rowcount", 0))

    def version(self, project_id: str) -> int:
        """The stored version number of a project (1 until it is first updated)."""
        found = self.session.execute(
            select(table(ProjectRow).c.version).where(table(ProjectRow).c.id == project_id)
        ).scalar_one_or_none()
        if found is None:
            raise LookupError(f"no project '{project_id}'")
        return int(found)

    def bump_version(self, project_id: str) -> int:
        """Add one to the project's version number and return the new number."""
        projects = table(ProjectRow)
        self.session.execute(
            update(projects)
            .where(projects.c.id == project_id)
            .values(version=projects.c.version + 1)
        )
        return self.version(project_id)

    def set_status(self, project_id: str, status: ProjectStatus) -> None:
        projects = table(ProjectRow)
        result = self.session.execute(
            update(projects).where(projects.c.id == project_id).values(status=status.value)
        )
        if getattr(result, "rowcount", 0) == 0:
            raise LookupError(f"no project '{project_id}'")

    def statuses(self, project_ids: Iterable[str]) -> dict[str, ProjectStatus]:
        """Each known project's status, one query per few hundred ids (unknown ids left out)."""
        projects = table(ProjectRow)
        wanted = builtins.list(dict.fromkeys(project_ids))
        out: dict[str, ProjectStatus] = {}
        for chunk in chunks(wanted):
            query = select(projects.c.id, projects.c.status).where(projects.c.id.in_(chunk))
            out.update((pid, ProjectStatus(status)) for pid, status in self.session.execute(query))
        return out

    def move_statuses(
        self, project_ids: Iterable[str], old: ProjectStatus, new: ProjectStatus
    ) -> set[str]:
        """Move the projects still ``old`` to ``new``; returns the ids that moved.

        ``UPDATE ... WHERE id IN (...) AND status = :old``: a project another writer moved
        meanwhile is left as that writer left it.
        """
        projects = table(ProjectRow)
        moved: set[str] = set()
        for chunk in chunks(builtins.list(dict.fromkeys(project_ids))):
            result = self.session.execute(
                update(projects)
                .where(projects.c.id.in_(chunk), projects.c.status == old.value)
                .values(status=new.value)
                .returning(projects.c.id)
            )
            moved.update(pid for (pid,) in result)
        return moved

    def get(self, project_id: str) -> Project | None:
        found = self._load(table(ProjectRow).c.id == project_id)
        return found[0] if found else None

    def many(self, project_ids: Iterable[str]) -> dict[str, Project]:
        """The projects of ``project_ids`` that exist, by id: one query per table."""
        ids = sorted(set(project_ids))
        found = self._load(table(ProjectRow).c.id.in_(ids)) if ids else []
        return {p.id: p for p in found}

    def list(
        self,
        *,
        area: str | None = None,
        status: ProjectStatus | str | None = None,
        region: str | None = None,
        published: bool | None = None,
    ) -> builtins.list[Project]:
        """Projects matching every filter given, ordered by id, children loaded in bulk."""
        projects = table(ProjectRow)
        where: builtins.list[ColumnElement[bool]] = []
        if published is not None:
            shown = select(table(ProjectPublicationRow).c.project_id)
            where.append(projects.c.id.in_(shown) if published else projects.c.id.not_in(shown))
        if area is not None:
            where.append(projects.c.area == area)
        if status is not None:
            where.append(projects.c.status == ProjectStatus(status).value)
        if region is not None:
            regions = table(ProjectRegionRow)
            in_region = select(regions.c.project_id).where(regions.c.region == region)
            where.append(projects.c.id.in_(in_region))
        return self._load(*where)

    def published_ids(self, *, hidden: Iterable[ProjectStatus] = ()) -> set[str]:
        """Ids of the published projects, except those in a ``hidden`` status; one query."""
        projects, shown = table(ProjectRow), table(ProjectPublicationRow)
        query = select(projects.c.id).where(
            projects.c.id.in_(select(shown.c.project_id)),
            projects.c.status.not_in([s.value for s in hidden]),
        )
        return set(self.session.scalars(query))

    def ids(self) -> set[str]:
        return set(self.session.scalars(select(table(ProjectRow).c.id)))

    def count(self) -> int:
        return self.session.scalar(select(func.count()).select_from(table(ProjectRow))) or 0

    def _load(self, *where: ColumnElement[bool]) -> builtins.list[Project]:
        """One query for the projects and one per child table, restricted by a subquery."""
        projects = table(ProjectRow)
        rows = self.session.execute(select(projects).where(*where).order_by(projects.c.id)).all()
        if not rows:
            return []
        ids = select(projects.c.id).where(*where) if where else None
        children = {row_class: self._children(row_class, ids) for row_class in CHILD_TABLES}
        children[ProjectContactRow] = {
            pid: [SimpleNamespace(**r) for r in self.cipher.open_all("project_contacts", group)]
            for pid, group in children[ProjectContactRow].items()
        }
        built = [
            build_project(SimpleNamespace(**self.cipher.open("projects", row._mapping)), children)
            for row in rows
        ]
        publications = table(ProjectPublicationRow)
        shown_query = select(publications.c.project_id)
        if ids is not None:
            shown_query = shown_query.where(publications.c.project_id.in_(ids))
        shown = set(self.session.scalars(shown_query))
        return [p if p.id in shown else p.model_copy(update={"published": False}) for p in built]

    def _children(self, row_class: type[Base], ids: Select[Any] | None) -> Grouped:
        child = table(row_class)
        order = CHILD_ORDER.get(row_class, ("position",))
        query = select(child).order_by(child.c.project_id, *(child.c[name] for name in order))
        if ids is not None:
            query = query.where(child.c.project_id.in_(ids))
        return group_by(self.session.execute(query), "project_id")
