"""Agreements over the API (Partner Center's paths; api-surface.md "Agreements"):

- ``GET /v1/agreements?agreementType=`` — template metadata (customer agreement by
  default, ``*`` for every type);
- ``GET /v1/agreementtemplates/{id}/document?language=&country=`` — where to read and
  download a template's document (opencsp's public pages ``/agreement-documents/{id}``
  and ``/agreement-documents/{id}/download``);
- ``POST|GET /v1/customers/{id}/agreements`` and
  ``GET /v1/customers/{id}/directSignedMicrosoftCustomerAgreementStatus``;
- ``GET /v1/compliance/csp/agreementstatus?mpnId=|tenantId=``;

and opencsp's own: ``GET|POST /v1/profiles/partneragreements`` (the partner's signatures
of the partner agreement; Global admin) and ``/v1/program/agreementtemplates`` (the
vendor publishes and retires templates; Program admin)."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request

from opencsp.agreements import (
    compliance,
    customer_acceptance,
    partner_agreement,
    queries,
    rules,
    templates,
)
from opencsp.agreements.errors import TemplateNotFound
from opencsp.agreements.models import (
    AgreementTemplate,
    CustomerAgreement,
    PartnerAgreementSignature,
)
from opencsp.agreements.rules import DocumentText
from opencsp.agreements.schemas import (
    AgreementCreate,
    AgreementDocumentRead,
    AgreementMetadataRead,
    AgreementRead,
    AgreementStatusRead,
    DirectSignedStatusRead,
    PartnerAgreementRead,
    PartnerAgreementSign,
    PrimaryContact,
    TemplateCreate,
    TemplateRead,
)
from opencsp.core.actor import Actor, Perm
from opencsp.core.http import Collection, Link, Links
from opencsp.core.ids import parse_guid
from opencsp.customers.errors import CustomerNotFound
from opencsp.web.deps import ActorDep, SessionDep, require

router = APIRouter(tags=["agreements"])

Reader = Annotated[Actor, require(Perm.PROFILE_READ)]
CustomerReader = Annotated[Actor, require(Perm.CUSTOMERS_READ)]
Attester = Annotated[Actor, require(Perm.CUSTOMER_AGREEMENT_ATTEST)]
Signer = Annotated[Actor, require(Perm.PARTNER_AGREEMENT_SIGN)]
ProgramAdmin = Annotated[Actor, require(Perm.PROGRAM_ADMIN)]
TypeParam = Annotated[str | None, Query(alias="agreementType", max_length=64)]


def _site(request: Request, path: str, **query: str | None) -> str:
    params = {k: v for k, v in query.items() if v}
    base = str(request.base_url).rstrip("/")
    return f"{base}{path}" + (f"?{urlencode(params)}" if params else "")


def _link(request: Request, template: AgreementTemplate) -> str:
    """The template's public link, or opencsp's page for it."""
    display = templates.DISPLAY_PATH.format(template_id=template.id)
    return template.agreement_link or _site(request, display)


def _customer_id(value: str) -> uuid.UUID:
    parsed = parse_guid(value)
    if parsed is None:
        raise CustomerNotFound()
    return parsed


def _agreement(
    request: Request, row: CustomerAgreement, template: AgreementTemplate
) -> AgreementRead:
    return AgreementRead(
        user_id=row.user_id,
        primary_contact=PrimaryContact(
            first_name=row.contact_first_name,
            last_name=row.contact_last_name,
            email=row.contact_email,
            phone_number=row.contact_phone,
        ),
        template_id=row.template_id,
        date_agreed=row.date_agreed,
        type=row.agreement_type,
        agreement_link=_link(request, template),
    )


def _template(
    request: Request, template: AgreementTemplate, rank: int | None, languages: list[str]
) -> TemplateRead:
    return TemplateRead.model_validate(
        {
            **template.__dict__,
            "agreement_link": _link(request, template),
            "version_rank": rank,
            "languages": languages,
        }
    )


def _signature(row: PartnerAgreementSignature, template: AgreementTemplate) -> PartnerAgreementRead:
    return PartnerAgreementRead.model_validate({**row.__dict__, "version": template.version})


# --- metadata and documents ----------------------------------------------------------------


@router.get("/agreements", response_model=Collection[AgreementMetadataRead])
def list_agreement_metadata(
    request: Request, session: SessionDep, actor: Reader, agreement_type: TypeParam = None
) -> Collection[AgreementMetadataRead]:
    found = templates.agreement_metadata(session, actor, rules.type_filter(agreement_type))
    items = [
        AgreementMetadataRead(
            template_id=t.id,
            agreement_type=t.agreement_type,
            agreement_link=_link(request, t),
            version_rank=rank,
            version=t.version,
            region=t.region,
        )
        for t, rank in found
    ]
    query = f"?{urlencode({'agreementType': agreement_type})}" if agreement_type else ""
    return Collection[AgreementMetadataRead](
        total_count=len(items), items=items, links=Links(self=Link(uri=f"/agreements{query}"))
    )


@router.get("/agreementtemplates/{template_id}/document", response_model=AgreementDocumentRead)
def get_agreement_document(
    template_id: str,
    request: Request,
    session: SessionDep,
    _actor: Reader,
    language: Annotated[str | None, Query(max_length=35)] = None,
    country: Annotated[str | None, Query(max_length=8)] = None,
) -> AgreementDocumentRead:
    parsed = parse_guid(template_id)
    if parsed is None:
        raise TemplateNotFound()
    served = templates.serve_document(session, parsed, language=language, country=country)
    lang = served.document.language
    return AgreementDocumentRead(
        display_uri=_site(
            request, templates.DISPLAY_PATH.format(template_id=parsed), language=lang
        ),
        download_uri=_site(
            request, templates.DOWNLOAD_PATH.format(template_id=parsed), language=lang
        ),
        language=served.language,
        country=served.country,
        version_rank=served.version_rank,
    )


# --- the customer agreement ------------------------------------------------------------------


@router.post("/customers/{customer_id}/agreements", response_model=AgreementRead, status_code=201)
def create_customer_agreement(
    customer_id: str, body: AgreementCreate, request: Request, session: SessionDep, actor: Attester
) -> AgreementRead:
    contact = body.primary_contact
    row, template = customer_acceptance.attest(
        session,
        actor,
        _customer_id(customer_id),
        template_id=body.template_id,
        agreement_type=body.type,
        date_agreed=body.date_agreed,
        contact=rules.Contact(
            contact.first_name, contact.last_name, contact.email, contact.phone_number
        ),
    )
    return _agreement(request, row, template)


@router.get("/customers/{customer_id}/agreements", response_model=Collection[AgreementRead])
def list_customer_agreements(
    customer_id: str,
    request: Request,
    session: SessionDep,
    actor: CustomerReader,
    agreement_type: TypeParam = None,
) -> Collection[AgreementRead]:
    rows = customer_acceptance.list_agreements(
        session, actor, _customer_id(customer_id), rules.type_filter(agreement_type, default=None)
    )
    items = [_agreement(request, row, template) for row, template in rows]
    return Collection[AgreementRead](total_count=len(items), items=items)


@router.get(
    "/customers/{customer_id}/directSignedMicrosoftCustomerAgreementStatus",
    response_model=DirectSignedStatusRead,
)
def get_direct_signed_status(
    customer_id: str, session: SessionDep, actor: CustomerReader
) -> DirectSignedStatusRead:
    signed = customer_acceptance.is_signed_directly(session, actor, _customer_id(customer_id))
    return DirectSignedStatusRead(is_signed=signed)


# --- the partner agreement -------------------------------------------------------------------


@router.get("/compliance/{program}/agreementstatus", response_model=AgreementStatusRead)
def get_agreement_status(
    program: str,
    request: Request,
    session: SessionDep,
    actor: ActorDep,  # any signed-in partner may check another (App+User in Partner Center)
    mpn_id: Annotated[str | None, Query(alias="mpnId", max_length=64)] = None,
    tenant_id: Annotated[str | None, Query(alias="tenantId", max_length=64)] = None,
) -> AgreementStatusRead:
    signed = compliance.agreement_status(
        session,
        actor,
        program=program,
        mpn_id=mpn_id,
        tenant_id=tenant_id,
        help_link=_site(request, partner_agreement.SIGNING_PAGE),
    )
    return AgreementStatusRead(is_agreement_signed=signed)


@router.get("/profiles/partneragreements", response_model=Collection[PartnerAgreementRead])
def list_partner_agreements(session: SessionDep, actor: Signer) -> Collection[PartnerAgreementRead]:
    items = [_signature(row, t) for row, t in partner_agreement.signatures(session, actor)]
    return Collection[PartnerAgreementRead](total_count=len(items), items=items)


@router.post("/profiles/partneragreements", response_model=PartnerAgreementRead, status_code=201)
def sign_partner_agreement(
    body: PartnerAgreementSign, session: SessionDep, actor: Signer
) -> PartnerAgreementRead:
    row = partner_agreement.sign_partner_agreement(
        session, actor, body.region, template_id=body.template_id
    )
    return _signature(row, queries.get_template(session, row.template_id))


# --- the vendor's templates ------------------------------------------------------------------


@router.get("/program/agreementtemplates", response_model=Collection[TemplateRead])
def list_templates(
    request: Request, session: SessionDep, actor: ProgramAdmin
) -> Collection[TemplateRead]:
    items = [_template(request, *row) for row in templates.all_templates(session, actor)]
    return Collection[TemplateRead](total_count=len(items), items=items)


@router.post("/program/agreementtemplates", response_model=TemplateRead, status_code=201)
def publish_template(
    body: TemplateCreate, request: Request, session: SessionDep, actor: ProgramAdmin
) -> TemplateRead:
    template = templates.publish_template(
        session,
        actor,
        agreement_type=body.agreement_type,
        version=body.version,
        region=body.region,
        agreement_link=body.agreement_link,
        documents=[(d.language, DocumentText(d.title, d.body)) for d in body.documents],
    )
    return _template(request, *templates.describe_template(session, actor, template.id))


@router.get("/program/agreementtemplates/{template_id}", response_model=TemplateRead)
def get_template(
    template_id: str, request: Request, session: SessionDep, actor: ProgramAdmin
) -> TemplateRead:
    parsed = parse_guid(template_id)
    if parsed is None:
        raise TemplateNotFound()
    return _template(request, *templates.describe_template(session, actor, parsed))


@router.post("/program/agreementtemplates/{template_id}/retire", response_model=TemplateRead)
def retire_template(
    template_id: str, request: Request, session: SessionDep, actor: ProgramAdmin
) -> TemplateRead:
    parsed = parse_guid(template_id)
    if parsed is None:
        raise TemplateNotFound()
    template = templates.retire_template(session, actor, parsed)
    return _template(request, *templates.describe_template(session, actor, template.id))
