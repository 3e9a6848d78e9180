"""Rate limits kept in the database, so they hold across every worker process.

Two limits use them. Sign-in: each attempt is counted as a failure *before* the password
is checked (so a burst of parallel guesses cannot all slip past the count), a success
takes it back; from the ``limit``-th failure on, the account or address must wait 30 s,
doubling with each further failure up to an hour, and a blocked attempt is refused
(429 with Retry-After) before argon2 runs. Proposals: at most ``per_hour`` per address
in a fixed one-hour window.

What is counted (an address, a user name) is stored only as an HMAC under the
installation's secret, so the table names nobody and no address.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

from pfund.errors import PfundError
from pfund.services.runtime import Runtime

SIGNIN_WINDOW = 24 * 3600  # failures are forgotten a day after the first of them
BASE_DELAY = 30
MAX_DELAY = 3600
PROPOSAL_WINDOW = 3600
PRUNE_AFTER = 2 * SIGNIN_WINDOW


class TooManyAttempts(PfundError):
    """Refused by a rate limit; ``retry_after`` seconds until the next try may pass."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, status=429)
        self.retry_after = max(1, retry_after)


@dataclass(frozen=True)
class SigninLimits:
    """Failures allowed before back-off starts, per account and per network address."""

    per_account: int = 5
    per_address: int = 20


@dataclass(frozen=True)
class Attempt:
    """A sign-in attempt already counted as a failure, to take back if it succeeds."""

    account_key: str
    address_key: str
    limits: SigninLimits


def limit_key(rt: Runtime, kind: str, value: str) -> str:
    """The stored name of a counter: its kind and a keyed hash of what it counts."""
    digest = hmac.new(
        rt.keys.secret_key.encode("utf-8"), f"{kind}\x00{value}".encode(), hashlib.sha256
    ).hexdigest()
    return f"{kind}:{digest}"


def delay(failures: int, limit: int) -> int:
    """Seconds to wait after ``failures`` failures: none below ``limit``, then doubling."""
    if failures < limit:
        return 0
    return int(min(BASE_DELAY * 2 ** min(failures - limit, 20), MAX_DELAY))


def begin_signin(
    rt: Runtime, username: str, address: str, limits: SigninLimits, *, now: float | None = None
) -> Attempt:
    """Count a sign-in attempt, or refuse it (TooManyAttempts) while either the account
    or the address is in back-off. Runs before any password is checked."""
    at = int(now if now is not None else time.time())
    attempt = Attempt(
        account_key=limit_key(rt, "signin-user", username.strip().lower()),
        address_key=limit_key(rt, "signin-addr", address),
        limits=limits,
    )
    counters = (
        (attempt.account_key, limits.per_account),
        (attempt.address_key, limits.per_address),
    )
    with rt.uow() as uow:
        waits = [uow.limits.blocked_until(key) - at for key, _ in counters]
        if max(waits) > 0:
            raise _too_many(max(waits))
        for key, limit in counters:
            counted = uow.limits.count(key, at, SIGNIN_WINDOW)
            if counted is None:  # another worker blocked it since the read above
                uow.rollback()
                raise _too_many(BASE_DELAY)
            wait = delay(counted[0], limit)
            if wait:
                uow.limits.block(key, at + wait)
        uow.commit()
    return attempt


def signin_succeeded(rt: Runtime, attempt: Attempt, *, now: float | None = None) -> None:
    """A right password: the account's count is cleared and the address's taken back."""
    at = int(now if now is not None else time.time())
    with rt.uow() as uow:
        uow.limits.clear(attempt.account_key)
        uow.limits.forgive(attempt.address_key, below=attempt.limits.per_address)
        uow.limits.prune(at, PRUNE_AFTER)
        uow.commit()


def count_proposal(rt: Runtime, address: str, per_hour: int, *, now: float | None = None) -> None:
    """Count one public proposal from ``address``; TooManyAttempts past ``per_hour``."""
    _count_hourly(rt, "proposal", address, per_hour, now=now)


def count_status_check(
    rt: Runtime, address: str, per_hour: int, *, now: float | None = None
) -> None:
    """Count one look-up of a proposal by its reference code from ``address``, so
    codes cannot be tried in bulk; TooManyAttempts past ``per_hour``."""
    _count_hourly(rt, "proposal-code", address, per_hour, now=now)


def count_grievance(rt: Runtime, address: str, per_hour: int, *, now: float | None = None) -> None:
    """Count one grievance (or an addition to one) from ``address``, with the same limit
    as proposals; TooManyAttempts past ``per_hour``."""
    _count_hourly(rt, "grievance", address, per_hour, now=now)


def count_grievance_code(
    rt: Runtime, address: str, per_hour: int, *, now: float | None = None
) -> None:
    """Count one look-up of a grievance by its tracking code from ``address``."""
    _count_hourly(rt, "grievance-code", address, per_hour, now=now)


def _count_hourly(
    rt: Runtime, kind: str, address: str, per_hour: int, *, now: float | None = None
) -> None:
    at = int(now if now is not None else time.time())
    key = limit_key(rt, kind, address)
    with rt.uow() as uow:
        counted = uow.limits.count(key, at, PROPOSAL_WINDOW)
        uow.limits.prune(at, PRUNE_AFTER)
        uow.commit()
    assert counted is not None  # proposal counters are never blocked, only counted
    hits, window_start = counted
    if hits > per_hour:
        what = "proposals" if kind == "proposal" else "attempts"
        raise TooManyAttempts(
            f"too many {what} from this network in the last hour; try later",
            window_start + PROPOSAL_WINDOW - at,
        )


def _too_many(wait: int) -> TooManyAttempts:
    return TooManyAttempts("too many failed sign-ins; wait before trying again", wait)
