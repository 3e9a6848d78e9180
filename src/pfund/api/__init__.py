"""The REST API under /api/v1: FastAPI routes over the services, with roles."""

from pfund.api.app import API_PREFIX, create_app

__all__ = ["API_PREFIX", "create_app"]
