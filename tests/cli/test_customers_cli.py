"""``opencsp customers list`` against a real database."""

from __future__ import annotations

import uuid

import pytest
from typer.testing import CliRunner

from opencsp.cli import support
from opencsp.cli.main import app
from opencsp.core import clock
from opencsp.core.actor import Tier
from opencsp.core.config import settings
from opencsp.core.db import build_engine, new_session
from tests.conftest import NOW
from tests.factories.parties import customer, partner

runner = CliRunner()


@pytest.fixture()
def cli_env(live_database, monkeypatch):
    monkeypatch.setenv("OPENCSP_DATABASE_URL", live_database)
    settings.cache_clear()
    yield live_database
    settings.cache_clear()


@pytest.fixture()
def wide(monkeypatch):
    """A wide terminal, so table cells are not wrapped (whatever runs the tests)."""
    monkeypatch.setattr(support.out, "width", 250)


def test_customers_list_for_everyone_and_for_one_partner(cli_env, wide):
    engine = build_engine(cli_env)
    try:
        with clock.frozen(NOW), new_session(engine) as session:
            one = partner(session, Tier.DIRECT_BILL, name="Adatum")
            other = partner(session, Tier.INDIRECT_PROVIDER, name="Tailwind")
            customer(session, one.org, name="Alpha Customer")
            customer(session, other.org, name="Bravo Customer")
            session.commit()
            one_id, other_id = one.org.id, other.org.id
    finally:
        engine.dispose()
    everyone = runner.invoke(app, ["customers", "list"])
    assert everyone.exit_code == 0, everyone.output
    assert "Alpha Customer" in everyone.output and "Bravo Customer" in everyone.output
    assert "Adatum (direct)" in everyone.output and "Tailwind (provider)" in everyone.output
    only = runner.invoke(app, ["customers", "list", "--partner", str(other_id)])
    assert only.exit_code == 0, only.output
    assert "Bravo Customer" in only.output and "Alpha Customer" not in only.output
    mine = runner.invoke(app, ["customers", "list", "--partner", str(one_id)])
    assert "Alpha Customer" in mine.output and "Bravo Customer" not in mine.output
    nobody = runner.invoke(app, ["customers", "list", "--partner", str(uuid.uuid4())])
    assert nobody.exit_code == 0
    assert "Alpha" not in nobody.output and "Bravo" not in nobody.output
