"""The partner agreement: signed once per CSP region by a Global admin with an active
location partner ID; and the status API other partners check it with."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from opencsp.agreements import compliance, errors, partner_agreement, queries
from opencsp.agreements.models import PartnerAgreementSignature
from opencsp.audit.models import AuditRecord
from opencsp.auth.rules import Role
from opencsp.core import clock
from opencsp.core.actor import Tier
from opencsp.core.errors import NotFound, PermissionDenied
from opencsp.partners import queries as partners
from tests.factories import member, organization, system
from tests.factories.agreements import PARTNER, program_admin, publish
from tests.factories.parties import customer, enroll, partner, signed

US = "united-states"
KR = "korea-republic-of"
HELP = "https://opencsp.example/partner-agreement"


def count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


# --- signing ------------------------------------------------------------------------------------


def test_a_global_admin_signs_for_the_own_region_once(session):
    template = publish(session, PARTNER)
    reseller = partner(session, Tier.INDIRECT_RESELLER, country="US")

    row = partner_agreement.sign_partner_agreement(session, reseller.actor, None)

    assert (row.region, row.template_id) == (US, template.id)
    assert (row.signer_user_id, row.signer_email) == (reseller.user.id, reseller.user.email)
    assert row.signer_name == reseller.user.display_name
    assert row.signed_at == clock.now()
    assert queries.has_signed_partner_agreement(session, reseller.org.id, US)
    audit = session.scalar(
        select(AuditRecord).where(AuditRecord.operation_type == "sign_partner_agreement")
    )
    assert audit is not None
    assert (audit.resource_type, audit.partner_id) == ("agreement", reseller.org.id)

    with pytest.raises(errors.PartnerAgreementAlreadySigned) as raised:
        partner_agreement.sign_partner_agreement(session, reseller.actor, "United-States")
    assert raised.value.status == 409
    assert count(session, PartnerAgreementSignature) == 1


def test_it_may_sign_for_other_regions_where_it_does_business(session):
    every = publish(session, PARTNER)
    kr = publish(session, PARTNER, region=KR)
    provider = partner(session, Tier.INDIRECT_PROVIDER, country="US")
    partner_agreement.sign_partner_agreement(session, provider.actor, US)
    row = partner_agreement.sign_partner_agreement(session, provider.actor, KR)
    assert row.template_id == kr.id  # the region's own version
    listed = partner_agreement.signatures(session, provider.actor)
    assert {(sig.region, t.id) for sig, t in listed} == {(US, every.id), (KR, kr.id)}


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("admin agent", PermissionDenied),
        ("vendor", errors.PartnerAgreementNotForVendor),
        ("no location partner id", errors.LocationPartnerIdRequired),
        ("inactive location partner id", errors.LocationPartnerIdRequired),
        ("unknown region", errors.UnknownRegion),
        ("all regions", errors.UnknownRegion),
        ("nothing published", errors.NoPartnerAgreementPublished),
        ("read an older version", errors.PartnerAgreementChanged),
    ],
)
def test_who_and_what_cannot_sign(session, case, error):
    old = publish(session, PARTNER)
    region = {"unknown region": "atlantis", "all regions": "all"}.get(case, US)
    template_id = None
    if case == "admin agent":
        actor = partner(session, Tier.DIRECT_BILL, roles=(Role.ADMIN_AGENT,)).actor
    elif case == "vendor":
        actor = program_admin(session).actor
    elif case == "no location partner id":
        actor = member(session, organization(session, Tier.INDIRECT_RESELLER)).actor
    else:
        m = partner(session, Tier.INDIRECT_RESELLER)
        actor = m.actor
        if case == "inactive location partner id":
            location = partners.location_partner_id(session, m.org.id)
            assert location is not None
            location.status = "suspended"
            session.flush()
    if case == "nothing published":
        old.status = "retired"
        session.flush()
    if case == "read an older version":
        publish(session, PARTNER)
        template_id = old.id
    with pytest.raises(error):
        partner_agreement.sign_partner_agreement(session, actor, region, template_id=template_id)
    assert count(session, PartnerAgreementSignature) == 0


# --- the status API (2000-2206) ------------------------------------------------------------------


@pytest.fixture()
def world(session):
    """A US provider; a signed US reseller; an unsigned US reseller; a signed Korean
    reseller; a direct-bill partner."""
    template = publish(session, PARTNER)
    provider = partner(session, Tier.INDIRECT_PROVIDER, country="US")
    good = partner(session, Tier.INDIRECT_RESELLER, country="US")
    unsigned = partner(session, Tier.INDIRECT_RESELLER, country="US")
    korean = partner(session, Tier.INDIRECT_RESELLER, country="KR")
    direct = partner(session, Tier.DIRECT_BILL, country="US")
    signed(session, good.org, US, template)
    signed(session, korean.org, KR, template)
    signed(session, direct.org, US, template)
    return {
        "provider": provider,
        "good": good,
        "unsigned": unsigned,
        "korean": korean,
        "direct": direct,
    }


def location_of(session, m) -> str:
    found = partners.location_partner_id(session, m.org.id)
    assert found is not None
    return str(found.mpn_id)


def global_of(session, m) -> str:
    return str(
        next(p.mpn_id for p in partners.partner_ids_of(session, m.org.id) if p.kind == "global")
    )


def status(session, actor, *, mpn_id=None, tenant_id=None, program="csp"):
    return compliance.agreement_status(
        session, actor, program=program, mpn_id=mpn_id, tenant_id=tenant_id, help_link=HELP
    )


def test_a_signed_reseller_is_signed_by_partner_id_and_by_tenant(session, world):
    actor, good = world["provider"].actor, world["good"]
    assert status(session, actor, mpn_id=location_of(session, good)) is True
    assert status(session, actor, mpn_id=global_of(session, good)) is True
    assert status(session, actor, tenant_id=str(good.org.id).upper()) is True
    assert status(session, system(session), mpn_id=location_of(session, world["korean"])) is True
    assert status(session, actor, tenant_id=str(world["direct"].org.id)) is True  # any partner
    assert status(session, actor, program="CSP", mpn_id=location_of(session, good)) is True


def _inactive(session, world):
    found = partners.location_partner_id(session, world["good"].org.id)
    found.status = "inactive"
    session.flush()
    return {"mpn_id": str(found.mpn_id)}


def _signed_elsewhere(session, world):
    traveller = partner(session, Tier.INDIRECT_RESELLER, country="US")
    signed(session, traveller.org, KR, queries.current_template(session, PARTNER, KR))
    return {"mpn_id": location_of(session, traveller)}


def _unverified(session, world):
    org = organization(session, Tier.INDIRECT_RESELLER, country="US")
    enroll(session, org, state="verifying")
    return {"mpn_id": str(partners.location_partner_id(session, org.id).mpn_id)}


CASES = {
    "neither": (2001, lambda s, w: {"mpn_id": "", "tenant_id": None}),
    "both": (
        2000,
        lambda s, w: {"mpn_id": location_of(s, w["good"]), "tenant_id": str(w["good"].org.id)},
    ),
    "non-numeric partner id": (2000, lambda s, w: {"mpn_id": "61OOOO1"}),
    "non-guid tenant": (2000, lambda s, w: {"tenant_id": "12345"}),
    "unknown partner id": (2200, lambda s, w: {"mpn_id": "9999999"}),
    "huge partner id": (2200, lambda s, w: {"mpn_id": "99999999999999999999"}),
    "inactive partner id": (2200, _inactive),
    "reseller of another region": (2201, lambda s, w: {"mpn_id": location_of(s, w["korean"])}),
    "tenant of another region": (2201, lambda s, w: {"tenant_id": str(w["korean"].org.id)}),
    "partner id not signed": (2203, lambda s, w: {"mpn_id": location_of(s, w["unsigned"])}),
    "signed for another region only": (2203, _signed_elsewhere),
    "not a reseller": (2204, lambda s, w: {"mpn_id": location_of(s, w["direct"])}),
    "reseller not yet verified": (2204, _unverified),
    "unknown tenant": (2205, lambda s, w: {"tenant_id": str(uuid.uuid4())}),
    "the vendor's tenant": (2205, lambda s, w: {"tenant_id": str(program_admin(s).org.id)}),
    "a customer's tenant": (
        2205,
        lambda s, w: {"tenant_id": str(customer(s, w["provider"].org).id)},
    ),
    "tenant not signed": (2206, lambda s, w: {"tenant_id": str(w["unsigned"].org.id)}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_documented_error(session, world, case):
    code, arrange = CASES[case]
    kwargs = arrange(session, world)
    with pytest.raises(errors.ComplianceError) as raised:
        status(session, world["provider"].actor, **kwargs)
    assert raised.value.code == code
    assert raised.value.status == 400
    assert raised.value.data == ([] if code in (2000, 2001) else [HELP])


def test_only_the_csp_program_exists(session, world):
    with pytest.raises(NotFound):
        status(session, world["provider"].actor, program="other", mpn_id="1")
