"""What a restricted or deauthorized partner can and cannot do, through the API
(rules.md §2c, PC:restricted-direct-bill-capabilities.md; §3.4): no new purchases,
add-ons, one-time purchases, customers, relationship or partnership invitations; renewals
continue, seats change, subscriptions suspend; a deauthorized reseller is no partner of
record and re-enrolls only after a year. The vendor's standings API: list, restrict, lift
(404 for what a partner may not see)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opencsp.auth.rules import Role
from opencsp.core import clock
from opencsp.core.actor import Tier
from opencsp.notifications.models import Notification
from opencsp.partners import enrollment, standing
from opencsp.partners.errors import ReenrollmentTooEarly
from opencsp.partners.models import Partnership
from opencsp.subscriptions import renewals
from opencsp.subscriptions.models import Subscription
from tests.conftest import NOW
from tests.factories import Member, member, system
from tests.factories.commerce import Scene, scene, subscription
from tests.factories.customers import create_body
from tests.factories.jobs import units
from tests.factories.partners import application

ERROR_KEYS = {"code", "description", "data", "source"}


@pytest.fixture()
def world(session: Session) -> Scene:
    return scene(session)


@pytest.fixture()
def vendor(session: Session) -> Member:
    return member(session, tier=Tier.VENDOR, roles=(Role.PROGRAM_ADMIN,))


def refused(response: Any, status: int, code: int | str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == ERROR_KEYS and body["code"] == code, body
    return body


def restrict(session: Session, who: Member) -> None:
    standing.restrict(session, system(session), who.org.id, reason="Reassessment not met", now=NOW)
    session.flush()


def deauthorize(session: Session, who: Member, *, on: datetime = NOW) -> None:
    standing.deauthorize(
        session,
        system(session),
        who.org.id,
        reason="Under the floor",
        now=on,
        reenroll_after=date(on.year + 1, on.month, on.day),
    )
    session.flush()


def order(
    client: TestClient, who: Member, customer_id: Any, catalog_item: str, **extra: Any
) -> Any:
    line = {"lineItemNumber": 0, "offerId": catalog_item, "quantity": 5, "termDuration": "P1Y"}
    body = {"billingCycle": "monthly", "lineItems": [line | extra]}
    return client.post(f"/v1/customers/{customer_id}/orders", headers=who.headers, json=body)


def cart(client: TestClient, who: Member, customer_id: Any, item: dict[str, Any]) -> Any:
    return client.post(
        f"/v1/customers/{customer_id}/carts", headers=who.headers, json={"lineItems": [item]}
    )


def sub_url(sub: Subscription) -> str:
    return f"/v1/customers/{sub.customer_id}/subscriptions/{sub.id}"


def patch(client: TestClient, who: Member, sub: Subscription, **changes: Any) -> Any:
    body = client.get(sub_url(sub), headers=who.headers).json()
    return client.patch(sub_url(sub), json=body | changes, headers=who.headers)


# --- restricted: what is blocked ----------------------------------------------------------------


def test_good_standing_buys_and_restricted_does_not(client, session, world):
    ok = order(client, world.direct, world.direct_customer.id, world.offer.catalog_item_id)
    assert ok.status_code == 201, ok.text
    restrict(session, world.direct)
    body = refused(
        order(client, world.direct, world.direct_customer.id, world.offer.catalog_item_id),
        403,
        "PartnerRestricted",
    )
    assert "restricted" in body["description"]


@pytest.mark.parametrize(
    "kind",
    ["license", "addon", "oneTime"],
)
def test_restricted_partner_starts_no_purchase_add_on_or_one_time_purchase(
    client, session, world, kind
):
    # the base subscription the add-on needs is held already
    subscription(session, world.direct_customer, world.direct, world.offer, quantity=3)
    restrict(session, world.direct)
    item = {
        "license": {"id": 0, "catalogItemId": world.offer.catalog_item_id, "quantity": 1},
        "addon": {"id": 0, "catalogItemId": world.addon.catalog_item_id, "quantity": 1},
        "oneTime": {
            "id": 0,
            "catalogItemId": world.perpetual.catalog_item_id,
            "quantity": 1,
            "billingCycle": "one_time",
        },
    }[kind]
    refused(cart(client, world.direct, world.direct_customer.id, item), 403, "PartnerRestricted")


def test_restricted_partner_creates_no_customer(client, session, world):
    ok = client.post("/v1/customers", headers=world.direct.headers, json=create_body())
    assert ok.status_code == 201, ok.text
    restrict(session, world.direct)
    body = refused(
        client.post("/v1/customers", headers=world.direct.headers, json=create_body()),
        403,
        "PartnerRestricted",
    )
    assert "customer tenants" in body["description"]


def test_restricted_partner_generates_no_relationship_invitation(client, session, world):
    url = "/v1/customers/relationshiprequests"
    assert client.get(url, headers=world.direct.headers).status_code == 200
    restrict(session, world.direct)
    refused(client.get(url, headers=world.direct.headers), 403, "PartnerRestricted")


def test_restricted_provider_invites_no_reseller(client, session, world):
    url = "/v1/relationships/requests"
    assert client.post(url, headers=world.provider.headers, json={}).status_code == 201
    restrict(session, world.provider)
    refused(client.post(url, headers=world.provider.headers, json={}), 403, "PartnerRestricted")


# --- restricted: what still works ----------------------------------------------------------------


@pytest.mark.parametrize("quantity", [15, 7])
def test_restricted_partner_changes_seats_up_and_down(client, session, world, quantity):
    sub = subscription(session, world.direct_customer, world.direct, world.offer, quantity=10)
    restrict(session, world.direct)
    r = patch(client, world.direct, sub, quantity=quantity)
    assert r.status_code == 200, r.text
    assert r.json()["quantity"] == quantity


def test_restricted_partner_suspends_a_subscription(client, session, world):
    sub = subscription(session, world.direct_customer, world.direct, world.offer, quantity=10)
    restrict(session, world.direct)
    r = patch(client, world.direct, sub, status="suspended")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "suspended"


def test_restricted_partners_subscriptions_keep_renewing(session, world):
    start = NOW.date() - timedelta(days=365)
    sub = subscription(session, world.direct_customer, world.direct, world.offer, start=start)
    restrict(session, world.direct)
    renewal = datetime.combine(sub.term_end + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    with clock.frozen(renewal + timedelta(minutes=5)):
        assert renewals.run_renewals(units(session, system(session))) == "renewed 1"
    session.refresh(sub)
    assert (sub.status, sub.term_number) == ("active", 2)


# --- the vendor: list, restrict, lift ----------------------------------------------------------


def test_vendor_restricts_lists_and_lifts(client, session, world, vendor):
    base = "/v1/program/standings"
    r = client.post(
        f"{base}/{world.direct.org.id}/restrict", headers=vendor.headers, json={"reason": "Audit"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "restricted"
    assert r.json()["attributes"] == {"objectType": "PartnerStanding"}
    listed = client.get(base, headers=vendor.headers).json()
    assert [i["partnerId"] for i in listed["items"]] == [str(world.direct.org.id)]
    # the partner reads its own, never another's
    own = client.get(f"{base}/{world.direct.org.id}", headers=world.direct.headers)
    assert own.json()["status"] == "restricted"
    refused(client.get(f"{base}/{world.provider.org.id}", headers=world.direct.headers), 404, 1000)
    assert client.get(base, headers=world.provider.headers).json()["totalCount"] == 0
    # partners can't act
    refused(
        client.post(
            f"{base}/{world.direct.org.id}/lift", headers=world.direct.headers, json={"reason": "x"}
        ),
        403,
        900150,
    )
    lifted = client.post(
        f"{base}/{world.direct.org.id}/lift", headers=vendor.headers, json={"reason": "Met again"}
    )
    assert lifted.status_code == 200 and lifted.json()["status"] == "good"
    ok = order(client, world.direct, world.direct_customer.id, world.offer.catalog_item_id)
    assert ok.status_code == 201, ok.text
    kinds = {
        n.kind for n in session.query(Notification).filter_by(organization_id=world.direct.org.id)
    }
    assert kinds == {"partner_restricted", "restriction_lifted"}


def test_lift_errors(client, session, world, vendor):
    base = "/v1/program/standings"
    refused(
        client.post(
            f"{base}/{world.direct.org.id}/lift", headers=vendor.headers, json={"reason": "x"}
        ),
        404,
        1000,
    )
    deauthorize(session, world.reseller)
    refused(
        client.post(
            f"{base}/{world.reseller.org.id}/lift", headers=vendor.headers, json={"reason": "x"}
        ),
        409,
        "DeauthorizationNotLiftable",
    )
    refused(
        client.post(
            f"{base}/{world.direct.org.id}/restrict", headers=vendor.headers, json={"reason": " "}
        ),
        400,
        "StandingReasonRequired",
    )


# --- deauthorized ------------------------------------------------------------------------------


def test_deauthorized_reseller_is_no_partner_of_record(client, session, world):
    mpn = world.reseller_mpn_id
    ok = order(
        client,
        world.provider,
        world.indirect_customer.id,
        world.offer.catalog_item_id,
        partnerIdOnRecord=mpn,
    )
    assert ok.status_code == 201, ok.text
    deauthorize(session, world.reseller)
    refused(
        order(
            client,
            world.provider,
            world.indirect_customer.id,
            world.offer.catalog_item_id,
            partnerIdOnRecord=mpn,
        ),
        400,
        800016,
    )
    # its partnership ended, its customers are kept
    partnership = session.query(Partnership).filter_by(reseller_id=world.reseller.org.id).one()
    assert partnership.state == "ended"


def test_deauthorized_reseller_generates_no_invitation(client, session, world):
    url = f"/v1/customers/relationshiprequests?indirectCSP={world.provider.org.id}"
    assert client.get(url, headers=world.reseller.headers).status_code == 200
    deauthorize(session, world.reseller)
    body = refused(client.get(url, headers=world.reseller.headers), 403, "PartnerDeauthorized")
    assert "2027-11-21" in body["description"]


@pytest.mark.parametrize(
    ("today", "allowed"),
    [
        (date(2027, 11, 20), False),  # the day before the year is over
        (date(2027, 11, 21), True),  # a year to the day
        (date(2028, 1, 5), True),
    ],
)
def test_deauthorized_reseller_resubmits_only_after_a_year(
    client, session, world, vendor, today, allowed
):
    deauthorize(session, world.reseller)
    clock.set_test_clock(session, datetime.combine(today, datetime.min.time(), tzinfo=UTC))
    session.flush()
    r = client.post("/v1/profiles/enrollment/resubmit", headers=world.reseller.headers)
    if not allowed:
        body = refused(r, 403, "ReenrollmentTooEarly")
        assert "2027-11-21" in body["description"]
        return
    assert r.status_code == 200, r.text
    org = world.reseller.org.id
    assert (
        client.post(f"/v1/program/partners/{org}/verify", headers=vendor.headers).status_code == 200
    )
    approved = client.post(f"/v1/program/partners/{org}/approve", headers=vendor.headers)
    assert approved.status_code == 200, approved.text
    assert standing.standing_of(session, org) is None  # reinstated


@pytest.mark.parametrize(
    ("today", "allowed"), [(date(2027, 11, 20), False), (date(2027, 11, 21), True)]
)
def test_a_deauthorized_tenant_domain_enrolls_again_only_after_a_year(
    session, world, today, allowed
):
    deauthorize(session, world.reseller)
    domain = standing.standing_of(session, world.reseller.org.id).tenant_domain
    assert domain
    with clock.frozen(datetime.combine(today, datetime.min.time(), tzinfo=UTC)):
        if allowed:
            # the year is over: the domain's own tenant still holds it (resubmit instead)
            from opencsp.partners.errors import TenantDomainTaken

            with pytest.raises(TenantDomainTaken):
                enrollment.enroll(session, application(tenant_domain=domain))
        else:
            with pytest.raises(ReenrollmentTooEarly):
                enrollment.enroll(session, application(tenant_domain=domain.upper()))
