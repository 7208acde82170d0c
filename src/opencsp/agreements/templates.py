"""The vendor's agreement templates: publishing (type, version, region, link, documents in
English and Korean at least), retiring, the metadata partners read
(``GET /v1/agreements``), and which document a reader gets
(``GET /v1/agreementtemplates/{id}/document``)."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from opencsp import audit
from opencsp.agreements import queries, rules
from opencsp.agreements.errors import (
    TemplateNotForCountry,
    TemplateVersionExists,
    UnknownRegion,
)
from opencsp.agreements.models import AgreementDocument, AgreementTemplate
from opencsp.agreements.rules import AgreementType, DocumentText, TemplateStatus
from opencsp.core import clock
from opencsp.core.actor import Actor, Perm
from opencsp.core.errors import NotFound, PermissionDenied
from opencsp.core.ids import new_id
from opencsp.markets import queries as markets
from opencsp.markets import rules as market_rules
from opencsp.partners import queries as partners

# Where opencsp serves a template's document (public pages, see console/pages):
# the HTML page to read it and the Markdown text to download.
DISPLAY_PATH = "/agreement-documents/{template_id}"
DOWNLOAD_PATH = "/agreement-documents/{template_id}/download"


@dataclass(frozen=True, slots=True)
class ServedDocument:
    """A template's document as a reader gets it: the language served (the requested
    one or English), the country asked about, and the template's rank."""

    template: AgreementTemplate
    document: AgreementDocument
    language: str
    country: str | None
    version_rank: int | None


def ensure_program_admin(actor: Actor) -> None:
    """Publishing and retiring templates is the vendor's (Program admin)."""
    if not (actor.is_vendor and actor.can(Perm.PROGRAM_ADMIN)):
        raise PermissionDenied()


def known_region(session: Session, region: str | None) -> str | None:
    """A CSP region is a market id; None stands for every region."""
    if region is None:
        return None
    try:
        return markets.get_market(session, region).id
    except NotFound:
        raise UnknownRegion(region=region) from None


def publish_template(
    session: Session,
    actor: Actor,
    *,
    agreement_type: AgreementType | str,
    version: str,
    region: str | None,
    agreement_link: str | None,
    documents: Mapping[str, DocumentText] | Iterable[tuple[str, DocumentText]],
) -> AgreementTemplate:
    """Publish a version of the partner or the customer agreement for a region (or all
    regions), with its text in English and Korean at least. It becomes rank 0 for its
    type and region at once (PC:agreements.md: the agreement exists in versions by
    geography and language). A version is published once per type and region."""
    ensure_program_admin(actor)
    kind = (
        agreement_type
        if isinstance(agreement_type, AgreementType)
        else rules.parse_agreement_type(agreement_type)
    )
    rules.ensure_publishable(kind)
    clean_version = rules.clean_version(version)
    market_id = known_region(session, rules.normalize_region(region))
    link = rules.clean_link(agreement_link)
    texts = rules.clean_documents(documents)
    if queries.find_version(session, kind, market_id, clean_version) is not None:
        raise TemplateVersionExists(version=clean_version)
    template = AgreementTemplate(
        id=new_id(),
        agreement_type=kind.value,
        version=clean_version,
        region=market_id,
        status=TemplateStatus.PUBLISHED.value,
        agreement_link=link,
        published_at=clock.now(),
        published_by=actor.user_id,
    )
    session.add(template)
    session.flush()
    session.add_all(
        AgreementDocument(template_id=template.id, language=lang, title=t.title, body=t.body)
        for lang, t in sorted(texts.items())
    )
    session.flush()
    audit.record(
        session,
        actor,
        "publish_agreement_template",
        "agreement_template",
        resource_id=template.id,
        new={
            "id": str(template.id),
            "agreementType": template.agreement_type,
            "version": template.version,
            "region": template.region,
            "agreementLink": template.agreement_link,
            "languages": sorted(texts),
        },
    )
    return template


def retire_template(session: Session, actor: Actor, template_id: uuid.UUID) -> AgreementTemplate:
    """Withdraw a template: it leaves the metadata and can no longer be accepted or
    signed, so the previous version becomes rank 0 again. Acceptances and signatures
    already made on it stand. Retiring twice changes nothing."""
    ensure_program_admin(actor)
    template = queries.get_template(session, template_id)
    if template.status == TemplateStatus.RETIRED:
        return template
    template.status = TemplateStatus.RETIRED.value
    session.flush()
    audit.record(
        session,
        actor,
        "retire_agreement_template",
        "agreement_template",
        resource_id=template.id,
        old={"status": TemplateStatus.PUBLISHED.value},
        new={"status": TemplateStatus.RETIRED.value},
    )
    return template


def all_templates(
    session: Session, actor: Actor
) -> list[tuple[AgreementTemplate, int | None, list[str]]]:
    """Every template with its rank (None once retired) and document languages — the
    vendor's list."""
    ensure_program_admin(actor)
    rows = queries.templates(session)
    ranks = rules.version_ranks(rows)
    return [(t, ranks.get(t.id), sorted(queries.documents_of(session, t.id))) for t in rows]


def describe_template(
    session: Session, actor: Actor, template_id: uuid.UUID
) -> tuple[AgreementTemplate, int | None, list[str]]:
    """One template with its rank (None once retired) and document languages."""
    ensure_program_admin(actor)
    template = queries.get_template(session, template_id)
    kind = rules.parse_agreement_type(template.agreement_type)
    rank = rules.version_ranks(queries.templates(session, [kind])).get(template.id)
    return template, rank, sorted(queries.documents_of(session, template.id))


def agreement_metadata(
    session: Session, actor: Actor, types: Collection[AgreementType]
) -> list[tuple[AgreementTemplate, int]]:
    """``GET /v1/agreements``: the published templates of the types asked for, with their
    ``versionRank``. A partner sees those that apply to its CSP region (its own
    region's, or the all-regions ones where its region has none); the vendor sees all."""
    rows = queries.templates(session, types)
    if actor.is_vendor:
        ranks = rules.version_ranks(rows)
        return [(t, ranks[t.id]) for t in rows if t.id in ranks]
    region = partners.region_of(session, actor.organization_id)
    found: list[tuple[AgreementTemplate, int]] = []
    for kind in sorted(types):
        found.extend(rules.applicable(rows, kind, region))
    return found


def serve_document(
    session: Session, template_id: uuid.UUID, *, language: str | None, country: str | None
) -> ServedDocument:
    """The document of a template in the requested language (English when the template
    has none in it). A country, when given, must be one the template applies to."""
    template = queries.get_template(session, template_id)
    document = queries.document_in(session, template.id, language)
    code = None
    if country is not None and country.strip():
        code = market_rules.normalize_country_code(country)
        try:
            market_id = markets.market_for(session, code).id
        except NotFound:
            raise TemplateNotForCountry(country=code) from None
        if template.region is not None and template.region != market_id:
            raise TemplateNotForCountry(country=code)
    kind = rules.parse_agreement_type(template.agreement_type)
    rank = rules.version_ranks(queries.templates(session, [kind])).get(template.id)
    served = rules.served_language_tag(language, document.language)
    return ServedDocument(template, document, served, code, rank)
