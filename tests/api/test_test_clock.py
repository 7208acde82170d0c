"""The test clock (Kill Bill style): ``GET|PUT /v1/program/test/clock``, Program admin only,
404 when the setting is off; server, CLI and jobs all follow it."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select

from opencsp.audit.models import AuditRecord
from opencsp.auth.rules import Role
from opencsp.core import clock
from opencsp.core.actor import Tier
from opencsp.core.uow import unit_of_work
from opencsp.jobs.registry import JOBS
from opencsp.web.app import create_app
from tests.conftest import NOW
from tests.factories import member


def _admin(session):
    return member(session, tier=Tier.VENDOR, roles=(Role.PROGRAM_ADMIN,))


def test_get_returns_the_instant_in_utc(client, session):
    admin = _admin(session)
    r = client.get("/v1/program/test/clock", headers=admin.headers)
    assert r.status_code == 200
    assert r.json() == {"now": NOW.isoformat().replace("+00:00", "Z")}


def test_put_moves_now_for_later_requests_and_is_audited(client, session):
    admin = _admin(session)
    target = "2027-02-28T23:59:59Z"
    r = client.put("/v1/program/test/clock", headers=admin.headers, json={"now": target})
    assert r.status_code == 200
    assert r.json() == {"now": target}
    assert client.get("/v1/program/test/clock", headers=admin.headers).json() == {"now": target}
    # a record written afterwards carries the moved clock
    client.post("/v1/users/me/apitokens", headers=admin.headers, json={"name": "later"})
    dates = session.scalars(
        select(AuditRecord.operation_date).where(AuditRecord.user_id == admin.user.id)
    ).all()
    assert datetime(2027, 2, 28, 23, 59, 59, tzinfo=UTC) in dates
    ops = session.scalars(select(AuditRecord.operation_type)).all()
    assert "update_test_clock" in ops


def test_offsets_are_normalized_to_utc(client, session):
    admin = _admin(session)
    r = client.put(
        "/v1/program/test/clock", headers=admin.headers, json={"Now": "2027-01-01T09:00:00+09:00"}
    )
    assert r.json() == {"now": "2027-01-01T00:00:00Z"}


def test_naive_instants_are_refused(client, session):
    admin = _admin(session)
    r = client.put(
        "/v1/program/test/clock", headers=admin.headers, json={"now": "2027-01-01T00:00:00"}
    )
    assert r.status_code == 400


def test_only_a_program_admin_moves_it(client, session):
    partner = member(session, roles=(Role.GLOBAL_ADMIN,))
    catalog = member(session, tier=Tier.VENDOR, roles=(Role.CATALOG_MANAGER,))
    for who in (partner, catalog):
        r = client.put(
            "/v1/program/test/clock", headers=who.headers, json={"now": "2030-01-01T00:00:00Z"}
        )
        assert r.status_code == 403
        assert r.json()["code"] == 900150


def test_the_route_does_not_exist_when_the_setting_is_off(configure, connection, session):
    configure(test_clock=False)
    admin = _admin(session)
    with TestClient(create_app(bind=connection)) as c:
        assert c.get("/v1/program/test/clock", headers=admin.headers).status_code == 404
        r = c.put(
            "/v1/program/test/clock", headers=admin.headers, json={"now": "2030-01-01T00:00:00Z"}
        )
        assert r.status_code == 404


def test_cli_and_jobs_follow_the_test_clock(configure, connection, session):
    """A unit of work (what every CLI command and job runs in) reads the test clock."""
    configure(test_clock=True)
    moved = datetime(2031, 5, 1, tzinfo=UTC)
    clock.set_test_clock(session, moved)
    session.flush()
    with clock.frozen(datetime(2000, 1, 1, tzinfo=UTC)), unit_of_work(bind=connection) as s:
        assert clock.now() == moved
        assert JOBS["audit.purge"].run(s, member(s).actor).endswith("removed")


def test_with_the_setting_off_units_of_work_ignore_the_row(configure, connection, session):
    configure(test_clock=False)
    clock.set_test_clock(session, datetime(2031, 5, 1, tzinfo=UTC))
    session.flush()
    with unit_of_work(bind=connection):
        assert clock.now().year < 2031
