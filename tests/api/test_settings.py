"""Secrets: a placeholder passes in development only."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from pfund.settings import Settings


@pytest.mark.parametrize("secret", ["change-me", "development-only-secret", "short"])
def test_production_refuses_a_placeholder_or_short_secret(secret: str) -> None:
    with pytest.raises(ValidationError, match="PFUND_SECRET_KEY"):
        Settings(environment="production", secret_key=secret)


def test_production_takes_a_long_random_secret_and_development_the_default() -> None:
    assert Settings(environment="production", secret_key="k" * 40).environment == "production"
    assert Settings().environment == "development"
