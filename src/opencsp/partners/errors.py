"""Errors of the partners domain: enrollment and its verification, profiles, partner IDs,
the indirect-provider tier and provider–reseller partnerships.

Codes are Partner Center's where it documents one (``3000`` unknown partner ID, ``2201``
region mismatch, ``600049``/``600050`` registration number, ``2055`` stale ETag);
otherwise a stable opencsp name."""

from __future__ import annotations

from typing import ClassVar

from opencsp.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied

# --- look-ups ---------------------------------------------------------------------------


class PartnerNotFound(NotFound):
    description = "Partner not found"


class PartnerIdNotFound(NotFound):
    """``GET /v1/profiles/mpn?mpnId=`` for an unknown or malformed partner ID: 404 with
    code 3000 and this text (PC:developer/get-partner-by-mpn-id.md)."""

    code: ClassVar[int | str] = 3000
    description = "Partner Organization with partner_id {partner_id} could not be found"


class ProfileNotFound(NotFound):
    description = "This organization has no partner profile"


# --- enrollment input -------------------------------------------------------------------


class InvalidField(InvalidInput):
    code: ClassVar[int | str] = "InvalidField"
    description = "{field} must have {minimum} to {maximum} characters"


class WebMailContact(InvalidInput):
    code: ClassVar[int | str] = "WebMailPrimaryContact"
    description = (
        "The primary contact email {email} is a web-mail address; use an address at your "
        "company's own domain"
    )


class RegistrationNumberRequired(InvalidInput):
    code: ClassVar[int | str] = 600049
    description = (
        "Organization registration ID information is missing: partners located in "
        "{country} must give their registration number"
    )


class InvalidRegistrationNumber(InvalidInput):
    code: ClassVar[int | str] = 600050
    description = (
        "Organization registration ID information is invalid: use 1 to 64 letters, digits, "
        "spaces, hyphens, slashes or dots"
    )


class InvalidTenantDomain(InvalidInput):
    code: ClassVar[int | str] = "InvalidTenantDomain"
    description = (
        "Not a valid tenant domain: {domain}. Use a domain name such as contoso.example, "
        "made of letters, digits and hyphens"
    )


class TenantDomainTaken(Conflict):
    code: ClassVar[int | str] = "TenantDomainTaken"
    description = "The tenant domain {domain} is already in use"


class TenantDomainImmutable(InvalidInput):
    code: ClassVar[int | str] = "TenantDomainImmutable"
    description = "The tenant domain cannot be changed once the enrollment is active"


class CountryImmutable(InvalidInput):
    code: ClassVar[int | str] = "CountryImmutable"
    description = (
        "The country of the legal business profile cannot be changed: it decides the "
        "partner's market and its location partner ID"
    )


class CountryNotSupported(InvalidInput):
    code: ClassVar[int | str] = "CountryNotInMarket"
    description = "The country or region {country} is not in any CSP market"


class EtagRequired(InvalidInput):
    code: ClassVar[int | str] = "EtagRequired"
    description = (
        "Send the profile's ETag (If-Match header or attributes.etag) to update it, so "
        "that a change made meanwhile is not overwritten"
    )


# --- enrollment states ------------------------------------------------------------------


class InvalidEnrollmentTransition(Conflict):
    code: ClassVar[int | str] = "InvalidEnrollmentTransition"
    description = "The enrollment is not in a state that allows this step"


class VerificationNeedsSubmitted(InvalidEnrollmentTransition):
    description = "Only a submitted enrollment can be taken into verification"


class ApprovalNeedsVerifying(InvalidEnrollmentTransition):
    description = "Only an enrollment in verification can be approved"


class RejectionNeedsOpen(InvalidEnrollmentTransition):
    description = "Only a submitted enrollment or one in verification can be rejected"


class ResubmissionNeedsRejected(InvalidEnrollmentTransition):
    description = "Only a rejected enrollment can be submitted again"


class RejectionReasonRequired(InvalidInput):
    code: ClassVar[int | str] = "RejectionReasonRequired"
    description = "Give the reason for rejecting the enrollment (1 to 1024 characters)"


class LocationPartnerIdMissing(InvalidInput):
    code: ClassVar[int | str] = "LocationPartnerIdMissing"
    description = (
        "The partner has no partner ID of type Location in its own country, which the "
        "program requires"
    )


# --- provider tier ----------------------------------------------------------------------


class ProviderTierNotGrantable(Conflict):
    code: ClassVar[int | str] = "ProviderTierNotGrantable"
    description = "The indirect provider tier cannot be granted to this organization"


class VendorHasNoTier(ProviderTierNotGrantable):
    description = "The vendor runs the program and cannot be granted a partner tier"


class AlreadyProvider(ProviderTierNotGrantable):
    description = "{name} is already an indirect provider"


class NotAResellerForTier(ProviderTierNotGrantable):
    description = "Only an indirect reseller can be granted the indirect provider tier"


class EnrollmentNotActive(ProviderTierNotGrantable):
    description = "The enrollment of {name} is not active: verify and approve it first"


class StillResellerOfProviders(ProviderTierNotGrantable):
    description = (
        "{name} is still the indirect reseller of {count} provider(s); end those partnerships first"
    )


# --- partnerships -----------------------------------------------------------------------


class RegionMismatch(InvalidInput):
    """Provider and reseller must be in the same CSP region (code 2201,
    PC:developer/verify-indirect-reseller-mpa-status.md)."""

    code: ClassVar[int | str] = 2201
    description = "Reseller CSP region doesn't match provider's region"


class GlobalAdminRequired(PermissionDenied):
    description = "Only a Global admin can manage partnerships with other partners"


class NotAProvider(PermissionDenied):
    description = "Only an indirect provider can request a partnership with an indirect reseller"


class NotAnActiveReseller(InvalidInput):
    code: ClassVar[int | str] = "NotAnActiveReseller"
    description = (
        "Only an active indirect reseller can authorize an indirect provider: the "
        "enrollment must be verified and approved first"
    )


class ProviderNoLongerProvider(InvalidInput):
    code: ClassVar[int | str] = "ProviderNoLongerProvider"
    description = "The organization that sent this link is no longer an indirect provider"


class PartnershipRequestNotFound(NotFound):
    description = "This partnership link is not valid: it was used, revoked or has expired"


class PartnershipRequestUsed(Conflict):
    code: ClassVar[int | str] = "PartnershipRequestUsed"
    description = "This partnership link was already accepted and can no longer be revoked"


class PartnershipExists(Conflict):
    code: ClassVar[int | str] = "PartnershipExists"
    description = "{provider} is already an indirect provider of {reseller}"


class PartnershipNotFound(NotFound):
    description = "Partnership not found"


class InvalidRelationshipType(InvalidInput):
    code: ClassVar[int | str] = "InvalidRelationshipType"
    description = (
        "relationship_type must be IsIndirectCloudSolutionProviderOf or IsIndirectResellerOf"
    )


class AuthorizationNotConfirmed(InvalidInput):
    code: ClassVar[int | str] = "AuthorizationNotConfirmed"
    description = "Tick the box to confirm that you authorize this indirect provider"


# --- standing: restricted and deauthorized partners (partners.standing; issue 7, task H) -----
# PC:restricted-direct-bill-capabilities.md (rules.md §2c) documents what is blocked but no
# error code: these carry stable opencsp names, "PartnerRestricted" like the checkout's
# ``orders.errors.BuyerRestricted``.


class PartnerRestricted(PermissionDenied):
    """A restricted direct-bill partner keeps its subscriptions (they renew, seats can
    change) but starts nothing new (rules.md §2c)."""

    code: ClassVar[int | str] = "PartnerRestricted"
    description = (
        "Your CSP status is restricted: this is blocked; existing subscriptions keep "
        "renewing and their seats can still change"
    )


class CustomerCreationRestricted(PartnerRestricted):
    description = "Your CSP status is restricted: you can't create customer tenants"


class RelationshipInvitationRestricted(PartnerRestricted):
    description = (
        "Your CSP status is restricted: you can't generate reseller relationship invitations"
    )


class PartnershipInvitationRestricted(PartnerRestricted):
    description = "Your CSP status is restricted: you can't invite indirect resellers"


class PartnerDeauthorized(PermissionDenied):
    """A reseller deauthorized under the revenue floor cannot transact (rules.md §3.4)."""

    code: ClassVar[int | str] = "PartnerDeauthorized"
    description = (
        "Your CSP authorization was ended (deauthorized): you can't transact, add "
        "customers or invite partners; you may enroll again on or after {reenroll_after}"
    )


class ReenrollmentTooEarly(PermissionDenied):
    """A deauthorized reseller must wait at least one year before enrolling again
    (rules.md §3.4, PC:new-indirect-reseller-requirement.md)."""

    code: ClassVar[int | str] = "ReenrollmentTooEarly"
    description = (
        "This tenant was deauthorized on {deauthorized_on}: it can enroll again on or after "
        "{reenroll_after}"
    )


class PartnerInGoodStanding(NotFound):
    """Lifting needs a restriction: a partner in good standing has nothing to lift."""

    description = "This partner is not restricted"


class DeauthorizationNotLiftable(Conflict):
    """A deauthorization ends by re-enrolling after the waiting year, not by lifting."""

    code: ClassVar[int | str] = "DeauthorizationNotLiftable"
    description = (
        "A deauthorized partner can't be lifted: it enrolls again on or after {reenroll_after}"
    )


class StandingReasonRequired(InvalidInput):
    code: ClassVar[int | str] = "StandingReasonRequired"
    description = "Give the reason (1 to 1024 characters)"


# --- segment qualifications and tier changes (issue 7: partners.qualifications,
# program.tier_change) ------------------------------------------------------------------


class PartnerQualificationNotFound(NotFound):
    description = "The partner has no {segment} qualification"


class UnknownPartnerSegment(InvalidInput):
    code: ClassVar[int | str] = "InvalidSegment"
    description = (
        "A partner qualifies only for the government segment (Azure Government and GCC, "
        "rules.md §9a), not {segment!r}; education and nonprofit qualify the customer"
    )


class PartnerQualificationExists(Conflict):
    code: ClassVar[int | str] = "QualificationExists"
    description = (
        "The {segment} qualification is already {status}; it can be requested again only "
        "after a denial"
    )


class PartnerQualificationNotInReview(Conflict):
    code: ClassVar[int | str] = "QualificationNotInReview"
    description = "The {segment} qualification is {status}, not in review: it was decided"


class QualificationReasonRequired(InvalidInput):
    code: ClassVar[int | str] = "ReasonRequired"
    description = "Give the reason for the denial: the partner reads it"


class UnknownTargetTier(InvalidInput):
    code: ClassVar[int | str] = "InvalidTier"
    description = "The tier must be indirect_provider or indirect_reseller, not {tier!r}"


class TierUnchanged(Conflict):
    code: ClassVar[int | str] = "TierUnchanged"
    description = "{name} is already an {tier}"


class NotAProviderForRevoke(Conflict):
    code: ClassVar[int | str] = "NotAnIndirectProvider"
    description = "{name} is not an indirect provider: there is no provider tier to revoke"


class ProviderStillBillsSubscriptions(Conflict):
    """Revoking the provider tier would leave subscriptions without anyone to bill: the
    vendor moves them to another provider or they end first."""

    code: ClassVar[int | str] = "ProviderHasActiveSubscriptions"
    description = (
        "{name} is still bill-to for {count} active subscription(s); move them to another "
        "provider or end them before revoking the indirect provider tier"
    )


class TierPreviewRequired(InvalidInput):
    code: ClassVar[int | str] = "PreviewRequired"
    description = "Preview the tier change first and confirm with its fingerprint"


class TierPreviewStale(Conflict):
    code: ClassVar[int | str] = "PreviewStale"
    description = (
        "What the tier change affects has changed since the preview was shown; preview "
        "it again and confirm what you see"
    )
