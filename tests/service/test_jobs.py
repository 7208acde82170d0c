"""Jobs are idempotent: a second run changes nothing more."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from opencsp import audit
from opencsp.audit.models import AuditRecord, AuditRecordImmutable
from opencsp.auth import service
from opencsp.auth.rules import Role
from opencsp.core import clock
from opencsp.core.actor import Tier
from opencsp.jobs.registry import JOBS
from tests.conftest import NOW
from tests.factories import member, organization, system


def test_audit_purge_keeps_90_days_and_is_idempotent(session):
    m = member(session)
    for days in (0, 89, 91, 200):
        with clock.frozen(NOW - timedelta(days=days)):
            audit.record(session, m.actor, "probe", "probe", resource_id=days)
    session.flush()
    assert JOBS["audit.purge"].run(session, m.actor) == "2 removed"
    assert JOBS["audit.purge"].run(session, m.actor) == "0 removed"
    kept = session.scalars(
        select(AuditRecord.resource_id).where(AuditRecord.operation_type == "probe")
    ).all()
    assert sorted(kept) == ["0", "89"]


@pytest.mark.parametrize("change", ["update", "delete"])
def test_audit_records_cannot_be_changed(session, change):
    m = member(session)
    row = audit.record(session, m.actor, "probe", "probe")
    session.flush()
    if change == "update":
        row.operation_status = "failed"
    else:
        session.delete(row)
    with pytest.raises(AuditRecordImmutable):
        session.flush()


def test_records_belong_to_the_organization_the_change_is_about(session):
    """The vendor's operator creates a partner's user: the partner sees it in its log."""
    partner = organization(session, Tier.INDIRECT_RESELLER)
    user = service.create_user(
        session,
        system(session),
        organization_id=partner.id,
        email="new@partner.test",
        display_name="New",
        roles=[Role.HELPDESK_AGENT],
    )
    session.flush()
    row = session.scalar(select(AuditRecord).where(AuditRecord.resource_id == str(user.id)))
    assert row is not None
    assert row.partner_id == partner.id
    assert row.user_principal_name == "system"
