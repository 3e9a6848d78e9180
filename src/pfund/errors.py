"""The small error hierarchy every interface maps to an exit code or HTTP status.

Each error carries the problems behind it, so a user sees all that is wrong at once,
each with where it is (file, row, field) and why.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# The particulars of a refusal, as data: what each channel needs to word it.
Facts = Mapping[str, str | int]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as the input allows.

    ``code`` (with ``facts``) says what is wrong as data when the remedy differs by
    channel (a command line option, a checkbox, a request field): each channel words
    the problem from them, and ``reason`` stays the plain English that names none.
    """

    reason: str
    file: str | None = None
    row: int | None = None
    field: str | None = None
    code: str | None = None
    # (``dataclasses.field``: the name ``field`` is this class's attribute above)
    facts: Facts = dataclasses.field(default_factory=dict, hash=False, compare=False)

    def __str__(self) -> str:
        where = [p for p in (self.file, f"row {self.row}" if self.row else None) if p]
        if self.field:
            where.append(f"field '{self.field}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.reason}" if prefix else self.reason

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "file": self.file,
            "row": self.row,
            "field": self.field,
            "reason": self.reason,
        }
        if self.code:
            out |= {"code": self.code, "facts": dict(self.facts)}
        return out


@dataclass
class PfundError(Exception):
    """Base of every error a user can cause; interfaces print it without a traceback."""

    message: str
    problems: list[Problem] = field(default_factory=list)
    status: int = 400

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        lines = [self.message, *(f"  - {p}" for p in self.problems)]
        return "\n".join(lines)


class InvalidInput(PfundError):
    """The input cannot be accepted as it stands; nothing was written."""


class NotFound(PfundError):
    """A record named by the user does not exist."""

    def __init__(self, message: str) -> None:
        super().__init__(message, status=404)


class Conflict(PfundError):
    """The request contradicts what is already stored (a duplicate id, say)."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message, problems or [], status=409)


class Refusal(PfundError):
    """A refusal for something that is missing, said as data: ``code`` names what is
    missing and ``facts`` its particulars, so each channel words it for its reader (the
    CLI names its command, a page says in words who puts it right, the API answers the
    code). ``message`` is plain English that names no command, for whoever has no
    wording of their own."""

    def __init__(
        self,
        message: str,
        *,
        code: str,
        facts: Facts,
        problems: list[Problem] | None = None,
        status: int = 409,
    ) -> None:
        super().__init__(message, problems or [], status=status)
        self.code = code
        self.facts = dict(facts)


class IntegrityFailure(PfundError):
    """Stored data fails a check it must pass, such as the audit hash chain."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message, problems or [], status=500)


class NotAuthenticated(PfundError):
    """Wrong name or password, or nobody signed in; deliberately does not say which."""

    def __init__(self, message: str = "wrong user name or password") -> None:
        super().__init__(message, status=401)


class Forbidden(PfundError):
    """Signed in, but the role does not allow this."""

    def __init__(self, message: str) -> None:
        super().__init__(message, status=403)


def store_refusal(exc: Exception) -> PfundError:
    """What the database refused (an ``IntegrityError`` or ``DataError``), as the user's
    error: a 409 for a broken constraint, a 400 for a value the column cannot hold. The
    driver's message is left out on purpose: it quotes the refused row, which may hold
    protected values."""
    from sqlalchemy.exc import IntegrityError

    if isinstance(exc, IntegrityError):
        return Conflict(
            "the change contradicts what is stored (a duplicate or a missing record)",
            [Problem("nothing was changed; reload and check the record")],
        )
    return InvalidInput(
        "a value does not fit what the store can hold (too long, or out of range)",
        [Problem("nothing was changed; shorten or correct the values")],
    )
