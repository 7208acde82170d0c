"""Direct-bill program rows for tests (issue 7, task G): a reseller with paid TTM revenue
as reseller of record from a chosen first month, the vendor's evidence, the vendor's
Program admin, and a ready application form."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from opencsp.auth.rules import Role
from opencsp.core.actor import Tier
from opencsp.program import evidence
from opencsp.program.rules import ApplicationFields, clean_application
from tests.factories import Member, billing, member, organization, system
from tests.factories.revenue import RevenueScene, revenue_scene, settle

FIRST_MONTH = date(2025, 11, 1)  # 12 whole months before NOW's month (2026-11)


@dataclass(frozen=True)
class Applicant:
    rs: RevenueScene
    reseller: Member
    vendor: Member


def vendor_admin(session: Session) -> Member:
    return member(session, organization(session, Tier.VENDOR), roles=(Role.PROGRAM_ADMIN,))


def revenue(session: Session, rs: RevenueScene, period: date, usd: str) -> None:
    """One paid vendor line of ``usd`` in ``period`` with the scene's reseller of record."""
    billing.charge(session, rs.indirect, period, each=Decimal(usd), quantity=1)
    settle(session, period)


def applicant(
    session: Session,
    *,
    ttm: str = "300000.00",
    first_month: date = FIRST_MONTH,
    evidence_recorded: bool = True,
) -> Applicant:
    """The scene's reseller with ``ttm`` USD of paid revenue in ``first_month`` (its
    first month transacting) and, unless told otherwise, a passed credit check, a plan
    bought after it and a passed assessment."""
    rs = revenue_scene(session)
    revenue(session, rs, first_month, ttm)
    vendor = vendor_admin(session)
    if evidence_recorded:
        record_all(session, rs.s.reseller.org.id)
    return Applicant(rs, rs.s.reseller, vendor)


def record_all(session: Session, org_id: uuid.UUID) -> None:
    actor = system(session)
    for kind, outcome, on, plan in (
        ("credit_check", "scheduled", date(2026, 1, 5), None),
        ("credit_check", "passed", date(2026, 1, 20), None),
        ("support_plan", "bought", date(2026, 1, 21), "ASfP"),
        ("assessment", "passed", date(2026, 10, 1), None),
    ):
        evidence.record_evidence(
            session, actor, org_id, kind=kind, outcome=outcome, effective_on=on, plan=plan
        )


def form(**changes: object) -> ApplicationFields:
    values: dict[str, object] = {
        "signer_name": "Ji-woo Park",
        "signer_email": "jiwoo@contoso-reseller.example",
        "signer_title": "CEO",
        "authority_attested": True,
        "managed_service": "Managed security operations for Nimbus 365",
        "billing_anniversary": date(2027, 1, 1),
        "tenant_domain": "contoso-direct.example",
        "tax_id": "123-45-67890",
    }
    values.update(changes)
    return clean_application(**values)  # type: ignore[arg-type]
