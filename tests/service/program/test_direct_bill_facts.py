"""The live direct-bill checklist from the database (program.facts): revenue from paid
reporting figures, tenure from the first month transacting, partner IDs, evidence and the
settings' policy, each around its edges."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.billing.models import Invoice
from opencsp.core import clock
from opencsp.partners.models import PartnerId
from opencsp.program import applications, facts
from opencsp.program.eligibility import Status
from tests.factories.program import applicant, form

MET, NOT, PEND = Status.MET, Status.NOT_MET, Status.PENDING


@pytest.mark.parametrize(
    ("ttm", "status"), [("299999.99", NOT), ("300000.00", MET), ("300000.01", MET)]
)
def test_revenue_threshold_from_paid_revenue(session: Session, ttm: str, status: Status) -> None:
    a = applicant(session, ttm=ttm)
    checklist = facts.direct_bill_checklist(session, a.reseller.org.id, now=clock.now())
    revenue = checklist.get("revenue")
    assert revenue.status is status
    assert revenue.evidence["ttmUsd"] == ttm
    assert revenue.evidence["thresholdUsd"] == "300000.00"
    assert revenue.evidence["drillDown"].startswith("/v1/reporting/revenue/ttm/directBill/lines")


def test_unpaid_revenue_does_not_count(session: Session) -> None:
    a = applicant(session)
    for doc in session.scalars(select(Invoice)):
        doc.paid_minor = 0
    session.flush()
    checklist = facts.direct_bill_checklist(session, a.reseller.org.id, now=clock.now())
    assert checklist.get("revenue").status is NOT


@pytest.mark.parametrize(
    ("first", "months", "status"),
    [
        (date(2025, 12, 1), 11, NOT),
        (date(2025, 11, 1), 12, MET),
    ],
)
def test_tenure_from_the_first_month_transacting(
    session: Session, first: date, months: int, status: Status
) -> None:
    a = applicant(session, first_month=first)
    tenure = facts.direct_bill_checklist(session, a.reseller.org.id, now=clock.now()).get("tenure")
    assert (tenure.status, tenure.evidence["months"]) == (status, months)
    assert tenure.evidence["transactingSince"] == first.isoformat()


@pytest.mark.parametrize(
    ("setting", "required", "eligible"), [("false", False, True), ("true", True, False)]
)
def test_managed_service_recommended_or_required(
    session: Session,
    configure: Callable[..., None],
    setting: str,
    required: bool,
    eligible: bool,
) -> None:
    configure(managed_service_required=setting)
    a = applicant(session)
    app = applications.apply(session, a.reseller.actor, form(managed_service=""))
    checklist = facts.direct_bill_checklist(session, a.reseller.org.id, now=clock.now())
    assert checklist.get("managedService").required is required
    assert checklist.get("managedService").status is NOT
    assert checklist.eligible is eligible
    assert app.managed_service is None


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({}, MET),
        ({"status": "inactive"}, NOT),
        ({"status": "suspended"}, NOT),
        ({"country": "KR"}, NOT),
    ],
)
def test_partner_id_active_and_of_the_country(
    session: Session, change: dict[str, Any], status: Status
) -> None:
    a = applicant(session)
    location = session.scalars(
        select(PartnerId).where(
            PartnerId.organization_id == a.reseller.org.id, PartnerId.kind == "location"
        )
    ).one()
    for key, value in change.items():
        setattr(location, key, value)
    session.flush()
    checklist = facts.direct_bill_checklist(session, a.reseller.org.id, now=clock.now())
    assert checklist.get("partnerId").status is status


def test_settings_change_the_threshold_and_tenure(
    session: Session, configure: Callable[..., None]
) -> None:
    configure(direct_bill_ttm_threshold_usd="350000", direct_bill_tenure_months="13")
    a = applicant(session)
    checklist = facts.direct_bill_checklist(session, a.reseller.org.id, now=clock.now())
    assert checklist.get("revenue").status is NOT
    assert checklist.get("revenue").evidence["thresholdUsd"] == "350000.00"
    assert checklist.get("tenure").status is NOT
    assert checklist.get("tenure").evidence["requiredMonths"] == 13


def test_everything_met_with_an_application(session: Session) -> None:
    a = applicant(session)
    before = facts.direct_bill_checklist(session, a.reseller.org.id, now=clock.now())
    assert before.get("authority").status is PEND
    applications.apply(session, a.reseller.actor, form())
    after = facts.direct_bill_checklist(session, a.reseller.org.id, now=clock.now())
    assert after.eligible, after.as_json()
    assert after.get("authority").evidence["signerName"] == "Ji-woo Park"


def test_queue_checklists_are_set_based_and_agree(session: Session) -> None:
    a = applicant(session)
    app = applications.apply(session, a.reseller.actor, form())
    queue = applications.review_queue(session, a.vendor.actor, now=clock.now())
    assert [q.application.id for q in queue] == [app.id]
    single = facts.direct_bill_checklist(session, a.reseller.org.id, now=clock.now())
    assert queue[0].checklist == single
