"""``opencsp program``: a partner's checklist, the direct-bill queue, evidence and the
decisions from the command line, against a real (committed) database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from opencsp.cli.main import app
from opencsp.core import clock
from opencsp.core.config import settings
from opencsp.core.db import build_engine
from opencsp.core.uow import unit_of_work
from opencsp.program import applications
from tests.conftest import NOW
from tests.factories.program import applicant, form

runner = CliRunner()


def has(output: str, words: str) -> bool:
    """The words in a row, whatever whitespace the console put between them."""
    return " ".join(words.split()) in " ".join(output.split())


@pytest.fixture()
def cli_env(live_database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("OPENCSP_DATABASE_URL", live_database)
    settings.cache_clear()
    engine = build_engine(live_database)
    with clock.frozen(NOW):
        yield engine
    engine.dispose()
    settings.cache_clear()


def test_review_from_the_command_line(cli_env: Engine) -> None:
    with unit_of_work(bind=cli_env) as session:
        a = applicant(session, evidence_recorded=False)
        org = str(a.reseller.org.id)
        app_id = str(applications.apply(session, a.reseller.actor, form()).id)
    r = runner.invoke(app, ["program", "eligibility", org])
    assert r.exit_code == 0, r.output
    assert has(r.output, "revenue met") and has(r.output, "eligible false")
    r = runner.invoke(app, ["program", "applications", "list"])
    assert r.exit_code == 0 and app_id in r.output and "supportPlan" in r.output
    r = runner.invoke(app, ["program", "applications", "approve", app_id])
    assert r.exit_code != 0 and "DirectBillRequirementsNotMet" in r.output
    for kind, outcome, on, extra in (
        ("credit_check", "passed", "2026-01-20", []),
        ("support_plan", "bought", "2026-01-21", ["--plan", "PSfP"]),
        ("assessment", "passed", "2026-10-01", []),
    ):
        r = runner.invoke(
            app,
            ["program", "evidence", "record", org, "--kind", kind, "--outcome", outcome,
             "--on", on, *extra],
        )  # fmt: skip
        assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["program", "evidence", "list", org])
    assert has(r.output, "support_plan bought PSfP")
    r = runner.invoke(app, ["program", "applications", "request-info", app_id, "--message", "?"])
    assert r.exit_code == 0 and "info_requested" in r.output
    r = runner.invoke(app, ["program", "applications", "show", app_id])
    assert r.exit_code == 0 and has(r.output, "request_info ?")
    with unit_of_work(bind=cli_env) as session:
        applications.add_message(session, a.reseller.actor, uuid.UUID(app_id), "ok")
    r = runner.invoke(app, ["program", "applications", "approve", app_id])
    assert r.exit_code == 0, r.output
    assert "approved" in r.output and has(r.output, "admin jiwoo@contoso-direct.example")


def test_reject_needs_a_reason(cli_env: Engine) -> None:
    with unit_of_work(bind=cli_env) as session:
        a = applicant(session)
        app_id = str(applications.apply(session, a.reseller.actor, form()).id)
    r = runner.invoke(app, ["program", "applications", "reject", app_id, "--reason", " "])
    assert r.exit_code != 0 and "RejectionReasonRequired" in r.output
    r = runner.invoke(app, ["program", "applications", "reject", app_id, "--reason", "No"])
    assert r.exit_code == 0 and "rejected" in r.output
