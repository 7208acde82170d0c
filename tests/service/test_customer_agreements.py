"""The customer agreement accepted for a customer: partner attestation and the
customer's own acceptance, with the customer administrator's sign-in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from opencsp.agreements import customer_acceptance, customer_signin, errors, queries
from opencsp.agreements.models import CustomerAgreement, CustomerSignIn
from opencsp.agreements.rules import AgreementType, Contact
from opencsp.audit.models import AuditRecord
from opencsp.auth.rules import Role
from opencsp.core import clock
from opencsp.core.actor import Tier
from opencsp.core.errors import InvalidCredentials, PermissionDenied, Unauthenticated
from opencsp.customers.errors import CustomerNotFound
from tests.conftest import NOW
from tests.factories import member, system
from tests.factories.agreements import CUSTOMER, PARTNER, publish
from tests.factories.parties import CUSTOMER_ADMIN_PASSWORD, customer, partner, partnership

TANIA = Contact("Tania", "Carr", "someone@example.com", "1234567890")


def count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def attest(session, actor, customer_id, template_id, *, date="2018-06-14T00:00:00.000Z", **kw):
    return customer_acceptance.attest(
        session,
        actor,
        customer_id,
        template_id=template_id,
        agreement_type=kw.pop("agreement_type", "MicrosoftCustomerAgreement"),
        date_agreed=date,
        contact=kw.pop("contact", TANIA),
    )


@pytest.fixture()
def direct(session):
    return partner(session, Tier.DIRECT_BILL, roles=(Role.ADMIN_AGENT,))


def test_a_direct_bill_admin_agent_confirms_the_customers_acceptance(session, direct):
    template = publish(session)
    buyer = customer(session, direct.org, name="Contoso")
    assert not queries.has_accepted_customer_agreement(session, buyer.id)

    row, used = attest(session, direct.actor, buyer.id, template.id)

    assert used == template
    assert row.method == "partner_attestation"
    assert row.user_id == direct.user.id
    assert row.partner_id == direct.org.id
    assert row.date_agreed.isoformat() == "2018-06-14T00:00:00+00:00"
    assert (row.contact_first_name, row.contact_email) == ("Tania", "someone@example.com")
    assert queries.has_accepted_customer_agreement(session, buyer.id)
    assert not queries.has_signed_directly(session, buyer.id)  # a partner's, not the customer's
    audit = session.scalar(
        select(AuditRecord).where(AuditRecord.operation_type == "create_agreement")
    )
    assert audit is not None
    assert (audit.resource_type, audit.customer_id, audit.customer_name) == (
        "agreement",
        buyer.id,
        "Contoso",
    )
    assert audit.partner_id == direct.org.id


def test_a_sales_agent_of_a_provider_confirms_for_a_resellers_customer(session):
    provider = partner(session, Tier.INDIRECT_PROVIDER, roles=(Role.SALES_AGENT,))
    reseller = partner(session, Tier.INDIRECT_RESELLER)
    partnership(session, provider.org, reseller.org)
    buyer = customer(session, provider.org, reseller=reseller.org)
    row, _ = attest(session, provider.actor, buyer.id, publish(session).id)
    assert row.partner_id == provider.org.id


def test_a_second_confirmation_of_the_same_template_is_600061(session, direct):
    template = publish(session)
    buyer = customer(session, direct.org)
    attest(session, direct.actor, buyer.id, template.id)
    colleague = member(session, direct.org, roles=(Role.SALES_AGENT,))
    with pytest.raises(errors.PartnerConfirmedAgreementAlreadyExists) as raised:
        attest(session, colleague.actor, buyer.id, template.id, date="2026-11-20")
    assert raised.value.code == 600061
    assert raised.value.status == 409
    assert count(session, CustomerAgreement) == 1
    newer = publish(session)  # a new version may be confirmed again
    attest(session, direct.actor, buyer.id, newer.id)
    assert count(session, CustomerAgreement) == 2


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("reseller global admin", errors.AttestationNotForTier),
        ("reseller admin agent", errors.AttestationNotForTier),
        ("helpdesk agent", PermissionDenied),
        ("global admin only", PermissionDenied),  # attesting takes an Admin or Sales agent
        ("vendor operator", errors.AttestationNotForTier),
    ],
)
def test_who_may_not_confirm(session, who, error):
    provider = partner(session, Tier.INDIRECT_PROVIDER)
    reseller = partner(session, Tier.INDIRECT_RESELLER, roles=(Role.GLOBAL_ADMIN, Role.ADMIN_AGENT))
    partnership(session, provider.org, reseller.org)
    buyer = customer(session, provider.org, reseller=reseller.org)
    actor = {
        "reseller global admin": reseller.actor,
        "reseller admin agent": member(session, reseller.org, roles=(Role.ADMIN_AGENT,)).actor,
        "helpdesk agent": member(session, provider.org, roles=(Role.HELPDESK_AGENT,)).actor,
        "global admin only": member(session, provider.org, roles=(Role.GLOBAL_ADMIN,)).actor,
        "vendor operator": system(session),
    }[who]
    with pytest.raises(error) as raised:
        attest(session, actor, buyer.id, publish(session).id)
    assert raised.value.status == 403
    assert raised.value.code == 900150
    assert count(session, CustomerAgreement) == 0


def test_a_customer_the_partner_cannot_see_is_404(session, direct):
    other = partner(session, Tier.DIRECT_BILL)
    theirs = customer(session, other.org)
    with pytest.raises(CustomerNotFound):
        attest(session, direct.actor, theirs.id, publish(session).id)
    with pytest.raises(CustomerNotFound):
        customer_acceptance.list_agreements(session, direct.actor, theirs.id, {CUSTOMER})


@pytest.mark.parametrize(
    "case", ["other region", "retired", "partner agreement", "unknown", "superseded by region"]
)
def test_the_template_must_be_a_published_customer_agreement_of_the_customers_region(
    session, direct, case
):
    buyer = customer(session, direct.org, country="US")
    if case == "other region":
        template_id = publish(session, region="europe").id
    elif case == "retired":
        template = publish(session)
        template.status = "retired"
        template_id = template.id
    elif case == "partner agreement":
        template_id = publish(session, PARTNER).id
    elif case == "unknown":
        template_id = customer(session, direct.org).id  # any GUID
    else:  # the region has its own: the all-regions one no longer applies there
        template_id = publish(session).id
        publish(session, region="united-states")
    with pytest.raises(errors.InvalidTemplateId) as raised:
        attest(session, direct.actor, buyer.id, template_id)
    assert raised.value.status == 400
    assert count(session, CustomerAgreement) == 0


@pytest.mark.parametrize(
    ("date", "error"),
    [
        ((NOW + timedelta(seconds=1)).isoformat(), errors.DateAgreedInFuture),
        ("2026-11-22", errors.DateAgreedInFuture),
        ("soon", errors.InvalidDateAgreed),
    ],
)
def test_the_date_agreed_cannot_be_in_the_future(session, direct, date, error):
    buyer = customer(session, direct.org)
    with pytest.raises(error):
        attest(session, direct.actor, buyer.id, publish(session).id, date=date)
    assert count(session, CustomerAgreement) == 0
    attest(session, direct.actor, buyer.id, publish(session).id, date="2026-11-21")  # today


@pytest.mark.parametrize(
    ("kw", "error"),
    [
        ({"agreement_type": "MicrosoftCloudAgreement"}, errors.AgreementTypeNotWritable),
        ({"agreement_type": "MicrosoftPartnerAgreement"}, errors.AgreementTypeNotWritable),
        ({"contact": Contact("", "Carr", "a@b.co", None)}, errors.InvalidFirstName),
        ({"contact": Contact("Tania", "Carr", "nope", None)}, errors.InvalidSignerEmail),
    ],
)
def test_bad_confirmations_write_nothing(session, direct, kw, error):
    buyer = customer(session, direct.org)
    with pytest.raises(error):
        attest(session, direct.actor, buyer.id, publish(session).id, **kw)
    assert count(session, CustomerAgreement) == 0
    assert count(session, AuditRecord, AuditRecord.operation_type == "create_agreement") == 0


def test_the_customer_accepts_it_itself_and_every_partner_is_told(session):
    provider = partner(session, Tier.INDIRECT_PROVIDER)
    reseller = partner(session, Tier.INDIRECT_RESELLER)
    partnership(session, provider.org, reseller.org)
    buyer = customer(session, provider.org, reseller=reseller.org, country="KR")
    template = publish(session, region="korea-republic-of")
    kim = Contact("Minji", "Kim", "minji@customer.example", None)

    row = customer_acceptance.accept_as_customer(
        session, buyer, template_id=template.id, contact=kim, consent=True
    )
    again = customer_acceptance.accept_as_customer(
        session, buyer, template_id=template.id, contact=kim, consent=True
    )

    assert again.id == row.id
    assert row.method == "customer_acceptance"
    assert row.date_agreed == clock.now()
    assert row.user_id is None
    assert queries.has_accepted_customer_agreement(session, buyer.id)
    assert customer_acceptance.is_signed_directly(session, reseller.actor, buyer.id)
    told = session.scalars(
        select(AuditRecord.partner_id).where(AuditRecord.operation_type == "create_agreement")
    ).all()
    assert sorted(told) == sorted([provider.org.id, reseller.org.id])  # once each
    listed = customer_acceptance.list_agreements(session, reseller.actor, buyer.id, {CUSTOMER})
    assert [(r.id, t.id) for r, t in listed] == [(row.id, template.id)]


def test_both_methods_are_listed_and_filtered_by_type(session, direct):
    buyer = customer(session, direct.org)
    template = publish(session)
    confirmed, _ = attest(session, direct.actor, buyer.id, template.id)
    accepted = customer_acceptance.accept_as_customer(
        session, buyer, template_id=template.id, contact=TANIA, consent=True
    )
    rows = customer_acceptance.list_agreements(session, direct.actor, buyer.id, set(AgreementType))
    assert [r.id for r, _ in rows] == [confirmed.id, accepted.id]  # by date agreed
    legacy = customer_acceptance.list_agreements(
        session, direct.actor, buyer.id, {AgreementType.CLOUD}
    )
    assert legacy == []


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("no consent", errors.ConsentRequired),
        ("newer version", errors.CustomerAgreementChanged),
        ("nothing published", errors.NoCustomerAgreementPublished),
        ("bad name", errors.InvalidLastName),
    ],
)
def test_the_customers_own_acceptance_needs_consent_and_the_current_text(
    session, direct, case, error
):
    buyer = customer(session, direct.org)
    template_id = publish(session).id if case != "nothing published" else buyer.id
    if case == "newer version":
        publish(session)
    contact = Contact("Tania", "", "a@b.co", None) if case == "bad name" else TANIA
    with pytest.raises(error):
        customer_acceptance.accept_as_customer(
            session, buyer, template_id=template_id, contact=contact, consent=case != "no consent"
        )
    assert count(session, CustomerAgreement) == 0


def test_the_customer_administrator_signs_in_with_the_admin_credentials(session, direct):
    buyer = customer(session, direct.org)
    opened = customer_signin.sign_in(
        session, buyer.admin_user_name.upper(), CUSTOMER_ADMIN_PASSWORD, customer_id=buyer.id
    )
    assert opened.customer.id == buyer.id
    assert opened.secret not in (opened.row.id_hash, opened.row.csrf_token)  # only a digest
    resumed, row = customer_signin.resume(session, opened.secret)
    assert (resumed.id, row.id_hash) == (buyer.id, opened.row.id_hash)
    customer_signin.sign_out(session, opened.secret)
    with pytest.raises(Unauthenticated):
        customer_signin.resume(session, opened.secret)


@pytest.mark.parametrize("case", ["wrong password", "unknown name", "another customer's link"])
def test_a_failed_customer_sign_in_says_nothing_more(session, direct, case):
    buyer = customer(session, direct.org)
    other = customer(session, direct.org)
    name = "nobody@example.test" if case == "unknown name" else buyer.admin_user_name
    password = "wrong" if case == "wrong password" else CUSTOMER_ADMIN_PASSWORD
    link = other.id if case == "another customer's link" else buyer.id
    with pytest.raises(InvalidCredentials):
        customer_signin.sign_in(session, name, password, customer_id=link)
    assert count(session, CustomerSignIn) == 0


def test_a_customer_sign_in_expires(session, direct):
    buyer = customer(session, direct.org)
    opened = customer_signin.sign_in(session, buyer.admin_user_name, CUSTOMER_ADMIN_PASSWORD)
    later = NOW + timedelta(minutes=customer_signin.SIGN_IN_MINUTES)
    with clock.frozen(later), pytest.raises(Unauthenticated):
        customer_signin.resume(session, opened.secret)
    with pytest.raises(Unauthenticated):
        customer_signin.resume(session, "")
