"""Settings of the writing tests."""

from __future__ import annotations

from datetime import timedelta

import pytest


@pytest.fixture
def app_config(app_config: dict) -> dict:
    """The entry tests move the clock across a whole submission window (a month) with clients
    signed in at its start: their sign-ins last that long here (a week in production)."""
    return {**app_config, "PERMANENT_SESSION_LIFETIME": timedelta(days=62)}
