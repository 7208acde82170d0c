"""``MS-RequestId`` is the idempotency key (PC:developer/headers.md): a retried mutating
request returns the first response and changes nothing."""

from __future__ import annotations

import threading
import uuid

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from opencsp.audit.models import AuditRecord
from opencsp.auth.models import ApiToken, User
from opencsp.auth.rules import Role
from opencsp.core.db import build_engine, new_session
from opencsp.core.uow import unit_of_work
from opencsp.web.app import create_app
from tests.factories import member


def _tokens(session, user_id) -> int:
    return session.scalar(select(func.count()).where(ApiToken.user_id == user_id)) or 0


def test_replay_returns_the_first_response_and_writes_nothing(client, session):
    m = member(session)
    rid = str(uuid.uuid4())
    headers = {**m.headers, "MS-RequestId": rid}
    first = client.post("/v1/users/me/apitokens", headers=headers, json={"name": "ci"})
    second = client.post("/v1/users/me/apitokens", headers=headers, json={"name": "ci"})
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["x-idempotent-replay"] == "true"
    assert _tokens(session, m.user.id) == 2  # the factory's token and exactly one more
    audits = session.scalar(
        select(func.count()).where(
            AuditRecord.operation_type == "create_application_credential",
            AuditRecord.user_id == m.user.id,
        )
    )
    assert audits == 1


def test_a_new_request_id_is_a_new_request(client, session):
    m = member(session)
    for _ in range(2):
        r = client.post(
            "/v1/users/me/apitokens",
            headers={**m.headers, "MS-RequestId": str(uuid.uuid4())},
            json={"name": "ci"},
        )
        assert r.status_code == 201
    assert _tokens(session, m.user.id) == 3


def test_same_id_with_a_different_body_is_rejected(client, session):
    m = member(session)
    headers = {**m.headers, "MS-RequestId": str(uuid.uuid4())}
    assert (
        client.post("/v1/users/me/apitokens", headers=headers, json={"name": "a"}).status_code
        == 201
    )
    r = client.post("/v1/users/me/apitokens", headers=headers, json={"name": "b"})
    assert r.status_code == 409
    assert r.json()["code"] == "RequestIdReused"
    assert _tokens(session, m.user.id) == 2


def test_same_id_from_another_tenant_is_rejected_not_replayed(client, session):
    a, b = member(session), member(session)
    rid = str(uuid.uuid4())
    first = client.post(
        "/v1/users/me/apitokens", headers={**a.headers, "MS-RequestId": rid}, json={"name": "x"}
    )
    assert first.status_code == 201
    r = client.post(
        "/v1/users/me/apitokens", headers={**b.headers, "MS-RequestId": rid}, json={"name": "x"}
    )
    assert r.status_code == 409
    assert "token" not in r.json()  # the first tenant's secret never leaks


def test_a_business_failure_is_replayed_and_leaves_nothing(client, session):
    m = member(session)
    headers = {**m.headers, "MS-RequestId": str(uuid.uuid4())}
    body = {"email": "new.user@example.test", "roles": ["no_such_role"]}
    first = client.post("/v1/users", headers=headers, json=body)
    second = client.post("/v1/users", headers=headers, json=body)
    assert first.status_code == second.status_code == 400
    assert first.json() == second.json()
    assert session.scalar(select(User).where(User.email == "new.user@example.test")) is None


def test_a_failed_request_leaves_nothing_half_written(client, session):
    """The role is granted only by a Global admin: the user row must not survive."""
    m = member(session, roles=(Role.USER_MANAGEMENT_ADMIN,))
    r = client.post(
        "/v1/users",
        headers=m.headers,
        json={"email": "boss@example.test", "roles": ["global_admin"]},
    )
    assert r.status_code == 403
    assert session.scalar(select(User).where(User.email == "boss@example.test")) is None


def test_concurrent_twins_do_the_work_once(live_database):
    """Two simultaneous requests with one MS-RequestId: one does the work, the other
    gets the stored response."""
    engine = build_engine(live_database)
    with unit_of_work(bind=engine) as s:
        m = member(s)
        user_id, headers = m.user.id, m.headers
    app = create_app(bind=engine)
    rid = str(uuid.uuid4())
    results: list[tuple[int, dict]] = []
    barrier = threading.Barrier(2)

    def call() -> None:
        with TestClient(app) as c:
            barrier.wait()
            r = c.post(
                "/v1/users/me/apitokens",
                headers={**headers, "MS-RequestId": rid},
                json={"name": "twin"},
            )
            results.append((r.status_code, r.json()))

    threads = [threading.Thread(target=call) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert [code for code, _ in results] == [201, 201]
    assert results[0][1] == results[1][1]
    with new_session(engine) as s:
        assert _tokens(s, user_id) == 2
    engine.dispose()


def test_stored_responses_do_not_keep_secrets_in_the_clear(client, session):
    """A new token's secret is in the stored response; the table must not reveal it."""
    from opencsp.core.idempotency import IdempotencyRecord

    m = member(session)
    rid = str(uuid.uuid4())
    r = client.post(
        "/v1/users/me/apitokens",
        headers={**m.headers, "MS-RequestId": rid},
        json={"name": "secret"},
    )
    secret = r.json()["token"]
    stored = session.get(IdempotencyRecord, rid)
    assert stored is not None
    assert secret.encode() not in stored.body
    replay = client.post(
        "/v1/users/me/apitokens",
        headers={**m.headers, "MS-RequestId": rid},
        json={"name": "secret"},
    )
    assert replay.json()["token"] == secret
