"""Publishing and retiring agreement templates, the metadata partners read, and the
document a reader gets — against the database."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from opencsp.agreements import errors, queries, templates
from opencsp.agreements.models import AgreementDocument, AgreementTemplate
from opencsp.agreements.rules import AgreementType, DocumentText
from opencsp.audit.models import AuditRecord
from opencsp.auth.rules import Role
from opencsp.core.actor import Tier
from opencsp.core.errors import PermissionDenied
from opencsp.markets.errors import InvalidCountryCode
from tests.factories import member, organization
from tests.factories.agreements import CUSTOMER, PARTNER, program_admin, publish
from tests.factories.parties import partner

DOCS = {
    "en": DocumentText("Customer Agreement", "Terms."),
    "ko": DocumentText("고객 계약", "약관."),
}


def count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_a_program_admin_publishes_a_template_with_both_documents(session):
    admin = program_admin(session)
    template = templates.publish_template(
        session,
        admin.actor,
        agreement_type="MicrosoftCustomerAgreement",
        version=" 2026-11 ",
        region="Korea-Republic-Of",
        agreement_link="https://agreements.example/mca",
        documents=DOCS,
    )
    assert template.version == "2026-11"
    assert template.region == "korea-republic-of"
    assert template.status == "published"
    assert template.published_by == admin.user.id
    assert set(queries.documents_of(session, template.id)) == {"en", "ko"}
    assert queries.current_template(session, CUSTOMER, "korea-republic-of") == template
    audit = session.scalar(
        select(AuditRecord).where(AuditRecord.operation_type == "publish_agreement_template")
    )
    assert audit is not None
    assert audit.resource_type == "agreement_template"
    assert audit.resource_id == str(template.id)
    assert audit.partner_id == admin.org.id


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"documents": {"en": DOCS["en"]}}, errors.DocumentsMissing),
        ({"documents": {"ko": DOCS["ko"]}}, errors.DocumentsMissing),
        ({"region": "atlantis"}, errors.UnknownRegion),
        ({"agreement_type": "MicrosoftCloudAgreement"}, errors.AgreementTypeNotWritable),
        ({"agreement_type": "nonsense"}, errors.InvalidAgreementType),
        ({"version": ""}, errors.InvalidTemplateVersion),
        ({"agreement_link": "javascript:alert(1)"}, errors.InvalidAgreementLink),
    ],
)
def test_bad_templates_are_refused_and_nothing_is_written(session, change, error):
    admin = program_admin(session)
    values = {
        "agreement_type": "customer",
        "version": "v1",
        "region": None,
        "agreement_link": None,
        "documents": DOCS,
    } | change
    with pytest.raises(error) as raised:
        templates.publish_template(session, admin.actor, **values)
    assert raised.value.status == 400
    assert count(session, AgreementTemplate) == 0
    assert count(session, AgreementDocument) == 0


@pytest.mark.parametrize("who", ["partner global admin", "vendor catalog manager"])
def test_only_the_vendors_program_admin_publishes(session, who):
    if who == "partner global admin":
        actor = partner(session, Tier.INDIRECT_PROVIDER).actor
    else:
        vendor = organization(session, Tier.VENDOR)
        actor = member(session, vendor, roles=(Role.CATALOG_MANAGER,)).actor
    with pytest.raises(PermissionDenied):
        templates.publish_template(
            session,
            actor,
            agreement_type="customer",
            version="v1",
            region=None,
            agreement_link=None,
            documents=DOCS,
        )
    assert count(session, AgreementTemplate) == 0


def test_a_version_is_published_once_per_type_and_region(session):
    publish(session, CUSTOMER, version="v1")  # all regions (region NULL)
    with pytest.raises(errors.TemplateVersionExists) as raised:
        publish(session, CUSTOMER, version="v1")
    assert raised.value.status == 409
    publish(session, CUSTOMER, version="v1", region="europe")  # another region
    publish(session, PARTNER, version="v1")  # another type
    assert count(session, AgreementTemplate) == 3


def test_retiring_ranks_the_previous_version_first_again(session):
    admin = program_admin(session)
    old = publish(session, CUSTOMER, version="v1")
    new = publish(session, CUSTOMER, version="v2")
    assert queries.current_template(session, CUSTOMER, None) == new
    templates.retire_template(session, admin.actor, new.id)
    templates.retire_template(session, admin.actor, new.id)  # again: nothing changes
    assert new.status == "retired"
    assert queries.current_template(session, CUSTOMER, None) == old
    described = templates.describe_template(session, admin.actor, new.id)
    assert described[1] is None  # a retired template has no rank
    assert templates.describe_template(session, admin.actor, old.id)[1] == 0
    retired = count(session, AuditRecord, AuditRecord.operation_type == "retire_agreement_template")
    assert retired == 1


def test_a_partner_sees_the_templates_of_its_region(session):
    publish(session, CUSTOMER, version="all-1")
    publish(session, CUSTOMER, version="all-2")
    kr = publish(session, CUSTOMER, version="kr-1", region="korea-republic-of")
    mpa = publish(session, PARTNER, version="mpa-1")
    korean = partner(session, Tier.DIRECT_BILL, country="KR")
    american = partner(session, Tier.DIRECT_BILL, country="US")
    vendor = program_admin(session)

    seen = templates.agreement_metadata(session, korean.actor, {CUSTOMER})
    assert [(t.version, rank) for t, rank in seen] == [("kr-1", 0)]
    assert seen[0][0] == kr
    seen = templates.agreement_metadata(session, american.actor, {CUSTOMER})
    assert [(t.version, rank) for t, rank in seen] == [("all-2", 0), ("all-1", 1)]
    seen = templates.agreement_metadata(session, american.actor, set(AgreementType))
    assert {t.version for t, _ in seen} == {"all-2", "all-1", "mpa-1"}
    assert mpa in [t for t, _ in seen]
    seen = templates.agreement_metadata(session, vendor.actor, {CUSTOMER})
    assert {t.version: rank for t, rank in seen} == {"all-2": 0, "all-1": 1, "kr-1": 0}


@pytest.mark.parametrize(
    ("language", "served", "tag"),
    [("ko-KR", "ko", "ko-KR"), ("ko", "ko", "ko"), ("ja-JP", "en", "en"), (None, "en", "en")],
)
def test_a_document_is_served_in_the_language_asked_or_english(session, language, served, tag):
    template = publish(session, CUSTOMER, region="united-states")
    found = templates.serve_document(session, template.id, language=language, country="us")
    assert found.document.language == served
    assert found.language == tag
    assert found.country == "US"
    assert found.version_rank == 0


@pytest.mark.parametrize(
    ("country", "error"),
    [
        ("KR", errors.TemplateNotForCountry),  # another market than the template's
        ("RU", errors.TemplateNotForCountry),  # in no CSP market
        ("USA", InvalidCountryCode),
    ],
)
def test_a_document_asked_for_another_country_is_refused(session, country, error):
    template = publish(session, CUSTOMER, region="united-states")
    with pytest.raises(error):
        templates.serve_document(session, template.id, language="en", country=country)


def test_an_all_regions_document_serves_every_country(session):
    template = publish(session, CUSTOMER)
    assert (
        templates.serve_document(session, template.id, language="ko", country="KR").country == "KR"
    )
