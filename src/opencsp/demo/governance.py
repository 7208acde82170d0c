"""Program governance in the demo (issue 7 "Demo data"), after the commerce story, through
the real services on the clock — audited and notified like everything else:

- **A direct-bill application pending.** ``APPLICANT_KEY`` (Fabrikam, the reseller the
  featured ``top_up`` deal brings just above USD 300,000, ``demo.commerce_featured``)
  applies for direct bill once the month that took it over the threshold is paid
  (``reporting.ttm`` counts paid invoices only). The vendor runs a credit check (passed),
  asks which support plan it bought; the partner answers (ASfP), the vendor records the
  plan and schedules the third-party assessment (rules.md §2a): the application waits in
  the review queue in state ``assessment``.
- **A restricted direct-bill partner.** ``RESTRICTED_KEY`` (Woodgrove, also the late
  payer) was reassessed by the vendor in its first year (``reassessment.reassess_now``):
  no support plan, no third-party assessment — not met, notice until yesterday. Today's
  ``program.reassess`` run restricts it (rules.md §2c) and reports its first annual
  reassessment; its inbox holds the notices.
- **A transition in progress.** ``TRANSITION_KEY`` (Adatum), under notice since its annual
  reassessment, asks to step back to indirect reseller (rules.md §2d): the vendor
  approves, the partner accepts the agreement, chooses ``PROVIDER_KEY`` and records the
  consent of one of its customers; the others' are awaited.
- **Segment qualifications.** The provider asks the vendor to qualify two schools for the
  education segment (rules.md §9a): one approved, one in review.

Each part runs only when its parties are in the markets this deployment serves
(``demo.parties.served``). The notifications are queued as e-mail (outbox) and delivered
by ``demo.load`` once the load is committed."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opencsp.auth import queries as auth_queries
from opencsp.auth import service as auth_service
from opencsp.auth.rules import Role
from opencsp.billing.models import VENDOR as VENDOR_SELLER
from opencsp.billing.models import Invoice, Payment
from opencsp.core import clock
from opencsp.core.actor import Actor
from opencsp.customers import qualifications
from opencsp.customers.models import Customer
from opencsp.demo.parties import VENDOR, DemoOrganization, partner
from opencsp.program import (
    applications,
    evidence,
    facts,
    reassessment,
    reviews,
    transition_steps,
    transitions,
)
from opencsp.program import standing_rules as cycles
from opencsp.program.eligibility import Status
from opencsp.program.rules import clean_application
from opencsp.reporting.rules import add_months, month_of

APPLICANT_KEY = "reseller-us-1"
PROVIDER_OF_APPLICANT = "provider-us"
RESTRICTED_KEY = "direct-eu"
TRANSITION_KEY = "direct-us"
PROVIDER_KEY = "provider-us"
CONSENTING = "Contoso Pharmaceuticals"
"""The transitioning partner's customer whose consent is recorded (the others' awaited)."""
SCHOOLS = (("Lakeshore University", True), ("Bellows College", False))
"""The education customers the provider asks to qualify, and whether the vendor approved."""

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
NOTICE_BACK = timedelta(days=91)
"""How long before now the vendor reassessed the restricted partner: with the default 90
days of notice, the notice ended yesterday."""


@dataclass
class Summary:
    """What the governance story made, for the load's output."""

    done: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return "governance: " + ("; ".join(self.done) or "nothing (no served parties)")


@dataclass
class _Cast:
    session: Session
    actors: dict[str, Actor] = field(default_factory=dict)

    def actor(self, email: str) -> Actor:
        if email not in self.actors:
            user = auth_queries.user_by_email(self.session, email)
            assert user is not None, email
            self.actors[email] = auth_service.actor_for(self.session, user)
        return self.actors[email]

    def admin(self, org: DemoOrganization) -> Actor:
        return self.actor(org.users[0].email)

    def vendor(self) -> Actor:
        return self.actor(next(u.email for u in VENDOR.users if u.role is Role.PROGRAM_ADMIN))


def _morning(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _customer_id(session: Session, name: str) -> uuid.UUID:
    found = session.scalar(select(Customer.id).where(Customer.company_name == name))
    assert found is not None, name
    return found


# --- the direct-bill application ------------------------------------------------------------


def threshold_paid_at(session: Session, provider_id: uuid.UUID, now: datetime) -> datetime | None:
    """When the provider's vendor invoice of last month was paid in full (the month whose
    payment takes its reseller over the threshold); None while it is not."""
    period = add_months(month_of(now), -1)
    paid = session.execute(
        select(func.max(Payment.created_at), func.sum(Payment.amount_minor), Invoice.total_minor)
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .where(
            Invoice.seller_key == VENDOR_SELLER,
            Invoice.bill_to_key == str(provider_id),
            Invoice.period == period,
        )
        .group_by(Invoice.id, Invoice.total_minor)
    ).all()
    if not paid or any(amount < total for _, amount, total in paid):
        return None
    return clock.ensure_aware_utc(max(at for at, _, _ in paid))


def _instants(now: datetime, ready: datetime | None, steps: int) -> list[datetime]:
    """``steps`` instants, oldest first, spread over the last ten days before now — after
    ``ready`` when it leaves room (early in a month the steps are hours apart)."""
    end, start = now - HOUR, now - 10 * DAY
    if ready is not None and ready + HOUR < end:
        start = max(start, ready + HOUR)
    gap = (end - start) / steps
    return [(start + n * gap).replace(second=0, microsecond=0) for n in range(steps)]


def _application(cast: _Cast, summary: Summary, now: datetime) -> None:
    applicant, provider = partner(APPLICANT_KEY), partner(PROVIDER_OF_APPLICANT)
    if applicant is None or provider is None:
        return
    session, vendor = cast.session, cast.vendor()
    reseller = cast.admin(applicant)
    ready = threshold_paid_at(session, cast.admin(provider).organization_id, now)
    at = _instants(now, ready, 7)
    name = applicant.users[0].name
    with clock.frozen(at[0]):
        fields = clean_application(
            signer_name=name,
            signer_email=applicant.users[0].email,
            signer_title="Chief Executive Officer",
            authority_attested=True,
            managed_service=(
                "Fabrikam Managed Workplace: 24x7 monitoring, patching and help desk for "
                "Microsoft 365 and Dynamics 365 customers."
            ),
            billing_anniversary=add_months(month_of(now), 1),
            tenant_domain=f"direct.{applicant.domain}",
            tax_id="US-74-2018833",
        )
        app = applications.apply(session, reseller, fields)
    org_id = reseller.organization_id
    with clock.frozen(at[1]):
        evidence.record_evidence(
            session,
            vendor,
            org_id,
            kind="credit_check",
            outcome="scheduled",
            effective_on=at[1].date(),
        )
    with clock.frozen(at[2]):
        evidence.record_evidence(
            session,
            vendor,
            org_id,
            kind="credit_check",
            outcome="passed",
            effective_on=at[2].date(),
        )
        reviews.request_information(
            session,
            vendor,
            app.id,
            "Your credit check passed. Which support plan have you bought, Advanced or "
            "Premier Support for Partners, and since when?",
        )
    with clock.frozen(at[3]):
        applications.add_message(
            session,
            reseller,
            app.id,
            f"We bought Advanced Support for Partners today ({at[3].date().isoformat()}); the "
            "order confirmation is attached to our partner profile.",
        )
    with clock.frozen(at[4]):
        evidence.record_evidence(
            session,
            vendor,
            org_id,
            kind="support_plan",
            outcome="bought",
            effective_on=at[3].date(),
            plan="ASfP",
        )
    summary.done.append(f"{applicant.name} applied for direct bill")
    with clock.frozen(at[5]):
        checklist = facts.direct_bill_checklist(session, org_id, now=at[5], application=app)
        if all(checklist.get(k).status is Status.MET for k in ("revenue", "tenure")):
            on = at[5].date() + 14 * DAY
            reviews.schedule_assessment(session, vendor, app.id, on)
            summary.done.append(f"its assessment scheduled for {on.isoformat()}")


# --- the restricted partner and the transition -----------------------------------------------


def _restricted_notice(cast: _Cast, summary: Summary, now: datetime) -> None:
    """The vendor reassesses ``RESTRICTED_KEY`` in its first year: not met, notice."""
    org = partner(RESTRICTED_KEY)
    if org is None:
        return
    at = _morning((now - NOTICE_BACK).date(), 11)
    with clock.frozen(at):
        reassessment.reassess_now(cast.session, cast.vendor(), cast.admin(org).organization_id)
    summary.done.append(f"{org.name} reassessed (notice)")


def _anniversary_notice(cast: _Cast, org_id: uuid.UUID, now: datetime) -> datetime | None:
    """The vendor reassesses the transitioning partner the day after its first enrollment
    anniversary (not met: under notice); the instant, or None if none has come."""
    found = reassessment.direct_bill_partners(cast.session, only=org_id)
    cycle = cycles.due_cycle(found[0].anchor, now.date()) if found else None
    if cycle is None or cycle.number < 1:
        return None
    at = _morning(cycle.due_on + DAY, 10)
    if at >= now - 12 * DAY:
        return None
    with clock.frozen(at):
        reassessment.reassess_now(cast.session, cast.vendor(), org_id)
    return at


def _transition(cast: _Cast, summary: Summary, now: datetime) -> None:
    org, provider = partner(TRANSITION_KEY), partner(PROVIDER_KEY)
    if org is None or provider is None:
        return
    session, vendor, admin = cast.session, cast.vendor(), cast.admin(org)
    _anniversary_notice(cast, admin.organization_id, now)
    start = _morning((now - 9 * DAY).date(), 10)
    with clock.frozen(start):
        transition = transitions.request_transition(session, admin)
    with clock.frozen(start + DAY):
        transitions.approve(session, vendor, transition.id)
    with clock.frozen(start + 2 * DAY):
        transition_steps.accept_agreement(session, admin, transition.id)
    with clock.frozen(start + 2 * DAY + HOUR):
        provider_id = cast.admin(provider).organization_id
        transition_steps.choose_provider(session, admin, transition.id, provider_id)
    with clock.frozen(start + 4 * DAY):
        transition_steps.record_consent(
            session,
            admin,
            transition.id,
            _customer_id(session, CONSENTING),
            consent_by="Gena Soto (IT director)",
            consented_at=start + 4 * DAY - 2 * HOUR,
        )
    summary.done.append(f"{org.name} moving to indirect reseller through {provider.name}")


def _reassess_job(session: Session, system: Actor, summary: Summary, now: datetime) -> None:
    """Today's ``program.reassess`` run, in the load's session: the notice that ended
    yesterday restricts (``RESTRICTED_KEY``); the others' anniversaries are reported."""

    @contextmanager
    def units() -> Iterator[tuple[Session, Actor]]:
        yield session, system

    with clock.frozen(now - HOUR / 2):
        result = reassessment.run_reassessments(units)
    summary.done.append(f"reassessment run: {result}")


# --- segment qualifications ------------------------------------------------------------------


def _schools(cast: _Cast, summary: Summary, now: datetime) -> None:
    provider = partner(PROVIDER_KEY)
    if provider is None:
        return
    session, vendor, admin = cast.session, cast.vendor(), cast.admin(provider)
    for n, (name, approved) in enumerate(SCHOOLS):
        customer_id = _customer_id(session, name)
        asked = _morning((now - (6 - 4 * n) * DAY).date(), 14)
        with clock.frozen(asked):
            qualifications.request_qualification(
                session,
                admin,
                customer_id,
                qualification="Education",
                education_segment="HigherEducation",
                website=f"https://www.{name.split()[0].lower()}.example",
            )
        if approved:
            with clock.frozen(asked + 2 * DAY):
                qualifications.approve(session, vendor, customer_id, "Education")
    summary.done.append("education qualifications: 1 approved, 1 in review")


def load(session: Session, system: Actor) -> Summary:
    """Play the governance story (module docstring) up to now, each step by its actor (a
    partner's Global admin, the vendor's Program admin; the job as ``system``); what it
    made."""
    now = clock.now()
    cast, summary = _Cast(session), Summary()
    _restricted_notice(cast, summary, now)
    _transition(cast, summary, now)
    _application(cast, summary, now)
    _schools(cast, summary, now)
    _reassess_job(session, system, summary, now)
    session.flush()
    return summary
