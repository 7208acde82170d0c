"""``opencsp tier`` and ``opencsp qualifications`` against a real (committed) database:
a provider's tier revoked after its effect is printed, and a qualification approved and
denied from the queue."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from opencsp.auth.models import Organization
from opencsp.cli.main import app
from opencsp.core.actor import Tier
from opencsp.core.config import settings
from opencsp.core.db import build_engine
from opencsp.core.uow import unit_of_work
from opencsp.customers.models import CustomerQualification
from opencsp.partners.models import PartnerQualification
from tests.conftest import NOW
from tests.factories.parties import customer, partner, partnership

runner = CliRunner()


@pytest.fixture()
def cli_env(live_database, monkeypatch):
    monkeypatch.setenv("OPENCSP_DATABASE_URL", live_database)
    settings.cache_clear()
    engine = build_engine(live_database)
    yield engine
    engine.dispose()
    settings.cache_clear()


def test_tier_preview_then_change(cli_env):
    with unit_of_work(bind=cli_env) as session:
        provider = partner(session, Tier.INDIRECT_PROVIDER, name="Fabrikam Distribution")
        reseller = partner(session, Tier.INDIRECT_RESELLER, name="Northwind Resellers")
        partnership(session, provider.org, reseller.org)
        org = provider.org.id
    shown = runner.invoke(app, ["tier", "preview", str(org)])
    assert shown.exit_code == 0, shown.output
    assert "indirect_provider -> indirect_reseller" in shown.output
    assert "Northwind Resellers" in shown.output
    stale = runner.invoke(app, ["tier", "change", str(org), "--fingerprint", "0" * 64])
    assert stale.exit_code == 5, stale.output
    assert "PreviewStale" in stale.output
    refused = runner.invoke(app, ["tier", "change", str(org)], input="n\n")
    assert refused.exit_code == 1
    done = runner.invoke(app, ["tier", "change", str(org), "--yes"])
    assert done.exit_code == 0, done.output
    assert done.output.strip().endswith("indirect_reseller")
    with unit_of_work(bind=cli_env) as session:
        assert session.get(Organization, org).tier == "indirect_reseller"


def test_qualifications_queue_approve_and_deny(cli_env):
    with unit_of_work(bind=cli_env) as session:
        direct = partner(session, Tier.DIRECT_BILL)
        school = customer(session, direct.org, name="Contoso School District")
        session.add(
            CustomerQualification(
                customer_id=school.id,
                qualification="Education",
                education_segment="K12",
                vetting_status="InReview",
                vetting_created_date=NOW,
            )
        )
        session.add(
            PartnerQualification(
                organization_id=direct.org.id,
                segment="government",
                status="InReview",
                requested_at=NOW,
            )
        )
        cid, org = school.id, direct.org.id
    listed = runner.invoke(app, ["qualifications", "list"])
    assert listed.exit_code == 0, listed.output
    assert "Contoso School District" in listed.output and "government" in listed.output
    ok = runner.invoke(app, ["qualifications", "approve", "customer", str(cid), "education"])
    assert ok.exit_code == 0, ok.output
    assert "Approved" in ok.output
    no = runner.invoke(
        app, ["qualifications", "deny", "partner", str(org), "government", "--reason", "No GCC"]
    )
    assert no.exit_code == 0 and "Denied" in no.output
    again = runner.invoke(app, ["qualifications", "approve", "partner", str(org), "government"])
    assert again.exit_code == 5
    assert runner.invoke(app, ["qualifications", "list"]).output.count("InReview") == 0
