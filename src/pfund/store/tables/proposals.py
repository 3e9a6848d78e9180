"""Intake and publication: what a proposal's workflow keeps beside the project itself.

``project_publications`` holds one row per published project: the portal, the public
API and the open data show a project only while it has one. It is a table of its own
(not a column of ``projects``) so that publishing does not change the project row the
audit chain vouches for; every change is still audited by the service that makes it.

``proposals`` holds what a proposal sent through the public form has beyond the
project: the keyed hash of its reference code (never the code) and when it arrived.
``proposal_messages`` holds what staff and proposer said to each other (questions,
answers, the reason for a return, a rejection or a withdrawal), in order.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pfund.store.tables.base import ENUM, ID, Base

CODE_HASH = String(64)  # hex of an HMAC-SHA256


class ProjectPublicationRow(Base):
    __tablename__ = "project_publications"

    project_id: Mapped[str] = mapped_column(
        ID, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ProposalRow(Base):
    __tablename__ = "proposals"

    project_id: Mapped[str] = mapped_column(
        ID, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    code_hash: Mapped[str] = mapped_column(CODE_HASH, unique=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ProposalMessageRow(Base):
    __tablename__ = "proposal_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(
        ID, ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(ENUM)
    body: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
