"""Provider–reseller partnerships, against the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opencsp.audit.models import AuditRecord
from opencsp.auth import service as auth_service
from opencsp.auth.models import Organization
from opencsp.auth.rules import Role
from opencsp.core import clock
from opencsp.core.actor import Tier
from opencsp.core.crypto import digest
from opencsp.customers.models import CustomerRelationship
from opencsp.partners import enrollment, partnerships, queries
from opencsp.partners.errors import (
    GlobalAdminRequired,
    NotAnActiveReseller,
    NotAProvider,
    PartnershipExists,
    PartnershipNotFound,
    PartnershipRequestNotFound,
    PartnershipRequestUsed,
    ProviderNoLongerProvider,
    RegionMismatch,
)
from opencsp.partners.models import Partnership, PartnershipRequest
from opencsp.partners.rules import RelationshipType
from tests.factories import member
from tests.factories.parties import customer, partner
from tests.factories.partners import approved, enrolled

PROVIDER_OF = RelationshipType.IS_INDIRECT_CLOUD_SOLUTION_PROVIDER_OF
RESELLER_OF = RelationshipType.IS_INDIRECT_RESELLER_OF


def count(session: Session, model: type, *where) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


@pytest.fixture()
def pair(session):
    """A US provider and a US reseller, both enrolled and active."""
    provider = partner(session, Tier.INDIRECT_PROVIDER, name="Tailwind Distribution")
    reseller = partner(session, Tier.INDIRECT_RESELLER, name="Fabrikam Solutions")
    return provider, reseller


def test_a_provider_issues_a_link_and_a_reseller_accepts_it(session, pair):
    provider, reseller = pair
    issued = partnerships.request_partnership(
        session, provider.actor, invited_email="Admin@Fabrikam.example", message="Welcome"
    )
    assert issued.path == f"/partnerships/accept/{issued.token}"
    row = issued.request
    assert row.token_hash == digest(issued.token)  # only the digest is stored
    assert issued.token not in {row.token_hash, row.message, row.invited_email}
    assert row.invited_email == "admin@fabrikam.example"
    assert row.expires_at == clock.now() + timedelta(days=30)

    preview = partnerships.preview_request(session, issued.token)
    assert preview.provider.name == "Tailwind Distribution"
    assert preview.provider_region == "united-states"

    accepted = partnerships.accept_partnership(session, reseller.actor, issued.token)
    assert accepted.relationship_type is RESELLER_OF
    assert accepted.partner.organization_id == provider.org.id
    assert queries.active_partnership(session, provider.org.id, reseller.org.id) is not None
    session.refresh(row)
    assert row.used_by_organization_id == reseller.org.id
    assert row.used_at is not None
    # both sides see the acceptance in their own audit log
    sides = set(
        session.scalars(
            select(AuditRecord.partner_id).where(AuditRecord.operation_type == "accept_partnership")
        )
    )
    assert sides == {provider.org.id, reseller.org.id}


def test_relationships_list_both_sides(session, pair):
    provider, reseller = pair
    other = partner(session, Tier.INDIRECT_RESELLER, name="Litware")
    for r in (reseller, other):
        token = partnerships.request_partnership(session, provider.actor).token
        partnerships.accept_partnership(session, r.actor, token)
    mine = partnerships.relationships(session, provider.actor, PROVIDER_OF)
    assert [r.partner.name for r in mine] == ["Fabrikam Solutions", "Litware"]
    location = queries.location_partner_id(session, reseller.org.id)
    assert (mine[0].partner.location_partner_id, mine[0].partner.country) == (location.mpn_id, "US")
    theirs = partnerships.relationships(session, reseller.actor, RESELLER_OF)
    assert [r.partner.organization_id for r in theirs] == [provider.org.id]
    assert partnerships.relationships(session, reseller.actor, PROVIDER_OF) == []


def test_a_link_is_single_use(session, pair):
    provider, reseller = pair
    token = partnerships.request_partnership(session, provider.actor).token
    partnerships.accept_partnership(session, reseller.actor, token)
    second = partner(session, Tier.INDIRECT_RESELLER)
    with pytest.raises(PartnershipRequestNotFound):
        partnerships.accept_partnership(session, second.actor, token)
    with pytest.raises(PartnershipRequestNotFound):
        partnerships.preview_request(session, token)


def test_an_expired_or_revoked_or_unknown_link_names_nothing(session, pair, configure):
    provider, reseller = pair
    configure(partnership_request_days=2)
    expiring = partnerships.request_partnership(session, provider.actor)
    assert expiring.request.expires_at == clock.now() + timedelta(days=2)
    revoked = partnerships.request_partnership(session, provider.actor)
    partnerships.revoke_request(session, provider.actor, revoked.request.id)
    later = clock.now() + timedelta(days=2)
    with clock.frozen(later), pytest.raises(PartnershipRequestNotFound):
        partnerships.accept_partnership(session, reseller.actor, expiring.token)
    for token in (revoked.token, "not-a-token", ""):
        with pytest.raises(PartnershipRequestNotFound):
            partnerships.accept_partnership(session, reseller.actor, token)
    assert queries.active_partnership(session, provider.org.id, reseller.org.id) is None


def test_revoking(session, pair):
    provider, reseller = pair
    issued = partnerships.request_partnership(session, provider.actor)
    row = partnerships.revoke_request(session, provider.actor, issued.request.id)
    assert row.revoked_at is not None
    assert (
        partnerships.revoke_request(session, provider.actor, issued.request.id).revoked_at
        == row.revoked_at
    )
    used = partnerships.request_partnership(session, provider.actor)
    partnerships.accept_partnership(session, reseller.actor, used.token)
    with pytest.raises(PartnershipRequestUsed):
        partnerships.revoke_request(session, provider.actor, used.request.id)
    # another provider cannot see, let alone revoke, this provider's links
    stranger = partner(session, Tier.INDIRECT_PROVIDER)
    with pytest.raises(PartnershipRequestNotFound):
        partnerships.revoke_request(session, stranger.actor, issued.request.id)


def test_the_same_region_only(session):
    provider = partner(session, Tier.INDIRECT_PROVIDER, country="US")
    korean = partner(session, Tier.INDIRECT_RESELLER, country="KR")
    canadian = partner(session, Tier.INDIRECT_RESELLER, country="CA")
    token = partnerships.request_partnership(session, provider.actor).token
    for reseller in (korean, canadian):
        with pytest.raises(RegionMismatch) as err:
            partnerships.accept_partnership(session, reseller.actor, token)
        assert err.value.code == 2201
    # a US territory is in the United States market
    guam = partner(session, Tier.INDIRECT_RESELLER, country="GU")
    partnerships.accept_partnership(session, guam.actor, token)
    assert queries.active_partnership(session, provider.org.id, guam.org.id) is not None


def test_only_global_admins_of_a_provider_issue_and_of_a_reseller_accept(session, pair):
    provider, reseller = pair
    agent = member(session, provider.org, roles=(Role.ADMIN_AGENT,))
    with pytest.raises(GlobalAdminRequired):
        partnerships.request_partnership(session, agent.actor)
    token = partnerships.request_partnership(session, provider.actor).token
    reseller_agent = member(session, reseller.org, roles=(Role.ADMIN_AGENT,))
    with pytest.raises(GlobalAdminRequired):
        partnerships.accept_partnership(session, reseller_agent.actor, token)
    direct = partner(session, Tier.DIRECT_BILL)
    with pytest.raises(NotAProvider):
        partnerships.request_partnership(session, direct.actor)
    with pytest.raises(NotAProvider):
        partnerships.request_partnership(session, reseller.actor)


def test_only_an_active_reseller_accepts(session, pair):
    provider, _ = pair
    token = partnerships.request_partnership(session, provider.actor).token
    other_provider = partner(session, Tier.INDIRECT_PROVIDER)
    with pytest.raises(NotAnActiveReseller):
        partnerships.accept_partnership(session, other_provider.actor, token)
    pending = enrolled(session)  # submitted, not verified
    with pytest.raises(NotAnActiveReseller):
        partnerships.accept_partnership(session, pending.actor, token)
    assert count(session, Partnership) == 0


def test_the_provider_must_still_be_one(session, pair):
    provider, reseller = pair
    token = partnerships.request_partnership(session, provider.actor).token
    session.get(Organization, provider.org.id).tier = Tier.DIRECT_BILL.value
    with pytest.raises(ProviderNoLongerProvider):
        partnerships.accept_partnership(session, reseller.actor, token)


def test_an_active_partnership_is_not_made_twice(session, pair):
    provider, reseller = pair
    partnerships.accept_partnership(
        session, reseller.actor, partnerships.request_partnership(session, provider.actor).token
    )
    again = partnerships.request_partnership(session, provider.actor)
    with pytest.raises(PartnershipExists) as err:
        partnerships.accept_partnership(session, reseller.actor, again.token)
    assert err.value.status == 409
    assert "Tailwind Distribution" in err.value.message
    assert partnerships.request_status(again.request).value == "pending"  # not used up


def test_ending_keeps_the_customers_and_a_new_link_renews_it(session, pair):
    provider, reseller = pair
    partnerships.accept_partnership(
        session, reseller.actor, partnerships.request_partnership(session, provider.actor).token
    )
    shared = customer(session, provider.org, reseller=reseller.org)
    relationships_before = count(
        session, CustomerRelationship, CustomerRelationship.customer_id == shared.id
    )
    ended = partnerships.end_partnership(session, reseller.actor, provider.org.id)
    assert ended.customers_kept is True
    assert ended.relationship.relationship_type is RESELLER_OF
    assert queries.active_partnership(session, provider.org.id, reseller.org.id) is None
    states = session.scalars(
        select(CustomerRelationship.state).where(CustomerRelationship.customer_id == shared.id)
    ).all()
    assert states == ["active"] * relationships_before == ["active", "active"]
    records = session.scalars(
        select(AuditRecord).where(AuditRecord.operation_type == "end_partnership")
    ).all()
    assert {r.partner_id for r in records} == {provider.org.id, reseller.org.id}
    with pytest.raises(PartnershipNotFound):
        partnerships.end_partnership(session, provider.actor, reseller.org.id)
    # the same pair partners again: the one row is reused
    partnerships.accept_partnership(
        session, reseller.actor, partnerships.request_partnership(session, provider.actor).token
    )
    assert count(session, Partnership) == 1
    assert queries.active_partnership(session, provider.org.id, reseller.org.id) is not None


def test_either_side_ends_but_nobody_else(session, pair):
    provider, reseller = pair
    partnerships.accept_partnership(
        session, reseller.actor, partnerships.request_partnership(session, provider.actor).token
    )
    stranger = partner(session, Tier.INDIRECT_PROVIDER)
    with pytest.raises(PartnershipNotFound):
        partnerships.end_partnership(session, stranger.actor, reseller.org.id)
    agent = member(session, provider.org, roles=(Role.ADMIN_AGENT,))
    with pytest.raises(GlobalAdminRequired):
        partnerships.end_partnership(session, agent.actor, reseller.org.id)
    ended = partnerships.end_partnership(session, provider.actor, reseller.org.id)
    assert ended.relationship.relationship_type is PROVIDER_OF
    assert ended.relationship.partner.name == "Fabrikam Solutions"


def test_a_reseller_granted_the_provider_tier_issues_links(session):
    partner(session, Tier.INDIRECT_RESELLER)  # counter-made IDs before enrolled ones
    reseller = partner(session, Tier.INDIRECT_RESELLER, name="Later Reseller")
    grown = approved(session)
    vendor = auth_service.system_actor(session)
    enrollment.grant_provider_tier(session, vendor, grown.enrolled.organization.id)
    actor = auth_service.actor_for(session, grown.enrolled.user)
    token = partnerships.request_partnership(session, actor).token
    partnerships.accept_partnership(session, reseller.actor, token)
    assert [r.partner.name for r in partnerships.relationships(session, actor, PROVIDER_OF)] == [
        "Later Reseller"
    ]
    assert count(session, PartnershipRequest) == 1
