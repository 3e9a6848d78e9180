"""Protection classes: which fields may leave the fund, and to whom.

A field is public only when its annotation says so (``Annotated[str, PUBLIC]``);
anything unmarked is internal, and fields that could endanger a person are marked
PROTECTED. Deny by default, because a field added in a hurry must not leak a partner's
name. A record can raise (never lower) the class of its own fields through its
``protected_fields`` list: a Russian NGO may ask that even its name stay protected.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from pydantic import BaseModel


class ProtectionClass(IntEnum):
    """Ordered so that ``max`` gives the stricter class."""

    PUBLIC = 0
    INTERNAL = 1
    PROTECTED = 2

    @property
    def label(self) -> str:
        return self.name.lower()


class _Marker:
    def __init__(self, level: ProtectionClass) -> None:
        self.level = level

    def __repr__(self) -> str:
        return f"<{self.level.label}>"


PUBLIC = _Marker(ProtectionClass.PUBLIC)
INTERNAL = _Marker(ProtectionClass.INTERNAL)
PROTECTED = _Marker(ProtectionClass.PROTECTED)


def field_protection(model: type[BaseModel], name: str) -> ProtectionClass:
    """The class a model declares for one field; unmarked fields are internal."""
    info = model.model_fields[name]
    for item in info.metadata:
        if isinstance(item, _Marker):
            return item.level
    return ProtectionClass.INTERNAL


def effective_protection(record: BaseModel, name: str) -> ProtectionClass:
    """The declared class, raised to PROTECTED when the record asks for it."""
    declared = field_protection(type(record), name)
    raised = getattr(record, "protected_fields", None) or ()
    return ProtectionClass.PROTECTED if name in raised else declared


def view(record: BaseModel, *, audience: ProtectionClass) -> dict[str, Any]:
    """The record as a dict holding only what ``audience`` may see, nested models too.

    ``audience`` is the most sensitive class the reader may see: PUBLIC for the portal
    and exports, INTERNAL for staff. PROTECTED data is never handed out by this
    function: services that need it read the domain object itself.
    """
    limit = min(audience, ProtectionClass.INTERNAL)
    out: dict[str, Any] = {}
    for name in type(record).model_fields:
        if effective_protection(record, name) > limit:
            continue
        out[name] = _view_value(getattr(record, name), limit)
    return out


def _view_value(value: Any, limit: ProtectionClass) -> Any:
    if isinstance(value, BaseModel):
        return view(value, audience=limit)
    if isinstance(value, list | tuple):
        return [_view_value(v, limit) for v in value]
    if isinstance(value, dict):
        return {k: _view_value(v, limit) for k, v in value.items()}
    return value


def protected_values(record: BaseModel) -> list[str]:
    """Every non-empty string the record holds in a protected field; tests hunt for these."""
    found: list[str] = []
    for name in type(record).model_fields:
        value = getattr(record, name)
        if effective_protection(record, name) is ProtectionClass.PROTECTED:
            found.extend(_strings(value))
        elif isinstance(value, BaseModel):
            found.extend(protected_values(value))
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, BaseModel):
                    found.extend(protected_values(item))
    return found


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, BaseModel):
        return [s for v in value.model_dump().values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    return []
