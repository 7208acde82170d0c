"""Factories of the partners domain that go through its use cases: an application to
enroll, an enrolled partner (through ``enrollment.enroll``), one verified and approved,
and a provider granted its tier by the vendor.

Partner IDs are allocated max + 1, so call ``tests.factories.parties.partner`` (whose
IDs come from a counter) before these in a test, never after."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from opencsp.auth import credentials
from opencsp.auth import service as auth_service
from opencsp.core.actor import Actor
from opencsp.partners import enrollment
from opencsp.partners.enrollment import Enrolled
from opencsp.partners.schemas import EnrollmentApplication
from tests.factories import PASSWORD, Member

_seq = itertools.count(1)


def application(country: str = "US", **overrides: Any) -> EnrollmentApplication:
    n = f"{next(_seq)}x{uuid.uuid4().hex[:6]}"
    values: dict[str, Any] = {
        "company_name": f"Contoso Reseller {n}",
        "country": country,
        "address_line1": "1 Microsoft Way",
        "city": "Redmond",
        "state": "WA",
        "postal_code": "98052",
        "phone_number": "4255550100",
        "contact_first_name": "Gena",
        "contact_last_name": "Soto",
        "contact_email": f"gena@reseller{n}.example",
        "contact_phone": "4255550110",
        "tenant_domain": f"reseller{n}.example",
        "admin_email": f"admin{n}@reseller{n}.example",
        "admin_password": PASSWORD,
    }
    if country == "KR":
        values |= {"city": "Seoul", "state": None, "postal_code": "04524"}
    values |= overrides
    return EnrollmentApplication(**values)


@dataclass(frozen=True)
class Applicant:
    enrolled: Enrolled
    actor: Actor
    token: str

    @property
    def member(self) -> Member:
        return Member(
            org=self.enrolled.organization,
            user=self.enrolled.user,
            actor=self.actor,
            token=self.token,
        )

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def enrolled(session: Session, country: str = "US", **overrides: Any) -> Applicant:
    """A company that applied (state ``submitted``), with an API token for its admin."""
    result = enrollment.enroll(session, application(country, **overrides))
    return _applicant(session, result)


def approved(session: Session, country: str = "US", **overrides: Any) -> Applicant:
    """An enrolled company the vendor verified and approved: an active indirect reseller."""
    applicant = enrolled(session, country, **overrides)
    vendor = auth_service.system_actor(session)
    org_id = applicant.enrolled.organization.id
    enrollment.start_verification(session, vendor, org_id)
    enrollment.approve(session, vendor, org_id)
    session.flush()
    return _applicant(session, applicant.enrolled)


def provider(session: Session, country: str = "US", **overrides: Any) -> Applicant:
    """An approved partner granted the indirect provider tier."""
    applicant = approved(session, country, **overrides)
    vendor = auth_service.system_actor(session)
    enrollment.grant_provider_tier(session, vendor, applicant.enrolled.organization.id)
    session.flush()
    return _applicant(session, applicant.enrolled)


def _applicant(session: Session, result: Enrolled) -> Applicant:
    system = auth_service.system_actor(session)
    token = credentials.create_token(session, system, result.user.id, "test").secret
    session.flush()
    return Applicant(result, auth_service.actor_for(session, result.user), token)
