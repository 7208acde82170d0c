"""The partner agreement: every CSP partner signs it once in every CSP region where it
does business; only a Global admin can view or sign it, and only with an active partner
ID of type Location in the partner's own country (PC:microsoft-partner-agreement.md,
PC:csp-supported-partner-relationships.md, PC:indirect-reseller-tasks-in-partner-center.md;
rules.md §1.6, §3.2)."""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opencsp import audit
from opencsp.agreements import queries
from opencsp.agreements.errors import (
    LocationPartnerIdRequired,
    NoPartnerAgreementPublished,
    PartnerAgreementAlreadySigned,
    PartnerAgreementChanged,
    PartnerAgreementNotForVendor,
)
from opencsp.agreements.models import AgreementTemplate, PartnerAgreementSignature
from opencsp.agreements.rules import AgreementType
from opencsp.agreements.templates import known_region
from opencsp.auth import queries as users
from opencsp.core import clock
from opencsp.core.actor import Actor, Perm
from opencsp.core.errors import PermissionDenied
from opencsp.core.ids import new_id
from opencsp.partners import queries as partners

# The console page where a partner's Global admin reads and signs the agreement.
SIGNING_PAGE = "/partner-agreement"


def ensure_global_admin(actor: Actor) -> None:
    if actor.is_vendor:
        raise PartnerAgreementNotForVendor()
    if not actor.can(Perm.PARTNER_AGREEMENT_SIGN) or actor.user_id is None:
        raise PermissionDenied()


def own_region(session: Session, actor: Actor) -> str | None:
    """The partner's CSP region: the market of its location."""
    return partners.region_of(session, actor.organization_id)


def agreement_to_sign(session: Session, region: str) -> AgreementTemplate:
    """The newest published partner agreement for the region (or for every region)."""
    template = queries.current_template(session, AgreementType.PARTNER, region)
    if template is None:
        raise NoPartnerAgreementPublished(region=region)
    return template


def sign_partner_agreement(
    session: Session, actor: Actor, region: str | None, *, template_id: uuid.UUID | None = None
) -> PartnerAgreementSignature:
    """The Global admin signs the partner agreement for a CSP region (a market id; None
    for the partner's own) — its own or another where the partner does business —
    recording the signer and the date. ``template_id``, when given, is the version the
    signer read; a newer one published since refuses the signature. Once per region:
    signing again is a conflict."""
    ensure_global_admin(actor)
    if partners.location_partner_id(session, actor.organization_id) is None:
        raise LocationPartnerIdRequired()
    wanted = region.strip().lower() if region is not None else own_region(session, actor)
    market_id = known_region(session, wanted or "")  # "all" is no region here
    assert market_id is not None
    if queries.has_signed_partner_agreement(session, actor.organization_id, market_id):
        raise PartnerAgreementAlreadySigned(region=market_id)
    template = agreement_to_sign(session, market_id)
    if template_id is not None and template_id != template.id:
        raise PartnerAgreementChanged()
    assert actor.user_id is not None
    signer = users.get_visible_user(session, actor, actor.user_id)
    row = PartnerAgreementSignature(
        id=new_id(),
        organization_id=actor.organization_id,
        region=market_id,
        template_id=template.id,
        signer_user_id=signer.id,
        signer_name=signer.display_name,
        signer_email=signer.email,
        signed_at=clock.now(),
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise PartnerAgreementAlreadySigned(region=market_id) from None
    audit.record(
        session,
        actor,
        "sign_partner_agreement",
        "agreement",
        resource_id=row.id,
        new={
            "region": row.region,
            "templateId": str(template.id),
            "version": template.version,
            "signerName": row.signer_name,
            "signerEmail": row.signer_email,
            "signedAt": row.signed_at.isoformat(),
        },
        data={"Region": row.region, "TemplateId": template.id},
        partner_id=actor.organization_id,
    )
    return row


def signatures(
    session: Session, actor: Actor
) -> list[tuple[PartnerAgreementSignature, AgreementTemplate]]:
    """The partner's signatures, one per region, with the version signed."""
    ensure_global_admin(actor)
    rows = queries.signatures_of(session, actor.organization_id)
    return [(row, queries.get_template(session, row.template_id)) for row in rows]
