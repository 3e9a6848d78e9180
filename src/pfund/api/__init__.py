"""The REST API under /api/v1: FastAPI routes over the services, with roles.

The app is imported when first asked for, not with the package: a command that only
needs ``pfund.api.errors`` should not build the web app (seconds at every CLI start).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pfund.api.app import API_PREFIX, create_app

__all__ = ["API_PREFIX", "create_app"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from pfund.api import app

        return getattr(app, name)
    raise AttributeError(f"module 'pfund.api' has no attribute {name!r}")
