"""The outreach log: who on the staff reached whom, when, how, what came of it.

Every kind of organisation is reached: companies on their way back, and the NGOs,
universities, public bodies and democratic-forces groups the fund means to re-engage.

The contact is stored as a person id; the person's name stays protected in the people
table, so the log can be shown to staff without naming anyone.
"""

from __future__ import annotations

from datetime import date

from pydantic import ValidationError

from pfund.domain.account import Permission
from pfund.domain.compliance import OutreachEntry
from pfund.errors import InvalidInput, NotFound, Problem
from pfund.services.audit import AuditWriter
from pfund.services.runtime import Runtime


def log_outreach(
    rt: Runtime,
    org_id: str,
    *,
    on: date,
    channel: str,
    staff: str,
    outcome: str,
    contact: str | None = None,
    note: str = "",
) -> OutreachEntry:
    """Append one contact with an organisation of any kind; the contact, if any, must be a
    stored person."""
    rt.require(Permission.IMPORT)
    try:
        entry = OutreachEntry(
            organisation_id=org_id,
            on=on,
            channel=channel.strip(),
            staff=staff.strip(),
            contact_person_id=contact,
            outcome=outcome,
            note=note,
        )
    except ValidationError as err:
        problems = [
            Problem(e["msg"], field=".".join(str(p) for p in e["loc"])) for e in err.errors()
        ]
        raise InvalidInput(
            "the outreach entry is not valid; nothing was written", problems
        ) from None
    with rt.uow() as uow:
        org = uow.organisations.get(org_id)
        if org is None:
            raise NotFound(f"no organisation with id '{org_id}'")
        if contact is not None and uow.people.get(contact) is None:
            raise NotFound(f"no person with id '{contact}'")
        entry_id = uow.outreach.add(entry)
        AuditWriter(uow, rt.actor).record(
            "outreach.logged",
            "organisation",
            org_id,
            {"entry": entry_id, "on": on.isoformat(), "outcome": entry.outcome.value},
        )
        uow.commit()
    return entry.model_copy(update={"id": entry_id})


def outreach_log(rt: Runtime, org_id: str | None = None) -> list[OutreachEntry]:
    rt.require(Permission.READ_INTERNAL)
    with rt.uow() as uow:
        if org_id is not None and uow.organisations.get(org_id) is None:
            raise NotFound(f"no organisation with id '{org_id}'")
        return uow.outreach.list(org_id)
