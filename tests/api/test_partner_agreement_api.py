"""The partner agreement over the API: a Global admin's signatures
(``/v1/profiles/partneragreements``) and the status API other partners check them with
(``/v1/compliance/csp/agreementstatus``), with every documented error in the samples'
shape."""

from __future__ import annotations

import uuid

import pytest

from opencsp.agreements.models import PartnerAgreementSignature
from opencsp.auth.rules import Role
from opencsp.core.actor import Tier
from opencsp.partners import queries as partners
from tests.api.test_agreements_api import ERROR_KEYS, count, same_shape, sample
from tests.factories import member
from tests.factories.agreements import PARTNER, publish
from tests.factories.parties import partner, signed

# --- the partner agreement ---------------------------------------------------------------------


def test_a_global_admin_signs_and_lists_the_partner_agreement(client, session):
    template = publish(session, PARTNER)
    reseller = partner(session, Tier.INDIRECT_RESELLER, roles=(Role.GLOBAL_ADMIN,))
    agent = member(session, reseller.org, roles=(Role.ADMIN_AGENT,))
    session.commit()
    url = "/v1/profiles/partneragreements"
    refused = client.post(url, headers=agent.headers, json={})
    assert refused.status_code == 403
    assert client.get(url, headers=agent.headers).status_code == 403
    r = client.post(url, headers=reseller.headers, json={"templateId": str(template.id)})
    assert r.status_code == 201
    assert (
        r.json()
        | {
            "region": "united-states",
            "templateId": str(template.id),
            "signerEmail": reseller.user.email,
        }
        == r.json()
    )
    again = client.post(url, headers=reseller.headers, json={"region": "united-states"})
    assert again.status_code == 409
    listed = client.get(url, headers=reseller.headers).json()
    assert [i["region"] for i in listed["items"]] == ["united-states"]
    assert count(session, PartnerAgreementSignature) == 1


@pytest.fixture()
def checked(session):
    """A US provider checking resellers: one signed (US), one not, one in Korea."""
    template = publish(session, PARTNER)
    provider = partner(session, Tier.INDIRECT_PROVIDER, country="US")
    good = partner(session, Tier.INDIRECT_RESELLER, country="US")
    unsigned = partner(session, Tier.INDIRECT_RESELLER, country="US")
    korean = partner(session, Tier.INDIRECT_RESELLER, country="KR")
    direct = partner(session, Tier.DIRECT_BILL, country="US")
    signed(session, good.org, "united-states", template)
    signed(session, korean.org, "korea-republic-of", template)
    session.commit()
    return {
        "provider": provider,
        "good": good,
        "unsigned": unsigned,
        "korean": korean,
        "direct": direct,
    }


def mpn(session, m) -> int:
    found = partners.location_partner_id(session, m.org.id)
    assert found is not None
    return found.mpn_id


def test_the_status_of_a_signed_reseller_has_the_samples_shape(client, session, checked):
    for query in (f"mpnId={mpn(session, checked['good'])}", f"tenantId={checked['good'].org.id}"):
        r = client.get(
            f"/v1/compliance/csp/agreementstatus?{query}", headers=checked["provider"].headers
        )
        assert r.status_code == 200
        same_shape(r.json(), sample("compliance-agreementstatus-success.response.json"))
        assert r.json()["isAgreementSigned"] is True


@pytest.mark.parametrize(
    ("query", "code", "documented"),
    [
        ("", 2001, "compliance-agreementstatus-error-no-partnerid-or-tenant.response.json"),
        (
            "mpnId={good}&tenantId={good_tenant}",
            2000,
            "compliance-agreementstatus-error-both-partnerid-and-tenant.response.json",
        ),
        ("mpnId=12x", 2000, None),
        ("tenantId=123", 2000, None),
        ("mpnId=9999999", 2200, None),
        ("mpnId={korean}", 2201, None),
        ("mpnId={unsigned}", 2203, None),
        (
            "mpnId={direct}",
            2204,
            "compliance-agreementstatus-error-no-reseller-account.response.json",
        ),
        ("tenantId={random}", 2205, None),
        (
            "tenantId={unsigned_tenant}",
            2206,
            "compliance-agreementstatus-error-no-mpa-for-tenant.response.json",
        ),
    ],
)
def test_every_documented_status_error_in_the_samples_shape(
    client, session, checked, query, code, documented
):
    url = "/v1/compliance/csp/agreementstatus?" + query.format(
        good=mpn(session, checked["good"]),
        good_tenant=checked["good"].org.id,
        korean=mpn(session, checked["korean"]),
        unsigned=mpn(session, checked["unsigned"]),
        direct=mpn(session, checked["direct"]),
        random=uuid.uuid4(),
        unsigned_tenant=checked["unsigned"].org.id,
    )
    r = client.get(url, headers=checked["provider"].headers)
    assert r.status_code == 400
    body = r.json()
    assert set(body) == ERROR_KEYS
    assert body["code"] == code
    if documented:
        same_shape(body, sample(documented))
        if code in (2000, 2001):
            assert body["description"] == sample(documented)["description"]
    if code not in (2000, 2001):
        assert body["data"] == ["http://testserver/partner-agreement"]


def test_the_status_needs_a_signed_in_caller(client, session, checked):
    r = client.get(f"/v1/compliance/csp/agreementstatus?mpnId={mpn(session, checked['good'])}")
    assert r.status_code == 401
    other = client.get(
        f"/v1/compliance/other/agreementstatus?mpnId={mpn(session, checked['good'])}",
        headers=checked["provider"].headers,
    )
    assert other.status_code == 404
