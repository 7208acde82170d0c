"""HTTP conventions every route shares (DESIGN §5, api-surface.md §3)."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from opencsp.auth.rules import Role
from opencsp.core.actor import Tier
from opencsp.web.app import create_app
from tests.factories import member

ERROR_KEYS = {"code", "description", "data", "source"}


def test_unknown_route_is_404_in_the_error_shape(client, session):
    m = member(session)
    r = client.get("/v1/no-such-thing", headers=m.headers)
    assert r.status_code == 404
    assert set(r.json()) == ERROR_KEYS
    assert r.json()["code"] == 1000


def test_wrong_method_is_405_in_the_error_shape(client, session):
    m = member(session)
    r = client.delete("/v1/users/me", headers=m.headers)
    assert r.status_code == 405
    assert set(r.json()) == ERROR_KEYS


def test_missing_token_is_401_with_code_800001(client):
    r = client.get("/v1/users/me")
    assert r.status_code == 401
    assert r.json()["code"] == 800001
    assert set(r.json()) == ERROR_KEYS
    assert "Bearer" in r.headers["www-authenticate"]


@pytest.mark.parametrize("header", ["Bearer nope", "Basic abc", "Bearer", "ocsp_x"])
def test_bad_token_is_401(client, header):
    r = client.get("/v1/users/me", headers={"Authorization": header})
    assert r.status_code == 401
    assert set(r.json()) == ERROR_KEYS


def test_revoked_token_stops_working(client, session):
    m = member(session)
    assert client.get("/v1/users/me", headers=m.headers).status_code == 200
    tokens = client.get("/v1/users/me/apitokens", headers=m.headers).json()["items"]
    assert len(tokens) == 1
    r = client.delete(f"/v1/users/me/apitokens/{tokens[0]['id']}", headers=m.headers)
    assert r.status_code == 200
    assert r.json()["revokedAt"] is not None
    assert client.get("/v1/users/me", headers=m.headers).status_code == 401


def test_missing_permission_is_403_with_code_900150(client, session):
    m = member(session, roles=(Role.HELPDESK_AGENT,))
    r = client.get("/v1/auditrecords", headers=m.headers)
    assert r.status_code == 403
    assert r.json()["code"] == 900150


def test_validation_error_is_400_with_field_details(client, session):
    m = member(session)
    r = client.post("/v1/users/me/apitokens", headers=m.headers, json={"name": ""})
    assert r.status_code == 400
    body = r.json()
    assert set(body) == ERROR_KEYS
    assert body["code"] == 800002
    assert body["data"] and body["data"][0]["field"] == "name"


def test_malformed_json_is_400(client, session):
    m = member(session)
    r = client.post(
        "/v1/users/me/apitokens",
        headers={**m.headers, "Content-Type": "application/json"},
        content=b"{not json",
    )
    assert r.status_code == 400
    assert set(r.json()) == ERROR_KEYS


def test_unexpected_error_is_500_without_stack_trace(make_app, connection, session):
    make_app()  # the test clock and settings; the route below goes on an app of its own
    app = create_app(bind=connection)

    @app.get("/v1/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/v1/boom")
    assert r.status_code == 500
    assert set(r.json()) == ERROR_KEYS
    assert r.json()["code"] == 800003
    assert "secret" not in r.text and "Traceback" not in r.text


def test_correlation_id_is_echoed_or_generated(client, session):
    m = member(session)
    given = str(uuid.uuid4())
    r = client.get("/v1/users/me", headers={**m.headers, "MS-CorrelationId": given})
    assert r.headers["ms-correlationid"] == given
    generated = client.get("/v1/users/me", headers=m.headers).headers["ms-correlationid"]
    assert uuid.UUID(generated)
    assert generated != given


def test_request_id_and_locale_are_echoed(client, session):
    m = member(session)
    rid = str(uuid.uuid4())
    r = client.get("/v1/users/me", headers={**m.headers, "MS-RequestId": rid, "X-Locale": "ko-KR"})
    assert r.headers["ms-requestid"] == rid
    assert r.headers["x-locale"] == "ko-KR"


def test_output_is_camel_case_with_object_type(client, session):
    m = member(session)
    body = client.get("/v1/users/me", headers=m.headers).json()
    assert "displayName" in body and "display_name" not in body
    assert body["attributes"] == {"objectType": "PartnerUser"}


@pytest.mark.parametrize("key", ["name", "Name", "NAME"])
def test_input_keys_are_case_insensitive(client, session, key):
    m = member(session)
    r = client.post("/v1/users/me/apitokens", headers=m.headers, json={key: "ci"})
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "ci"


def test_openapi_and_docs_are_served(client):
    spec = client.get("/openapi.json")
    assert spec.status_code == 200
    assert "/v1/auditrecords" in spec.json()["paths"]
    assert client.get("/docs").status_code == 200


def test_records_outside_the_actor_scope_are_404(client, session):
    mine = member(session)
    other = member(session, tier=Tier.INDIRECT_PROVIDER, roles=(Role.GLOBAL_ADMIN,))
    r = client.get(f"/v1/users/{other.user.id}", headers=mine.headers)
    assert r.status_code == 404
    assert client.get(f"/v1/users/{mine.user.id}", headers=mine.headers).status_code == 200


@pytest.mark.parametrize(
    ("locale", "fragment"),
    [
        ("ko-KR", "사용자를 찾을 수 없습니다"),
        ("en-US", "User not found"),
        ("fr-FR", "User not found"),
    ],
)
def test_x_locale_chooses_the_language_of_error_descriptions(client, session, locale, fragment):
    m = member(session)
    r = client.get(f"/v1/users/{uuid.uuid4()}", headers={**m.headers, "X-Locale": locale})
    assert r.status_code == 404
    assert fragment in r.json()["description"]
    assert r.json()["code"] == 1000
