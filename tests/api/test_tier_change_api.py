"""The vendor's indirect tier changes over the API (``/v1/program/partners/{orgId}/tier``):
the preview of what a grant or a revoke does, the fingerprint the confirmation must carry
(absent, stale), the refusal while the provider is bill-to for active subscriptions (a
table of statuses and product types), and what a confirmed revoke changes."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from opencsp.auth.models import Organization
from opencsp.auth.rules import Role
from opencsp.core import clock
from opencsp.core.actor import Tier
from opencsp.customers.models import CustomerRelationship
from opencsp.notifications.models import Notification
from opencsp.orders.models import OrderRequest
from opencsp.partners.models import Partnership
from tests.factories import member
from tests.factories.commerce import scene, subscription
from tests.factories.parties import partner, partnership


@pytest.fixture()
def world(session):
    s = scene(session)
    vendor = member(session, tier=Tier.VENDOR, roles=(Role.PROGRAM_ADMIN,))
    return s, vendor


def path(org_id) -> str:
    return f"/v1/program/partners/{org_id}/tier"


def preview(client, vendor, org_id, tier: str | None = None):
    params = {"tier": tier} if tier else {}
    return client.get(path(org_id), headers=vendor.headers, params=params)


def confirm(client, vendor, org_id, tier, fingerprint):
    body = {"tier": tier, "fingerprint": fingerprint}
    return client.put(path(org_id), headers=vendor.headers, json=body)


def open_request(session, s) -> OrderRequest:
    now = clock.now()
    row = OrderRequest(
        id=uuid.uuid4(),
        customer_id=s.indirect_customer.id,
        reseller_organization_id=s.reseller.org.id,
        provider_organization_id=s.provider.org.id,
        lines=[],
        note="",
        status="open",
        decline_reason="",
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


def test_revoke_preview_shows_every_effect(client, session, world):
    s, vendor = world
    request = open_request(session, s)
    r = preview(client, vendor, s.provider.org.id)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["attributes"] == {"objectType": "TierChangePreview"}
    assert (body["currentTier"], body["targetTier"]) == ("indirect_provider", "indirect_reseller")
    assert body["canConfirm"] is True and body["blockers"] == []
    effects = body["effects"]
    assert [p["id"] for p in effects["partnershipsEnding"]] == [str(s.reseller.org.id)]
    assert [c["id"] for c in effects["customerRelationshipsEnding"]] == [
        str(s.indirect_customer.id)
    ]
    [kept] = effects["customersKept"]
    assert (kept["id"], kept["reseller"]["id"]) == (
        str(s.indirect_customer.id),
        str(s.reseller.org.id),
    )
    assert effects["activeSubscriptions"] == 0
    assert [o["id"] for o in effects["orderRequestsDeclined"]] == [str(request.id)]
    assert len(body["fingerprint"]) == 64
    assert preview(client, vendor, s.provider.org.id).json()["fingerprint"] == body["fingerprint"]


def test_confirmed_revoke_applies_it(client, session, world):
    s, vendor = world
    request = open_request(session, s)
    fingerprint = preview(client, vendor, s.provider.org.id).json()["fingerprint"]
    r = confirm(client, vendor, s.provider.org.id, "IndirectReseller", fingerprint)
    assert r.status_code == 200, r.text
    assert r.json()["tier"] == "indirect_reseller"
    assert r.json()["partnershipsEnded"] == 1 and r.json()["orderRequestsDeclined"] == 1
    session.expire_all()
    assert session.get(Organization, s.provider.org.id).tier == "indirect_reseller"
    ship = session.scalar(select(Partnership).where(Partnership.provider_id == s.provider.org.id))
    assert ship.state == "ended"
    rows = {
        r.role: r.state
        for r in session.scalars(
            select(CustomerRelationship).where(
                CustomerRelationship.customer_id == s.indirect_customer.id
            )
        )
    }
    assert rows == {"provider": "ended", "reseller": "active"}  # the reseller keeps it
    assert session.get(OrderRequest, request.id).status == "declined"
    kinds = {(n.organization_id, n.kind) for n in session.scalars(select(Notification))}
    assert (s.reseller.org.id, "partnership_ended_provider_tier_revoked") in kinds
    assert (s.provider.org.id, "provider_tier_revoked") in kinds


def test_confirmation_needs_the_preview_fingerprint(client, session, world):
    s, vendor = world
    missing = confirm(client, vendor, s.provider.org.id, "indirect_reseller", None)
    assert missing.status_code == 400 and missing.json()["code"] == "PreviewRequired"
    wrong = confirm(client, vendor, s.provider.org.id, "indirect_reseller", "0" * 64)
    assert wrong.status_code == 409 and wrong.json()["code"] == "PreviewStale"
    fingerprint = preview(client, vendor, s.provider.org.id).json()["fingerprint"]
    another = partner(session, Tier.INDIRECT_RESELLER)  # the world changes meanwhile
    partnership(session, s.provider.org, another.org)
    stale = confirm(client, vendor, s.provider.org.id, "indirect_reseller", fingerprint)
    assert stale.status_code == 409 and stale.json()["code"] == "PreviewStale"
    session.expire_all()
    assert session.get(Organization, s.provider.org.id).tier == "indirect_provider"


@pytest.mark.parametrize(
    ("status", "perpetual", "blocks"),
    [
        ("active", False, True),
        ("suspended", False, True),
        ("pending", False, True),
        ("expired", False, False),
        ("deleted", False, False),
        ("active", True, False),
    ],
)
def test_active_subscriptions_as_bill_to_block_a_revoke(
    client, session, world, status, perpetual, blocks
):
    s, vendor = world
    item = s.perpetual if perpetual else s.offer
    subscription(session, s.indirect_customer, s.provider, item, status=status)
    subscription(session, s.direct_customer, s.direct, s.offer)  # another bill-to: not counted
    body = preview(client, vendor, s.provider.org.id).json()
    assert body["effects"]["activeSubscriptions"] == (1 if blocks else 0)
    assert body["canConfirm"] is (not blocks)
    r = confirm(client, vendor, s.provider.org.id, "indirect_reseller", body["fingerprint"])
    if blocks:
        assert [b["code"] for b in body["blockers"]] == ["ProviderHasActiveSubscriptions"]
        assert r.status_code == 409 and r.json()["code"] == "ProviderHasActiveSubscriptions"
        assert "1 active subscription" in r.json()["description"]
    else:
        assert r.status_code == 200, r.text


def test_grant_preview_and_confirm(client, session, world):
    s, vendor = world
    blocked = preview(client, vendor, s.reseller.org.id).json()
    assert blocked["targetTier"] == "indirect_provider"
    assert blocked["canConfirm"] is False
    assert [b["code"] for b in blocked["blockers"]] == ["ProviderTierNotGrantable"]
    assert [p["id"] for p in blocked["effects"]["providers"]] == [str(s.provider.org.id)]
    assert [c["id"] for c in blocked["effects"]["customersKept"]] == [str(s.indirect_customer.id)]
    lone = partner(session, Tier.INDIRECT_RESELLER)
    body = preview(client, vendor, lone.org.id, "indirect_provider").json()
    assert body["canConfirm"] is True
    r = confirm(client, vendor, lone.org.id, "indirect_provider", body["fingerprint"])
    assert r.status_code == 200 and r.json()["tier"] == "indirect_provider"
    again = preview(client, vendor, lone.org.id, "indirect_provider")
    assert again.status_code == 409 and again.json()["code"] == "TierUnchanged"


@pytest.mark.parametrize("tier", ["direct_bill", "vendor", "provider"])
def test_unknown_target_is_400(client, world, tier):
    s, vendor = world
    r = preview(client, vendor, s.provider.org.id, tier)
    assert r.status_code == 400 and r.json()["code"] == "InvalidTier"


def test_revoking_a_direct_bill_partner_is_blocked(client, world):
    s, vendor = world
    body = preview(client, vendor, s.direct.org.id, "indirect_reseller").json()
    assert [b["code"] for b in body["blockers"]] == ["NotAnIndirectProvider"]


def test_only_the_program_admin(client, world):
    s, vendor = world
    assert preview(client, s.provider, s.provider.org.id).status_code == 403
    assert preview(client, vendor, uuid.uuid4()).status_code == 404
