"""``opencsp program transition``: the vendor's review of transitions to indirect reseller
from the command line, against a real (committed) database."""

from __future__ import annotations

import uuid

import pytest
from typer.testing import CliRunner

from opencsp.core.actor import Tier
from opencsp.core.config import settings
from opencsp.core.db import build_engine
from opencsp.core.uow import unit_of_work
from opencsp.program import transitions
from opencsp.program.models import TierTransition
from opencsp.program.transition_cli import app
from tests.factories.parties import partner

runner = CliRunner()


@pytest.fixture()
def cli_env(live_database, monkeypatch):
    monkeypatch.setenv("OPENCSP_DATABASE_URL", live_database)
    settings.cache_clear()
    engine = build_engine(live_database)
    yield engine
    engine.dispose()
    settings.cache_clear()


def requested(engine) -> uuid.UUID:
    with unit_of_work(bind=engine) as session:
        direct = partner(session, Tier.DIRECT_BILL, name="Contoso Direct")
        return transitions.request_transition(session, direct.actor).id


def state_of(engine, transition_id: uuid.UUID) -> str:
    with unit_of_work(bind=engine) as session:
        found = session.get(TierTransition, transition_id)
        assert found is not None
        return found.state


def test_list_approve_and_refusals(cli_env):
    tid = requested(cli_env)
    listed = runner.invoke(app, ["list", "--state", "requested"])
    assert listed.exit_code == 0, listed.output
    assert "Contoso Direct" in listed.output and str(tid) in listed.output
    r = runner.invoke(app, ["approve", str(tid)])
    assert r.exit_code == 0, r.output
    assert state_of(cli_env, tid) == "approved"
    r = runner.invoke(app, ["reject", str(tid), "--reason", "late"])
    assert r.exit_code == 5 and "TransitionStepOutOfOrder" in r.output
    r = runner.invoke(app, ["complete", str(tid)])
    assert r.exit_code == 5
    r = runner.invoke(app, ["show", str(uuid.uuid4())])
    assert r.exit_code == 3
    r = runner.invoke(app, ["show", "not-a-guid"])
    assert r.exit_code == 3


def test_reject_with_a_reason(cli_env):
    tid = requested(cli_env)
    r = runner.invoke(app, ["reject", str(tid), "--reason", "Open invoices past due"])
    assert r.exit_code == 0, r.output
    assert state_of(cli_env, tid) == "rejected"
    r = runner.invoke(app, ["show", str(tid)])
    assert r.exit_code == 0 and "rejected" in r.output
