"""Factories for agreements through the use cases themselves: templates published by the
vendor's operator, with English and Korean documents."""

from __future__ import annotations

import itertools

from sqlalchemy.orm import Session

from opencsp.agreements import templates
from opencsp.agreements.models import AgreementTemplate
from opencsp.agreements.rules import AgreementType, DocumentText
from opencsp.auth.rules import Role
from opencsp.core.actor import Tier
from tests.factories import Member, member, organization, system

_seq = itertools.count(1)

CUSTOMER = AgreementType.CUSTOMER
PARTNER = AgreementType.PARTNER
EN_BODY = (
    "# Scope\n\nThese terms govern the use of the online services.\n\n- Pay on time\n- Use lawfully"
)
KO_BODY = "# 범위\n\n이 약관은 온라인 서비스 사용에 적용됩니다.\n\n- 기한 내 지급\n- 적법한 사용"


def program_admin(session: Session) -> Member:
    """A Program admin of the vendor."""
    return member(session, organization(session, Tier.VENDOR), roles=(Role.PROGRAM_ADMIN,))


def publish(
    session: Session,
    agreement_type: AgreementType = CUSTOMER,
    *,
    region: str | None = None,
    version: str | None = None,
    link: str | None = None,
    en_title: str | None = None,
    ko_title: str | None = None,
) -> AgreementTemplate:
    """A published template with its English and Korean documents."""
    kind = "Customer" if agreement_type is CUSTOMER else "Partner"
    return templates.publish_template(
        session,
        system(session),
        agreement_type=agreement_type,
        version=version or f"2026-{next(_seq):02d}",
        region=region,
        agreement_link=link,
        documents={
            "en": DocumentText(en_title or f"{kind} Agreement", EN_BODY),
            "ko": DocumentText(
                ko_title or ("고객 계약" if kind == "Customer" else "파트너 계약"), KO_BODY
            ),
        },
    )
