"""``opencsp program reassess|floor|standings|lift|restrict`` against a real (committed)
database, and the jobs through ``opencsp jobs run``."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from opencsp.cli.main import app
from opencsp.core.actor import Tier
from opencsp.core.config import settings
from opencsp.core.db import build_engine
from opencsp.core.uow import unit_of_work
from opencsp.partners import standing
from tests.factories.parties import partner

runner = CliRunner()


@pytest.fixture()
def cli_env(live_database, monkeypatch, tmp_path):
    monkeypatch.setenv("OPENCSP_DATABASE_URL", live_database)
    monkeypatch.setenv("OPENCSP_EMAIL_DIR", str(tmp_path / "mail"))
    settings.cache_clear()
    engine = build_engine(live_database)
    yield engine
    engine.dispose()
    settings.cache_clear()


def test_restrict_list_and_lift(cli_env, tmp_path):
    with unit_of_work(bind=cli_env) as session:
        direct = partner(session, Tier.DIRECT_BILL, name="Tailspin Direct")
        org_id = direct.org.id
    r = runner.invoke(app, ["program", "restrict", str(org_id), "--reason", "Audit"])
    assert r.exit_code == 0, r.output
    listed = runner.invoke(app, ["program", "standings"])
    assert "Tailspin Direct" in listed.output and "restricted" in listed.output
    r = runner.invoke(app, ["program", "lift", str(org_id), "--reason", "Met again"])
    assert r.exit_code == 0, r.output
    with unit_of_work(bind=cli_env) as session:
        assert standing.standing_of(session, org_id) is None
    again = runner.invoke(app, ["program", "lift", str(org_id), "--reason", "x"])
    assert again.exit_code == 3  # not restricted: 404
    # the two notices leave as e-mail
    sent = runner.invoke(app, ["jobs", "run", "notifications.deliver"])
    assert sent.exit_code == 0 and "delivered 2" in sent.output, sent.output
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 2


def test_the_jobs_and_one_partner_now(cli_env):
    with unit_of_work(bind=cli_env) as session:
        direct = partner(session, Tier.DIRECT_BILL)
        org_id = direct.org.id
    assert "program.reassess: nothing due" in runner.invoke(app, ["program", "reassess"]).output
    assert "program.floor: nothing due" in runner.invoke(app, ["program", "floor"]).output
    one = runner.invoke(app, ["program", "reassess", "--org", str(org_id)])
    assert one.exit_code == 0, one.output
    assert "cycle 0" in one.output and "notMet" in one.output
    assert "unmet supportPlan, infrastructure" in one.output
    for job in ("program.reassess", "program.floor"):
        r = runner.invoke(app, ["jobs", "run", job])
        assert r.exit_code == 0, r.output
