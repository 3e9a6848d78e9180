"""The factors of a partner match, each a small pure function whose docstring is the
explanation a user sees, combined in a table of ``(factor, weight)``.

Fit factors say how well an organisation suits a project (area, regions, capabilities);
the standing factor then scales the fit: a company still digging in to Russia, or a
democratic-forces group without a valid vetting approval, cannot outrank a willing,
cleared partner with the same fit.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from pfund.domain.enums import OrganisationKind, ReengagementStatus, RussiaStatus
from pfund.domain.organisation import Organisation
from pfund.domain.project import Project

Factor = Callable[[Project, Organisation], float]

# Yale CELI grades A-E: how far a company has left; and how far re-engagement has come.
RUSSIA_STANDING = {
    RussiaStatus.WITHDRAWN: 1.0,
    RussiaStatus.SUSPENDED: 0.85,
    RussiaStatus.SCALING_BACK: 0.6,
    RussiaStatus.BUYING_TIME: 0.3,
    RussiaStatus.DIGGING_IN: 0.1,
}
REENGAGEMENT_STANDING = {
    ReengagementStatus.COMMITTED: 1.0,
    ReengagementStatus.IN_TALKS: 0.9,
    ReengagementStatus.INTERESTED: 0.85,
    ReengagementStatus.NOT_CONTACTED: 0.6,
    ReengagementStatus.DECLINED: 0.2,
}
_STOP = frozenset({"and", "for", "the", "with", "from", "into", "services", "support"})


def same_area(project: Project, org: Organisation) -> float:
    """The organisation works in the project's area of cooperation."""
    return 1.0 if project.area in org.areas else 0.0


def shared_regions(project: Project, org: Organisation) -> float:
    """Share of the project's regions the organisation works in; an organisation naming
    no region, or a project without regions, counts half (it may work anywhere)."""
    if not project.regions or not org.regions:
        return 0.5
    return len(set(project.regions) & set(org.regions)) / len(set(project.regions))


def capability_fit(project: Project, org: Organisation) -> float:
    """Capabilities of the organisation named in the project's title or description
    (two or more count fully)."""
    text = words(f"{project.title} {project.description}")
    found = sum(1 for capability in org.capabilities if words(capability) & text)
    return min(1.0, found / 2)


def words(text: str) -> set[str]:
    """Significant words cut to five letters, so 'vaccines' meets 'vaccination'."""
    return {w[:5] for w in re.findall(r"[^\W\d_]{4,}", text.lower()) if w not in _STOP}


FIT: tuple[tuple[Factor, float], ...] = (
    (same_area, 0.5),
    (shared_regions, 0.2),
    (capability_fit, 0.3),
)


def standing(org: Organisation, on: date) -> tuple[float, str]:
    """How far the organisation may be offered: 1 for most; for a company, its Russia
    status times its re-engagement; for a democratic-forces group, 0 without a vetting
    approval valid on the day."""
    if org.company is not None:
        russia = RUSSIA_STANDING[org.company.russia_status]
        again = REENGAGEMENT_STANDING[org.company.reengagement]
        why = (
            f"company {org.company.russia_status.value} ({russia:.2f}) and "
            f"{org.company.reengagement.value} ({again:.2f})"
        )
        return russia * again, why
    if org.kind is OrganisationKind.DEMOCRATIC_FORCES:
        if org.vetting is not None and org.vetting.approved_at(on):
            return 1.0, f"vetting approved until {org.vetting.valid_until}"
        return 0.0, "no vetting approval valid on the day: not eligible"
    return 1.0, f"{org.kind.value}: no standing condition"
