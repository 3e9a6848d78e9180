"""Typed settings, read from the environment (prefix PFUND_) and built once per process.

Nothing here creates an engine: callers pass a Settings object in, so tests can inject
their own database and actor.
"""

from __future__ import annotations

import getpass
import ipaddress
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from pfund.keys import DEFAULT_KEYS_FILE

DEFAULT_DATABASE_FILE = "pfund.db"
PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "development-only-secret"})
DEVELOPMENT_SECRET = "development-only-secret"


def is_placeholder_secret(secret: str) -> bool:
    """A secret anyone could guess: a known placeholder or too short to resist guessing."""
    return secret.lower() in PLACEHOLDER_SECRETS or len(secret) < 32


def is_loopback(host: str) -> bool:
    """Whether ``host`` is an address only this machine can reach."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve_refusal(settings: Settings, host: str) -> str | None:
    """Why ``pfund serve`` must not listen on ``host`` with these settings, or None.

    A guessable cookie secret lets anyone sign an admin session, so it may only serve
    this machine (loopback); without PFUND_SECRET_KEY the keys file's random secret is
    used, which is never a placeholder.
    """
    if settings.secret_key is None or is_loopback(host):
        return None
    if is_placeholder_secret(settings.secret_key.get_secret_value()):
        return (
            f"PFUND_SECRET_KEY is a placeholder or shorter than 32 characters: refusing to "
            f"serve on {host}, where others could forge a session with it. Unset it (the "
            "keys file's random secret is then used) or set 32+ random characters; "
            "a placeholder is accepted on 127.0.0.1 only."
        )
    return None


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
    max_import_bytes: int = Field(
        default=100_000_000,
        ge=1_000,
        description="Largest file an import job accepts (the staff import page and "
        "/api/v1/jobs/imports); the file is kept in the database until imported.",
    )
    import_job_bytes: int = Field(
        default=1_000_000,
        ge=0,
        description="The staff import page imports a larger file as a job, run by a worker, "
        "instead of while the page waits.",
    )
    job_file_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description="Days the files of an ended job (a built report, the upload of an "
        "import that failed or was cancelled) are kept after it ended; 'pfund worker' "
        "then removes them (hourly), as does 'pfund jobs prune'.",
    )
    proposals_per_hour: int = Field(
        default=20,
        ge=1,
        description="Public proposals accepted per hour from one network address (counted "
        "in the database under a keyed hash of the address, never in clear).",
    )
    status_checks_per_hour: int = Field(
        default=60,
        ge=1,
        description="Look-ups of a proposal by its reference code per hour from one network "
        "address (status, answer, withdraw), so codes cannot be tried in bulk.",
    )
    signin_attempts: int = Field(
        default=5,
        ge=1,
        description="Failed sign-ins of one account before each further try must wait "
        "(30 s, doubling up to an hour); a successful sign-in clears the count.",
    )
    signin_attempts_per_address: int = Field(
        default=20,
        ge=1,
        description="Failed sign-ins from one network address (any accounts) before "
        "each further try must wait; higher than per account, as offices share one.",
    )
    session_hours: int = Field(
        default=8, ge=1, le=24 * 30, description="How long a web session lasts at most."
    )
    token_days: int = Field(
        default=90, ge=1, le=3650, description="How long a new API token lasts by default."
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Addresses or networks (CIDR) of reverse proxies whose "
        "X-Forwarded-For is believed, comma-separated; none by default, so the client "
        "address is the connection's peer.",
    )

    metrics_networks: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["127.0.0.1/32", "::1/128"],
        description="Addresses or networks (CIDR) that may read /metrics, comma-separated; "
        "this machine only by default. A request forwarded by a proxy that is not in "
        "PFUND_TRUSTED_PROXIES is refused whatever its peer, so a reverse proxy on this "
        "machine does not open /metrics to the world.",
    )
    access_log: bool = Field(
        default=False,
        description="Log one JSON line per request (method, route template, status, "
        "duration, request id); never the path's values or the query string.",
    )

    dask_scheduler: str | None = Field(
        default=None,
        description="Run the Monte Carlo appraisal, robustness re-optimisations, frontiers "
        "and scenario portfolios on Dask: a scheduler address (tcp://host:8786) or "
        "'local' for a cluster on this machine. Unset: in this process. The results "
        "are the same to the last digit either way.",
    )
    job_lease_seconds: float = Field(
        default=60.0,
        ge=0.2,
        le=3600,
        description="How long a worker holds a job without renewing its lease (it renews "
        "every third of this while the job runs); a job whose lease ran out is queued "
        "again, or failed after its attempts.",
    )
    job_poll_seconds: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description="How often an idle 'pfund worker' looks for queued jobs.",
    )
    job_max_attempts: int = Field(
        default=2,
        ge=1,
        le=10,
        description="How many times a job is started before a worker that dies with it "
        "leaves it failed.",
    )
    serve_runs_jobs: bool = Field(
        default=True,
        description="Whether 'pfund serve' runs the jobs its pages and API start, in a "
        "thread of the worker that took the request. Set false when 'pfund worker' "
        "processes run them.",
    )

    @field_validator("trusted_proxies", "metrics_networks", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies", "metrics_networks")
    @classmethod
    def _valid_networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"{entry!r} is not an address or a CIDR network") from None
        return value

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
