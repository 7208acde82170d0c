"""Pure rules of the direct-bill application (rules.md §2a; issue 7): its state machine,
the fields a partner gives, and what may change after approval. No session, no clock.

States: ``submitted`` → ``info_requested`` (the vendor asks; the partner's answer takes it
back to ``submitted``) → ``assessment`` (optional: the vendor scheduled the third-party
assessment) → ``approved`` | ``rejected`` (with a reason); the partner may ``withdrawn``
it while open. Open states hold the organization's one ``open_key``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from opencsp.partners.rules import normalize_contact_email, normalize_tenant_domain
from opencsp.program.errors import (
    AuthorityNotAttested,
    FieldImmutable,
    InvalidApplicationField,
    InvalidApplicationTransition,
    RejectionReasonRequired,
)


class ApplicationState(StrEnum):
    SUBMITTED = "submitted"
    INFO_REQUESTED = "info_requested"
    ASSESSMENT = "assessment"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Action(StrEnum):
    """The steps of an application, named as in the API paths."""

    REQUEST_INFO = "requestinformation"
    ANSWER = "answer"
    SCHEDULE_ASSESSMENT = "scheduleassessment"
    APPROVE = "approve"
    REJECT = "reject"
    WITHDRAW = "withdraw"


S = ApplicationState
OPEN = frozenset({S.SUBMITTED, S.INFO_REQUESTED, S.ASSESSMENT})

TRANSITIONS: Mapping[tuple[ApplicationState, Action], ApplicationState] = {
    (S.SUBMITTED, Action.REQUEST_INFO): S.INFO_REQUESTED,
    (S.SUBMITTED, Action.SCHEDULE_ASSESSMENT): S.ASSESSMENT,
    (S.SUBMITTED, Action.APPROVE): S.APPROVED,
    (S.SUBMITTED, Action.REJECT): S.REJECTED,
    (S.SUBMITTED, Action.WITHDRAW): S.WITHDRAWN,
    (S.INFO_REQUESTED, Action.ANSWER): S.SUBMITTED,
    (S.INFO_REQUESTED, Action.REJECT): S.REJECTED,
    (S.INFO_REQUESTED, Action.WITHDRAW): S.WITHDRAWN,
    (S.ASSESSMENT, Action.SCHEDULE_ASSESSMENT): S.ASSESSMENT,
    (S.ASSESSMENT, Action.APPROVE): S.APPROVED,
    (S.ASSESSMENT, Action.REJECT): S.REJECTED,
    (S.ASSESSMENT, Action.WITHDRAW): S.WITHDRAWN,
}
"""Every allowed step; anything else is refused (``next_state``). Approval waits for
the partner's answer once information was requested; rescheduling the assessment keeps
the state."""

ACTION_WORDS: Mapping[Action, str] = {
    Action.REQUEST_INFO: "asked for more information",
    Action.ANSWER: "answered",
    Action.SCHEDULE_ASSESSMENT: "scheduled for assessment",
    Action.APPROVE: "approved",
    Action.REJECT: "rejected",
    Action.WITHDRAW: "withdrawn",
}


def parse_state(value: str) -> ApplicationState:
    """A state as written on the wire (``infoRequested``) or stored (``info_requested``)."""
    folded = value.replace("_", "").replace("-", "").lower()
    for state in ApplicationState:
        if state.value.replace("_", "") == folded:
            return state
    raise InvalidApplicationField(field="state", minimum=1, maximum=24)


def is_open(state: ApplicationState) -> bool:
    return state in OPEN


def next_state(current: ApplicationState, action: Action) -> ApplicationState:
    """The state ``action`` leads to from ``current`` (``TRANSITIONS``), or a clear error."""
    target = TRANSITIONS.get((current, action))
    if target is None:
        raise InvalidApplicationTransition(state=current.value, action=ACTION_WORDS[action])
    return target


def open_key(organization_id: str, state: ApplicationState) -> str | None:
    """The organization id while the application is open, NULL once closed: the unique
    column holds one open application per organization."""
    return organization_id if is_open(state) else None


def text(value: str | None, *, field: str, maximum: int, minimum: int = 1) -> str:
    found = (value or "").strip()
    if not minimum <= len(found) <= maximum:
        raise InvalidApplicationField(field=field, minimum=minimum, maximum=maximum)
    return found


def optional_text(value: str | None, *, field: str, maximum: int) -> str | None:
    found = (value or "").strip()
    if not found:
        return None
    return text(found, field=field, maximum=maximum)


@dataclass(frozen=True)
class ApplicationFields:
    """What a partner gives when it applies, cleaned (issue 7; rules.md §2a: the signer's
    endorsement, PC:enrolling-in-the-csp-program.md: billing anniversary date, tenant
    domain, tax id)."""

    signer_name: str
    signer_email: str
    signer_title: str | None
    managed_service: str | None
    billing_anniversary: date
    tenant_domain: str
    tax_id: str | None
    location_mpn_id: int | None


def clean_application(
    *,
    signer_name: str | None,
    signer_email: str | None,
    signer_title: str | None,
    authority_attested: bool,
    managed_service: str | None,
    billing_anniversary: date,
    tenant_domain: str | None,
    tax_id: str | None,
    location_mpn_id: int | None = None,
) -> ApplicationFields:
    """Every check of the form before anything is written: the signer (name, a company
    address that is not web-mail, optional title) must attest authority; the tenant
    domain is a DNS name (partners.rules)."""
    if not authority_attested:
        raise AuthorityNotAttested()
    return ApplicationFields(
        signer_name=text(signer_name, field="signerName", maximum=256),
        signer_email=normalize_contact_email(signer_email or ""),
        signer_title=optional_text(signer_title, field="signerTitle", maximum=128),
        managed_service=optional_text(managed_service, field="managedService", maximum=4000),
        billing_anniversary=billing_anniversary,
        tenant_domain=normalize_tenant_domain(tenant_domain or ""),
        tax_id=optional_text(tax_id, field="taxId", maximum=64),
        location_mpn_id=location_mpn_id,
    )


IMMUTABLE_AFTER_APPROVAL = {"billingAnniversary", "tenantDomain"}
"""Captured at direct-bill enrollment and never changed (PC:enrolling-in-the-csp-
program.md: the billing anniversary date "cannot be changed", the domain name "cannot be
changed"); the tax id stays updatable."""

EDITABLE_WHILE_OPEN = frozenset({S.SUBMITTED, S.INFO_REQUESTED})


def ensure_changeable(state: ApplicationState, changed: set[str]) -> None:
    """While submitted or waiting for the partner's answer every field may be corrected;
    after approval only the tax id; otherwise nothing."""
    if state in EDITABLE_WHILE_OPEN:
        return
    if state is S.APPROVED:
        for field in sorted(changed & IMMUTABLE_AFTER_APPROVAL):
            raise FieldImmutable(field=field)
        if changed - {"taxId"}:
            raise InvalidApplicationTransition(state=state.value, action="changed")
        return
    if changed:
        raise InvalidApplicationTransition(state=state.value, action="changed")


def clean_reason(reason: str | None) -> str:
    """A rejection states its reason, which the partner reads (1–1024 characters)."""
    found = (reason or "").strip()
    if not found or len(found) > 1024:
        raise RejectionReasonRequired()
    return found


def clean_message(body: str | None) -> str:
    return text(body, field="body", maximum=4000)


def direct_admin_email(signer_email: str, tenant_domain: str) -> str:
    """The signer's Global admin user in the new direct-bill tenant: the tenant domain
    becomes the suffix of new Partner Center users (PC:enrolling-in-the-csp-program.md)."""
    local = signer_email.partition("@")[0]
    return f"{local}@{tenant_domain}"
