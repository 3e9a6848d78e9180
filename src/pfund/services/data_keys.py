"""The data keys that seal protected fields: what is sealed with which, rotation, and
the one-time sealing of values an older pfund left in clear.

Rotation writes the new key into the keys file before anything is resealed (so no value
can ever be sealed with a key the file lacks), reseals every protected value in one
transaction with its audit event, and drops the old keys from the file only after that
commit, and only those no value uses any more. Audit events name key ids and counts,
never a value and never key material.
"""

from __future__ import annotations

from pydantic import BaseModel

from pfund.domain.account import Permission
from pfund.errors import InvalidInput, Problem
from pfund.keys import write_keys
from pfund.services.audit import AuditWriter
from pfund.services.runtime import Runtime
from pfund.store.crypto import DataKeyError, census, reseal


class KeyStatus(BaseModel):
    """``pfund keys status``: key ids and counts, never key material or values."""

    keys_file: str
    current_key: str
    keys_in_file: list[str]
    values_by_key: dict[str, int]
    clear_values: dict[str, int]
    missing_keys: list[str]


class RotationReport(BaseModel):
    keys_file: str
    new_key: str
    resealed: int
    dropped_keys: list[str]
    kept_keys: list[str]


def key_status(rt: Runtime) -> KeyStatus:
    """Which keys seal how many values, how many are left in clear, and which keys the
    store needs that the file does not hold."""
    rt.require(Permission.MANAGE_STORE)
    with rt.uow() as uow:
        found = census(uow.session)
    keys = rt.keys
    return KeyStatus(
        keys_file=str(keys.path) if keys.path else "",
        current_key=keys.data_key_id,
        keys_in_file=sorted(keys.data_keys),
        values_by_key=dict(sorted(found.by_key.items())),
        clear_values=dict(sorted(found.clear.items())),
        missing_keys=sorted(set(found.by_key) - set(keys.data_keys)),
    )


def encrypt_clear(rt: Runtime) -> int:
    """Seal every protected value still in clear (a store written before 0012), audited.

    Does nothing, and records nothing, when no value is in clear; run by ``open_runtime``
    after migrating, so no installation can forget it.
    """
    rt.require(Permission.MANAGE_STORE)
    with rt.uow() as uow:
        found = census(uow.session)
        if found.clear_total == 0:
            return 0
        _refuse_missing_keys(rt, found.by_key)
        # Lock the audit chain's head first, so two processes opening the store at
        # once seal the values one after the other, not both.
        uow.audit.head(lock=True)
        left = census(uow.session)
        written = reseal(uow.session, uow.cipher, clear=True, old_keys=False)
        AuditWriter(uow, rt.actor).record(
            "keys.encrypted_clear",
            "keys",
            rt.keys.data_key_id,
            {"values": written, "columns": sorted(left.clear)},
        )
        uow.commit()
    return written


def _refuse_missing_keys(rt: Runtime, by_key: dict[str, int]) -> None:
    """A store sealed with keys this file lacks was opened with the wrong keys file:
    sealing or resealing anything with it now would strand those values."""
    missing = sorted(set(by_key) - set(rt.keys.data_keys))
    if missing:
        where = str(rt.keys.path) if rt.keys.path else "the keys in use"
        raise DataKeyError(
            f"this store holds values sealed with data key {', '.join(missing)}, which "
            f"the keys file {where} does not hold; nothing was changed",
            [Problem("set PFUND_KEYS_FILE to the keys file this store was written with", where)],
        )


def rotate(rt: Runtime, *, keep_old: bool = False) -> RotationReport:
    """A new data key, every protected value resealed with it, the old keys dropped."""
    rt.require(Permission.MANAGE_STORE)
    old = rt.keys
    if old.path is None:
        raise InvalidInput(
            "these keys were not read from a keys file, so they cannot be rotated",
            [Problem("set PFUND_KEYS_FILE to the installation's keys file")],
        )
    with rt.uow() as uow:
        _refuse_missing_keys(rt, census(uow.session).by_key)
    path = old.path
    new = write_keys(old.with_new_data_key(), path)
    rt.keys = new
    with rt.uow() as uow:
        writer = AuditWriter(uow, rt.actor)
        writer.record("keys.rotated", "keys", new.data_key_id, {"from": old.data_key_id})
        resealed = reseal(uow.session, uow.cipher, clear=True, old_keys=True)
        uow.commit()
    with rt.uow() as uow:
        in_use = set(census(uow.session).by_key)
    retired = set(new.data_keys) - {new.data_key_id}
    dropped = sorted(retired - in_use) if not keep_old else []
    if dropped:
        new = write_keys(new.without_data_keys_except(set(new.data_keys) - set(dropped)), path)
        rt.keys = new
    return RotationReport(
        keys_file=str(new.path),
        new_key=new.data_key_id,
        resealed=resealed,
        dropped_keys=dropped,
        kept_keys=sorted(set(new.data_keys) - {new.data_key_id}),
    )
