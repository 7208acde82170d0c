"""Wire shapes of agreements, as Partner Center has them
(PC:developer/agreement-resources.md, agreement-metadata-resources.md,
agreement-document-resources.md; samples ``agreements-*``, ``agreementtemplates-*``,
``customers-agreements-*``, ``compliance-agreementstatus-*``), and the vendor's template
publishing under ``/v1/program/agreementtemplates``."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, ClassVar

from pydantic import Field, PlainSerializer

from opencsp.core.http import Resource, WireModel


def _instant(value: datetime) -> str:
    """``2018-06-14T00:00:00.000Z``: UTC with milliseconds, as the samples write it."""
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


Instant = Annotated[datetime, PlainSerializer(_instant, return_type=str)]


class PrimaryContact(WireModel):
    """The signer. Lengths are checked by ``rules.clean_contact`` (clear errors); the
    bounds here only refuse absurd input early."""

    first_name: str = Field(max_length=256)
    last_name: str = Field(max_length=256)
    email: str = Field(max_length=320)
    phone_number: str | None = Field(default=None, max_length=64)


class AgreementCreate(WireModel):
    """``POST /v1/customers/{id}/agreements`` (sample customers-agreements-create.request)."""

    primary_contact: PrimaryContact
    template_id: uuid.UUID
    date_agreed: str = Field(max_length=64)
    type: str = Field(default="MicrosoftCustomerAgreement", max_length=64)


class AgreementRead(Resource):
    """A customer's acceptance of the customer agreement. ``userId`` is the partner user
    who confirmed it; none when the customer accepted it itself."""

    OBJECT_TYPE: ClassVar[str] = "Agreement"

    user_id: uuid.UUID | None = None
    primary_contact: PrimaryContact
    template_id: uuid.UUID
    date_agreed: Instant
    type: str
    agreement_link: str


class AgreementMetadataRead(Resource):
    """``GET /v1/agreements`` items (sample agreements-metadata-list). ``version`` and
    ``region`` (a market id; null for every region) are opencsp's additions."""

    OBJECT_TYPE: ClassVar[str] = "AgreementMetaData"

    template_id: uuid.UUID
    agreement_type: str
    agreement_link: str
    version_rank: int
    version: str
    region: str | None


class AgreementDocumentRead(Resource):
    """``GET /v1/agreementtemplates/{id}/document`` (sample agreementtemplates-document-get):
    where to read (HTML) and download (Markdown text) the document."""

    OBJECT_TYPE: ClassVar[str] = "AgreementDocument"

    display_uri: str
    download_uri: str
    language: str
    country: str | None
    version_rank: int | None


class DirectSignedStatusRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "DirectSignedCustomerAgreementStatus"

    is_signed: bool


class AgreementStatusRead(Resource):
    """``GET /v1/compliance/csp/agreementstatus`` (sample compliance-agreementstatus-success).
    Answered only when signed: every other outcome is one of the documented errors."""

    OBJECT_TYPE: ClassVar[str] = "AgreementStatus"

    is_agreement_signed: bool


class TemplateDocumentIn(WireModel):
    language: str = Field(max_length=16)
    title: str = Field(max_length=1024)
    body: str = Field(max_length=400_000)


class TemplateCreate(WireModel):
    """The vendor publishes a template: ``agreementType`` (``MicrosoftCustomerAgreement``
    or ``MicrosoftPartnerAgreement``), ``version``, ``region`` (a market id; omitted or
    ``all`` for every region), an optional public ``agreementLink`` and its documents,
    English and Korean at least."""

    agreement_type: str = Field(max_length=64)
    version: str = Field(max_length=256)
    region: str | None = Field(default=None, max_length=64)
    agreement_link: str | None = Field(default=None, max_length=4096)
    documents: list[TemplateDocumentIn] = Field(max_length=32)


class TemplateRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "AgreementTemplate"

    id: uuid.UUID
    agreement_type: str
    version: str
    region: str | None
    status: str
    agreement_link: str
    version_rank: int | None
    languages: list[str]
    published_at: datetime


class PartnerAgreementSign(WireModel):
    """Sign the partner agreement for a CSP region (the partner's own when omitted).
    ``templateId``, when given, must be the version the signer read: if a newer one has
    been published since, the signature is refused so nobody signs unread text."""

    region: str | None = Field(default=None, max_length=64)
    template_id: uuid.UUID | None = None


class PartnerAgreementRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "PartnerAgreement"

    region: str
    template_id: uuid.UUID
    version: str
    signer_user_id: uuid.UUID
    signer_name: str
    signer_email: str
    signed_at: datetime
