"""Staff accounts and what each role may do.

Roles follow the fund's work: analysts plan and select, reviewers score proposals,
compliance screens counterparties, admins run the installation. The public is a role too
(anonymous, read-only, public fields only), so every permission check has one shape.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from pfund.domain.lengths import Name

USERNAME_PATTERN = r"^[a-z][a-z0-9_.-]{1,62}$"


class Role(StrEnum):
    ADMIN = "admin"
    ANALYST = "analyst"
    REVIEWER = "reviewer"
    COMPLIANCE = "compliance"
    VERIFIER = "verifier"
    COMMITTEE_MEMBER = "committee_member"
    PUBLIC = "public"
    INTEGRITY = "integrity"


class Permission(StrEnum):
    """One verb of the fund; routes ask for a permission, never for a role."""

    READ_PUBLIC = "read_public"
    READ_INTERNAL = "read_internal"
    READ_PROTECTED = "read_protected"
    IMPORT = "import"
    APPRAISE = "appraise"
    OPTIMISE = "optimise"
    APPROVE = "approve"
    SET_CONDITIONS = "set_conditions"
    MOVE_MONEY = "move_money"
    REVIEW = "review"
    ASSIGN_REVIEWS = "assign_reviews"
    SCREEN = "screen"
    READ_AUDIT = "read_audit"
    MANAGE_USERS = "manage_users"
    MANAGE_STORE = "manage_store"
    # draw a verification sample and record what was recounted: an independent role
    VERIFY = "verify"
    # triage, investigate and decide grievances, hold and lift money on them
    INVESTIGATE = "investigate"
    # read who reported a grievance and how to reach them (every reading audited)
    READ_REPORTER = "read_reporter"
    # cast the vote of the committee seat one holds (and declare a conflict on an item)
    VOTE = "vote"


_STAFF = {Permission.READ_PUBLIC, Permission.READ_INTERNAL}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.PUBLIC: frozenset({Permission.READ_PUBLIC}),
    Role.REVIEWER: frozenset(_STAFF | {Permission.REVIEW}),
    Role.ANALYST: frozenset(
        _STAFF
        | {
            Permission.IMPORT,
            Permission.APPRAISE,
            Permission.OPTIMISE,
            Permission.APPROVE,
            Permission.SET_CONDITIONS,
            Permission.MOVE_MONEY,
            Permission.ASSIGN_REVIEWS,
            Permission.READ_AUDIT,
        }
    ),
    Role.COMPLIANCE: frozenset(
        _STAFF | {Permission.SCREEN, Permission.READ_PROTECTED, Permission.READ_AUDIT}
    ),
    # An independent verifier reads what was reported and recounts a sample of it; it
    # moves no money and changes no report.
    Role.VERIFIER: frozenset(_STAFF | {Permission.VERIFY}),
    # The integrity officer handles grievances: the only role that reads a reporter's
    # identity (an admin runs the installation but does not see who reported).
    Role.INTEGRITY: frozenset(_STAFF | {Permission.INVESTIGATE, Permission.READ_REPORTER}),
    # A committee member (a donor's or a Russian partner's representative) votes for
    # the seat they hold and reads what the committee decides; nothing else.
    Role.COMMITTEE_MEMBER: frozenset(_STAFF | {Permission.VOTE}),
    Role.ADMIN: frozenset(set(Permission) - {Permission.READ_REPORTER}),
}


def permissions_of(roles: list[Role] | tuple[Role, ...] | frozenset[Role]) -> frozenset[Permission]:
    granted: set[Permission] = set(ROLE_PERMISSIONS[Role.PUBLIC])
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    return frozenset(granted)


class User(BaseModel):
    """A staff account as services see it: never carries the password hash."""

    model_config = ConfigDict(frozen=True)

    username: str = Field(pattern=USERNAME_PATTERN)
    display_name: Name = ""
    roles: list[Role] = Field(min_length=1)
    active: bool = True
    created_at: datetime

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_of(self.roles) if self.active else permissions_of([])

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions


class Principal(BaseModel):
    """Whoever makes a request: a signed-in user or the anonymous public."""

    model_config = ConfigDict(frozen=True)

    user: User | None = None

    @property
    def actor(self) -> str:
        return f"user:{self.user.username}" if self.user else "public"

    def can(self, permission: Permission) -> bool:
        if self.user is None:
            return permission in ROLE_PERMISSIONS[Role.PUBLIC]
        return self.user.can(permission)


ANONYMOUS = Principal()


class TokenInfo(BaseModel):
    """What may be shown about an API token: its public id, never the token or its hash."""

    model_config = ConfigDict(frozen=True)

    token_id: str
    username: str
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked: bool
    revoked_at: datetime | None = None

    def valid_at(self, moment: datetime) -> bool:
        return not self.revoked and (self.expires_at is None or moment < self.expires_at)
