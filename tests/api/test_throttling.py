"""Per-tenant throttling: 429 with Retry-After (PC:developer/api-throttling-guidance.md)."""

from __future__ import annotations

from tests.factories import member


def test_the_tenant_over_its_limit_gets_429_with_retry_after(configure, make_app, session):
    from fastapi.testclient import TestClient

    configure(throttle_per_minute=3)
    noisy, quiet = member(session), member(session)
    with TestClient(make_app(), raise_server_exceptions=False) as client:
        codes = [client.get("/v1/users/me", headers=noisy.headers).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        r = client.get("/v1/users/me", headers=noisy.headers)
        assert r.status_code == 429
        assert 1 <= int(r.headers["retry-after"]) <= 61
        body = r.json()
        assert body["code"] == 429 and body["statusCode"] == 429
        assert {"code", "description", "data", "source"} <= set(body)
        assert "Try again in" in body["message"]
        # another tenant is not affected
        assert client.get("/v1/users/me", headers=quiet.headers).status_code == 200


def test_throttled_writes_change_nothing(configure, make_app, session):
    from fastapi.testclient import TestClient

    configure(throttle_per_minute=1)
    m = member(session)
    with TestClient(make_app(), raise_server_exceptions=False) as client:
        assert client.get("/v1/users/me", headers=m.headers).status_code == 200
        r = client.post("/v1/users/me/apitokens", headers=m.headers, json={"name": "x"})
        assert r.status_code == 429
    from sqlalchemy import func, select

    from opencsp.auth.models import ApiToken

    assert session.scalar(select(func.count()).where(ApiToken.user_id == m.user.id)) == 1
