"""``opencsp partners``: the vendor's verification queue and provider tier from the command
line, against a real (committed) database."""

from __future__ import annotations

import uuid

import pytest
from typer.testing import CliRunner

from opencsp.auth.models import Organization
from opencsp.cli.main import app
from opencsp.core.config import settings
from opencsp.core.db import build_engine
from opencsp.core.uow import unit_of_work
from opencsp.partners import queries
from tests.factories.partners import enrolled

runner = CliRunner()


@pytest.fixture()
def cli_env(live_database, monkeypatch):
    monkeypatch.setenv("OPENCSP_DATABASE_URL", live_database)
    settings.cache_clear()
    engine = build_engine(live_database)
    yield engine
    engine.dispose()
    settings.cache_clear()


def applied(engine, **overrides) -> tuple[uuid.UUID, str]:
    with unit_of_work(bind=engine) as session:
        applicant = enrolled(session, **overrides)
        return applicant.enrolled.organization.id, applicant.enrolled.profile.tenant_domain


def state_of(engine, org_id: uuid.UUID) -> tuple[str, str]:
    with unit_of_work(bind=engine) as session:
        enrollment = queries.enrollment_of(session, org_id)
        org = session.get(Organization, org_id)
        assert enrollment is not None and org is not None
        return enrollment.state, org.tier


def test_verify_approve_and_grant_the_provider_tier(cli_env):
    org_id, domain = applied(cli_env, company_name="Fabrikam Solutions")
    listed = runner.invoke(app, ["partners", "list", "--state", "submitted"])
    assert listed.exit_code == 0, listed.output
    assert "Fabrikam Solutions" in listed.output

    r = runner.invoke(app, ["partners", "verify", str(org_id)])
    assert r.exit_code == 0, r.output
    assert state_of(cli_env, org_id) == ("verifying", "indirect_reseller")
    r = runner.invoke(app, ["partners", "approve", domain.upper()])  # by tenant domain too
    assert r.exit_code == 0, r.output
    assert state_of(cli_env, org_id) == ("active", "indirect_reseller")
    r = runner.invoke(app, ["partners", "grant-provider", str(org_id)])
    assert r.exit_code == 0, r.output
    assert "indirect_provider" in r.output
    assert state_of(cli_env, org_id) == ("active", "indirect_provider")

    nothing = runner.invoke(app, ["partners", "list", "--state", "submitted"])
    assert "Fabrikam Solutions" not in nothing.output


def test_reject_with_a_reason(cli_env):
    org_id, _ = applied(cli_env)
    r = runner.invoke(app, ["partners", "reject", str(org_id), "--reason", "Address not verified"])
    assert r.exit_code == 0, r.output
    with unit_of_work(bind=cli_env) as session:
        enrollment = queries.enrollment_of(session, org_id)
        assert enrollment is not None
        assert (enrollment.state, enrollment.reason) == ("rejected", "Address not verified")


def test_errors_exit_non_zero_and_change_nothing(cli_env):
    org_id, _ = applied(cli_env)
    r = runner.invoke(app, ["partners", "approve", str(org_id)])  # not in verification
    assert r.exit_code == 5  # a conflict
    assert state_of(cli_env, org_id) == ("submitted", "indirect_reseller")
    r = runner.invoke(app, ["partners", "grant-provider", str(org_id)])
    assert r.exit_code == 5
    assert state_of(cli_env, org_id) == ("submitted", "indirect_reseller")
    r = runner.invoke(app, ["partners", "reject", str(org_id), "--reason", " "])
    assert r.exit_code == 2  # invalid input
    r = runner.invoke(app, ["partners", "verify", "nobody.example"])
    assert r.exit_code == 3  # not found
    r = runner.invoke(app, ["partners", "list", "--state", "pending"])
    assert r.exit_code == 2  # not an enrollment state (typer's usage error)


def test_the_command_group_is_listed():
    r = runner.invoke(app, ["--help"])
    assert "partners" in r.output
    r = runner.invoke(app, ["partners", "--help"])
    for command in ("list", "verify", "approve", "reject", "grant-provider"):
        assert command in r.output
