"""The revenue scene for every reporting service test (``tests.factories.revenue``)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.factories.revenue import RevenueScene, revenue_scene


@pytest.fixture()
def rs(session: Session) -> RevenueScene:
    return revenue_scene(session)
