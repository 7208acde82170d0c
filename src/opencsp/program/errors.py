"""Errors of the program domain (issue 7). Partner Center documents no codes for the
vendor's program operations, so codes are stable opencsp names. Helpers append their
sections at the end."""

from __future__ import annotations

from typing import ClassVar

from opencsp.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied

# --- direct-bill applications and evidence (issue 7, task G) ----------------------------


class ApplicationNotFound(NotFound):
    description = "Direct-bill application not found"


class ApplicationAlreadyOpen(Conflict):
    """One open application per organization (``program_applications.open_key``)."""

    code: ClassVar[int | str] = "DirectBillApplicationOpen"
    description = (
        "Your organization already has an open direct-bill application ({application_id}); "
        "answer or withdraw it before applying again"
    )


class ApplicantNotEligibleToApply(InvalidInput):
    code: ClassVar[int | str] = "DirectBillApplicantInvalid"
    description = (
        "Only an active indirect reseller's Global admin can apply for the direct-bill tier"
    )


class AuthorityNotAttested(InvalidInput):
    """rules.md §2a "Endorsement": the signer attests authority to sign for the company."""

    code: ClassVar[int | str] = "AuthorityNotAttested"
    description = (
        "The signer must attest to having the authority to accept and sign legal agreements "
        "for the organization"
    )


class InvalidApplicationField(InvalidInput):
    code: ClassVar[int | str] = "InvalidField"
    description = "{field} must have {minimum} to {maximum} characters"


class InvalidApplicationTransition(Conflict):
    """A step the application's state does not allow (``program.rules.TRANSITIONS``)."""

    code: ClassVar[int | str] = "InvalidApplicationState"
    description = "The application is {state}: it cannot be {action}"


class NotEligibleForDirectBill(Conflict):
    """Approval needs every required requirement met (rules.md §2a)."""

    code: ClassVar[int | str] = "DirectBillRequirementsNotMet"
    description = "The partner does not meet the direct-bill requirements: {unmet} not met"


class AssessmentTooEarly(Conflict):
    """The third-party assessment is scheduled after revenue and tenure are confirmed
    (rules.md §2a "Capabilities")."""

    code: ClassVar[int | str] = "AssessmentBeforeRevenueAndTenure"
    description = (
        "The assessment is scheduled after revenue and tenure are confirmed: {unmet} not met"
    )


class RejectionReasonRequired(InvalidInput):
    code: ClassVar[int | str] = "RejectionReasonRequired"
    description = "A rejection needs a reason of 1 to 1024 characters"


class FieldImmutable(Conflict):
    """The billing anniversary date and the tenant domain cannot change once the
    direct-bill enrollment is approved (PC:enrolling-in-the-csp-program.md, rules.md §2a)."""

    code: ClassVar[int | str] = "DirectBillFieldImmutable"
    description = "{field} cannot be changed after the direct-bill enrollment is approved"


class LinkTargetInvalid(Conflict):
    """Approval may link an existing organization only if it is a direct-bill-tier
    organization of its own (not the applicant) with no customers yet."""

    code: ClassVar[int | str] = "DirectBillLinkInvalid"
    description = "Organization {organization_id} cannot be linked: {reason}"


class NewTenantRequired(Conflict):
    """A partner that transitioned from direct bill to indirect reseller must use a new
    tenant to reapply (rules.md §2d, PC:transition-direct-to-indirect.md)."""

    code: ClassVar[int | str] = "DirectBillNewTenantRequired"
    description = (
        "Organization {organization_id} transitioned from direct bill to indirect reseller; "
        "the direct-bill tier needs a new tenant"
    )


class InvalidEvidence(InvalidInput):
    code: ClassVar[int | str] = "InvalidEvidence"
    description = "{detail}"


# --- tier transitions: direct bill → indirect reseller (issue 7, task I) ------------------


class TransitionNotFound(NotFound):
    description = "Tier transition not found"


class TransitionNeedsGlobalAdmin(PermissionDenied):
    """Only a Global admin acts for the partner in its transition (the partner agreement
    and partnerships are a Global admin's, rules.md §1.6, §6.2)."""

    description = "Only a Global admin of the partner can take this step of its transition"


class TransitionNotDirectBill(Conflict):
    """Only a direct-bill partner transitions to indirect reseller (rules.md §2d)."""

    code: ClassVar[int | str] = "TransitionNotDirectBill"
    description = "Only a direct-bill partner can transition to indirect reseller"


class TransitionAlreadyOpen(Conflict):
    """One open transition per organization (``program_transitions.open_key``)."""

    code: ClassVar[int | str] = "TransitionAlreadyOpen"
    description = (
        "Your organization already has an open transition to indirect reseller ({transition_id})"
    )


class TransitionBlocked(Conflict):
    """Something under way forbids the transition: an open direct-bill application, a
    deauthorization, an enrollment or location partner ID that is not active."""

    code: ClassVar[int | str] = "TransitionBlocked"
    description = "The transition to indirect reseller cannot start: {reason}"


class TransitionStepOutOfOrder(Conflict):
    code: ClassVar[int | str] = "TransitionStepOutOfOrder"
    description = "The transition is {state}: {step} is not possible now"


class TransitionClosed(Conflict):
    code: ClassVar[int | str] = "TransitionClosed"
    description = "The transition is {state}: it can no longer change"


class TransitionReasonRequired(InvalidInput):
    code: ClassVar[int | str] = "RejectionReasonRequired"
    description = "A rejection needs a reason of 1 to 1024 characters"


class AgreementNotAccepted(Conflict):
    """The partner accepts the indirect reseller agreement before choosing a provider
    (PC:transition-direct-to-indirect.md)."""

    code: ClassVar[int | str] = "TransitionAgreementNotAccepted"
    description = "Accept the indirect reseller agreement first"


class AgreementAlreadyAccepted(Conflict):
    code: ClassVar[int | str] = "TransitionAgreementAccepted"
    description = "The indirect reseller agreement is already accepted for this transition"


class ProviderNotChosen(Conflict):
    code: ClassVar[int | str] = "TransitionProviderNotChosen"
    description = "Choose the indirect provider first: customers consent to move to it"


class ProviderNotEligible(InvalidInput):
    """The provider must be an active indirect provider in good standing; the region
    must match (2201 is raised for that)."""

    code: ClassVar[int | str] = "TransitionProviderNotEligible"
    description = "{name} cannot be chosen: {reason}"


class ConsentSignerRequired(InvalidInput):
    code: ClassVar[int | str] = "ConsentSignerRequired"
    description = "Name who consented for the customer (1 to 256 characters)"


class ConsentDateInvalid(InvalidInput):
    code: ClassVar[int | str] = "ConsentDateInvalid"
    description = "The consent date cannot be in the future"


class CustomersWithoutConsent(Conflict):
    """Every customer the partner holds moves to the provider, so each needs consent
    (rules.md §2d); to leave one out, end its relationship first."""

    code: ClassVar[int | str] = "TransitionConsentMissing"
    description = (
        "{count} customer(s) have no recorded consent to move to the provider: {names}. "
        "Record their consent, or end the relationship with a customer to leave it out"
    )


class TransitionNotDue(Conflict):
    code: ClassVar[int | str] = "TransitionNotDue"
    description = "The switch takes effect in {period}: it cannot happen before"


class LastDirectMonthOpen(Conflict):
    """Completion waits until the bill run closes the last directly billed month, so it
    is billed to the partner and the next one to the provider."""

    code: ClassVar[int | str] = "TransitionBillRunPending"
    description = (
        "The bill run has not closed {period} yet, the last month billed to the partner "
        "directly: the customers move once it is closed"
    )


# --- console form input ------------------------------------------------------------------


class DateUnreadable(InvalidInput):
    code: ClassVar[int | str] = "DateInvalid"
    description = "Enter the date as YYYY-MM-DD"


class ConsentDateUnreadable(InvalidInput):
    code: ClassVar[int | str] = "ConsentDateInvalid"
    description = "Enter the consent date as YYYY-MM-DD"
