"""The licence rule of the gate: a payment to a counterparty in a sanctioned jurisdiction
needs a licence (or an exemption) in force that names it, covers the project's area and
has room under its cap.

Pure: it takes the parties, the licences and what was already paid under each, and
returns, per party, the licence the payment is made under, or a hold saying why no
licence covers it. Of several that would, the one ending first is used, so a licence
about to lapse is spent before one that lasts, and a capped one before an uncapped one
ending the same day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from pfund.conditions.gates import Hold
from pfund.domain import Organisation
from pfund.domain.licence import SanctionsLicence, SanctionsPolicy
from pfund.errors import Problem

LICENCE_MISSING = "licence_missing"


@dataclass(frozen=True)
class LicenceCover:
    """Which licence each sanctioned party's share of a payment is made under, and the
    holds of those no licence covers."""

    used: dict[str, str]  # counterparty id -> licence id
    holds: list[Hold]


def licence_cover(
    parties: Iterable[Organisation],
    *,
    area: str,
    amount: Decimal,
    day: date,
    licences: Sequence[SanctionsLicence],
    paid: Mapping[str, Decimal],
    policy: SanctionsPolicy,
    currency: str = "",
) -> LicenceCover:
    """The licence covering each party in a sanctioned jurisdiction, or why none does.

    ``paid`` is what was already paid under each licence (by id); a licence's cap must
    leave room for all of ``amount``.
    """
    sanctioned = set(policy.jurisdictions)
    used: dict[str, str] = {}
    holds: list[Hold] = []
    for org in _unique(parties):
        if org.country not in sanctioned:
            continue
        naming = [lic for lic in licences if org.id in lic.counterparties]
        fits = [lic for lic in naming if not _gaps(lic, area, amount, day, paid, currency)]
        if fits:
            best = min(fits, key=lambda lic: (lic.valid_until, lic.max_amount is None, lic.id))
            used[org.id] = best.id
            continue
        reasons = [
            g
            for lic in sorted(naming, key=lambda x: x.id)
            for g in _gaps(lic, area, amount, day, paid, currency)
        ]
        holds.append(_hold(org, reasons or ["no licence or exemption names it"], naming))
    return LicenceCover(used, holds)


def expiring(
    licences: Iterable[SanctionsLicence], day: date, policy: SanctionsPolicy
) -> list[SanctionsLicence]:
    """The licences in force on ``day`` that end within the policy's warning days,
    soonest first: money planned under them needs a renewal asked for in time."""
    until = day + timedelta(days=policy.warn_days)
    found = [lic for lic in licences if lic.in_force(day) and lic.valid_until <= until]
    return sorted(found, key=lambda lic: (lic.valid_until, lic.id))


def left_under(licence: SanctionsLicence, paid: Mapping[str, Decimal]) -> Decimal | None:
    """What may still be paid under a capped licence (never below zero); None if uncapped."""
    if licence.max_amount is None:
        return None
    return max(licence.max_amount - paid.get(licence.id, Decimal(0)), Decimal(0))


def _gaps(
    lic: SanctionsLicence,
    area: str,
    amount: Decimal,
    day: date,
    paid: Mapping[str, Decimal],
    currency: str,
) -> list[str]:
    """Why ``lic`` does not cover this payment (empty when it does)."""
    out = []
    if lic.revoked_on is not None and lic.revoked_on <= day:
        out.append(f"licence {lic.id} was revoked on {lic.revoked_on.isoformat()}")
    elif day > lic.valid_until:
        out.append(f"licence {lic.id} ended on {lic.valid_until.isoformat()}")
    elif day < lic.valid_from:
        out.append(f"licence {lic.id} starts on {lic.valid_from.isoformat()}")
    if lic.areas and area not in lic.areas:
        out.append(f"licence {lic.id} covers only {', '.join(lic.areas)}")
    left = left_under(lic, paid)
    if left is not None and amount > left:
        money = f"{currency} " if currency else ""
        out.append(
            f"licence {lic.id} has {money}{left:,.2f} left and the payment is {money}{amount:,.2f}"
        )
    return out


def _hold(org: Organisation, reasons: list[str], naming: list[SanctionsLicence]) -> Hold:
    reason = (
        f"counterparty {org.id} is in {org.country}, where sanctions apply: "
        f"{'; '.join(reasons)}; the payment needs a licence or an exemption that covers it"
    )
    problem = Problem(
        reason,
        field="licence",
        code=LICENCE_MISSING,
        facts={
            "organisation": org.id,
            "country": org.country,
            "licences": ",".join(lic.id for lic in naming),
        },
    )
    return Hold(f"no sanctions licence covers the payment to {org.id}", problem, org.id)


def _unique(parties: Iterable[Organisation]) -> list[Organisation]:
    return list({o.id: o for o in parties}.values())
