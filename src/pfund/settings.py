"""Typed settings, read from the environment (prefix PFUND_) and built once per process.

Nothing here creates an engine: callers pass a Settings object in, so tests can inject
their own database and actor.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from pfund.keys import DEFAULT_KEYS_FILE

DEFAULT_DATABASE_FILE = "pfund.db"
PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "development-only-secret"})
DEVELOPMENT_SECRET = "development-only-secret"


def is_placeholder_secret(secret: str) -> bool:
    """A secret anyone could guess: a known placeholder or too short to resist guessing."""
    return secret.lower() in PLACEHOLDER_SECRETS or len(secret) < 32


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
    environment: Literal["development", "production"] = Field(
        default="development",
        description="production refuses placeholder secrets and sets secure cookies.",
    )
    keys_file: Path = Field(
        default=Path(DEFAULT_KEYS_FILE),
        description="The installation's keys (cookie secret, audit key, data keys), "
        "outside the database, mode 600; created by 'pfund init' when missing.",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Overrides the keys file's cookie secret; at least 32 random "
        "characters (python -c 'import secrets; print(secrets.token_urlsafe(48))').",
    )
    max_upload_bytes: int = Field(
        default=2_000_000, ge=1_000, description="Largest request body the web service accepts."
    )
    proposals_per_hour: int = Field(
        default=20,
        ge=1,
        description="Public proposals accepted per hour from one network address (counted "
        "in memory under a salted hash, never stored or logged).",
    )

    dask_scheduler: str | None = Field(
        default=None,
        description="Run the Monte Carlo appraisal on Dask: a scheduler address "
        "(tcp://host:8786) or 'local' for a cluster on this machine. Unset: in this "
        "process. The results are the same to the last digit either way.",
    )

    @model_validator(mode="after")
    def _no_placeholder_secret(self) -> Self:
        if self.secret_key is None:
            return self
        if self.environment != "development" and is_placeholder_secret(
            self.secret_key.get_secret_value()
        ):
            raise ValueError(
                "PFUND_SECRET_KEY is a placeholder or shorter than 32 characters; "
                "set a random value before running in production"
            )
        return self
