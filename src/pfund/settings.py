"""Typed settings, read from the environment (prefix PFUND_) and built once per process.

Nothing here creates an engine: callers pass a Settings object in, so tests can inject
their own database and actor.
"""

from __future__ import annotations

import getpass
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_FILE = "pfund.db"


def _default_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


class Settings(BaseSettings):
    """Where the store lives and who is acting; everything else has a sensible default."""

    model_config = SettingsConfigDict(env_prefix="PFUND_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_DATABASE_FILE}",
        description="SQLAlchemy URL; a SQLite file in the working directory by default, "
        "postgresql+psycopg://... in production.",
    )
    actor: str = Field(
        default_factory=_default_actor,
        description="Who the audit log names for changes made from this process.",
    )
    dataset: Path | None = Field(
        default=None,
        description="Folder of a fund data set; the bundled Russian Partnership Fund if unset.",
    )
    echo_sql: bool = Field(default=False, description="Log every SQL statement (debugging).")
