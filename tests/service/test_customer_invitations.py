"""Relationship invitations (PC:request-a-relationship-with-a-customer.md; rules.md §5.5,
§6.5): the link each kind of partner gets, what a link stands for, and accepting it —
one link authorizing both reseller and provider, only in the partner's market,
idempotent, audited."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from opencsp.audit.models import AuditRecord
from opencsp.auth.rules import Role
from opencsp.core.actor import Tier
from opencsp.core.errors import PermissionDenied
from opencsp.customers import invitations, queries
from opencsp.customers.errors import (
    IndirectProviderNotExpected,
    IndirectProviderRequired,
    InvalidInvitation,
    InvitationNotAccepted,
    LocationPartnerIdMissing,
    PartnerNotActive,
    PartnerNotInMarket,
    ProviderNotInPartnership,
)
from opencsp.customers.models import CustomerRelationship
from opencsp.partners import queries as partners
from opencsp.partners.models import PartnerId
from tests.factories import member, organization
from tests.factories.parties import customer, partner, partnership


def query(link: str) -> dict[str, str]:
    parts = urlsplit(link)
    assert parts.path == "/customer/relationship"
    return {k: v[0] for k, v in parse_qs(parts.query).items()}


def relationships(session, customer_id) -> set[tuple]:
    session.expire_all()
    return {
        (r.partner_id, r.role, r.provider_id, r.state, r.source)
        for r in session.scalars(
            select(CustomerRelationship).where(CustomerRelationship.customer_id == customer_id)
        )
    }


@pytest.mark.parametrize("tier", [Tier.DIRECT_BILL, Tier.INDIRECT_PROVIDER])
def test_a_direct_bill_partner_or_provider_link_names_itself(session, tier):
    p = partner(session, tier)
    assert query(invitations.request_link(session, p.actor)) == {"partnerId": str(p.org.id)}
    with pytest.raises(IndirectProviderNotExpected):
        invitations.request_link(session, p.actor, indirect_csp=str(uuid.uuid4()))


def test_a_resellers_link_names_its_partner_id_and_provider(session):
    provider = partner(session, Tier.INDIRECT_PROVIDER)
    reseller = partner(session, Tier.INDIRECT_RESELLER, roles=(Role.GLOBAL_ADMIN,))
    partnership(session, provider.org, reseller.org)
    location = partners.location_partner_id(session, reseller.org.id)
    assert location is not None
    link = invitations.request_link(session, reseller.actor, indirect_csp=str(provider.org.id))
    assert query(link) == {
        "partnerId": str(reseller.org.id),
        "msppId": str(location.mpn_id),
        "indirectCSP": str(provider.org.id),
    }
    with pytest.raises(IndirectProviderRequired):
        invitations.request_link(session, reseller.actor)
    stranger = partner(session, Tier.INDIRECT_PROVIDER)
    for other in (str(stranger.org.id), "not-a-guid"):
        with pytest.raises(ProviderNotInPartnership):
            invitations.request_link(session, reseller.actor, indirect_csp=other)


def test_a_reseller_without_a_location_partner_id_gets_no_link(session):
    provider = partner(session, Tier.INDIRECT_PROVIDER)
    reseller = partner(session, Tier.INDIRECT_RESELLER, roles=(Role.GLOBAL_ADMIN,))
    partnership(session, provider.org, reseller.org)
    for pid in session.scalars(
        select(PartnerId).where(PartnerId.organization_id == reseller.org.id)
    ):
        pid.status = "suspended"
    session.flush()
    with pytest.raises(LocationPartnerIdMissing):
        invitations.request_link(session, reseller.actor, indirect_csp=str(provider.org.id))


def test_the_vendor_and_unenrolled_partners_get_no_link(session):
    vendor = member(session, organization(session, Tier.VENDOR), roles=(Role.PROGRAM_ADMIN,))
    with pytest.raises(PermissionDenied):
        invitations.request_link(session, vendor.actor)
    legacy = member(session)
    with pytest.raises(PartnerNotActive):
        invitations.request_link(session, legacy.actor)
    helpdesk = partner(session, roles=(Role.HELPDESK_AGENT,))
    with pytest.raises(PermissionDenied):
        invitations.request_link(session, helpdesk.actor)


def test_accepting_a_direct_invitation(session):
    seller = partner(session)
    inviter = partner(session)
    cust = customer(session, seller.org)
    invitation = invitations.read_invitation(
        session, **_params(invitations.request_link(session, inviter.actor))
    )
    assert invitation.partner.id == inviter.org.id and invitation.provider is None
    invitations.accept(session, cust, invitation, consent=True)
    assert (inviter.org.id, "direct", None, "active", "invitation") in relationships(
        session, cust.id
    )
    assert queries.get_visible(session, inviter.actor, cust.id).id == cust.id
    audits = session.scalars(
        select(AuditRecord).where(
            AuditRecord.operation_type == "add_partner_customer_relationship",
            AuditRecord.partner_id == inviter.org.id,
        )
    ).all()
    assert len(audits) == 1
    assert audits[0].user_principal_name == cust.admin_user_name
    assert audits[0].customer_id == cust.id
    # accepting again changes nothing
    before = relationships(session, cust.id)
    invitations.accept(session, cust, invitation, consent=True)
    assert relationships(session, cust.id) == before
    assert (
        session.scalar(
            select(func.count())
            .select_from(AuditRecord)
            .where(AuditRecord.operation_type == "add_partner_customer_relationship")
        )
        == 1
    )


def _params(link: str) -> dict[str, str | None]:
    q = query(link)
    return {
        "partner_id": q["partnerId"],
        "mspp_id": q.get("msppId"),
        "indirect_csp": q.get("indirectCSP"),
    }


def test_one_link_authorizes_reseller_and_provider(session):
    seller = partner(session)
    provider = partner(session, Tier.INDIRECT_PROVIDER)
    reseller = partner(session, Tier.INDIRECT_RESELLER, roles=(Role.GLOBAL_ADMIN,))
    partnership(session, provider.org, reseller.org)
    cust = customer(session, seller.org)
    link = invitations.request_link(session, reseller.actor, indirect_csp=str(provider.org.id))
    invitation = invitations.read_invitation(session, **_params(link))
    assert invitation.provider is not None and invitation.provider.id == provider.org.id
    invitations.accept(session, cust, invitation, consent=True)
    assert relationships(session, cust.id) >= {
        (provider.org.id, "provider", None, "active", "invitation"),
        (reseller.org.id, "reseller", provider.org.id, "active", "invitation"),
    }
    for who in (provider, reseller):
        assert queries.get_visible(session, who.actor, cust.id)


def test_an_ended_relationship_starts_again(session):
    p = partner(session)
    cust = customer(session, p.org)
    row = queries.relationship_of(session, cust.id, p.org.id)
    assert row is not None
    row.state, row.ended_at = "ended", row.created_at
    session.flush()
    invitation = invitations.read_invitation(session, partner_id=str(p.org.id))
    invitations.accept(session, cust, invitation, consent=True)
    assert relationships(session, cust.id) == {(p.org.id, "direct", None, "active", "invitation")}


def test_only_customers_in_the_partners_market(session):
    seller = partner(session, country="KR")
    inviter = partner(session)  # United States
    cust = customer(session, seller.org, country="KR")
    invitation = invitations.read_invitation(session, partner_id=str(inviter.org.id))
    with pytest.raises(PartnerNotInMarket) as caught:
        invitations.accept(session, cust, invitation, consent=True)
    assert caught.value.code == 2030
    assert inviter.org.id not in {r[0] for r in relationships(session, cust.id)}


def test_consent_is_required(session):
    p = partner(session)
    cust = customer(session, partner(session).org)
    invitation = invitations.read_invitation(session, partner_id=str(p.org.id))
    with pytest.raises(InvitationNotAccepted):
        invitations.accept(session, cust, invitation, consent=False)


def test_links_that_stand_for_nothing(session):
    provider = partner(session, Tier.INDIRECT_PROVIDER)
    reseller = partner(session, Tier.INDIRECT_RESELLER, roles=(Role.GLOBAL_ADMIN,))
    partnership(session, provider.org, reseller.org)
    location = partners.location_partner_id(session, reseller.org.id)
    assert location is not None
    vendor = organization(session, Tier.VENDOR)
    legacy = member(session)
    bad = [
        {"partner_id": None},
        {"partner_id": "nonsense"},
        {"partner_id": str(uuid.uuid4())},
        {"partner_id": str(vendor.id)},
        {"partner_id": str(legacy.org.id)},  # not enrolled
        {"partner_id": str(reseller.org.id)},  # a reseller without its provider
        {"partner_id": str(reseller.org.id), "mspp_id": "1", "indirect_csp": str(provider.org.id)},
        {
            "partner_id": str(reseller.org.id),
            "mspp_id": str(location.mpn_id),
            "indirect_csp": str(uuid.uuid4()),
        },
        {
            "partner_id": str(provider.org.id),
            "mspp_id": str(location.mpn_id),
            "indirect_csp": str(provider.org.id),
        },
    ]
    for params in bad:
        with pytest.raises(InvalidInvitation):
            invitations.read_invitation(session, **params)
