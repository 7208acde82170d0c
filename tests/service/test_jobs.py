"""Jobs are idempotent: a second run changes nothing more."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from opencsp import audit
from opencsp.audit.models import AuditRecord, AuditRecordImmutable
from opencsp.core import clock
from opencsp.jobs.registry import JOBS
from tests.conftest import NOW
from tests.factories import member


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
