"""Fixtures of the console's browser tests (see ``tests.support.browser``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright
from sqlalchemy import Engine

from opencsp.core.db import build_engine
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture()
def live_engine(live_database: str) -> Iterator[Engine]:
    """An engine on the live database (one tests may commit to), disposed afterwards."""
    engine = build_engine(live_database)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture()
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()
