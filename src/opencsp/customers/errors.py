"""Errors of the customers domain. Codes are Partner Center's where its error table has
one (PC:developer/error-codes.md: 600002, 600049–600051, 2030, 800039, 900150, 2055);
the rest are stable opencsp names."""

from __future__ import annotations

from typing import ClassVar

from opencsp.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied


class CustomerNotFound(NotFound):
    description = "Customer not found"


# --- who may create customers, and where ------------------------------------------------


class CustomerCreationNotAllowed(PermissionDenied):
    """Only direct-bill partners and indirect providers create customer tenants; an
    indirect reseller asks its provider (PC:transition-direct-to-indirect.md)."""

    description = "Only direct-bill partners and indirect providers can create customers"


class PartnerNotActive(PermissionDenied):
    """The partner's CSP enrollment is not active (PC:developer/error-codes.md 800039)."""

    code: ClassVar[int | str] = 800039
    description = (
        "Reseller program status isn't active: your organization's CSP enrollment "
        "must be active to work with customers"
    )


class ResellerNotActive(PartnerNotActive):
    description = (
        "Reseller program status isn't active: the indirect reseller's CSP enrollment isn't active"
    )


class PartnerNotInMarket(PermissionDenied):
    """A partner sells only in the market of its own location
    (PC:regional-authorization-overview.md; PC:developer/error-codes.md 2030)."""

    code: ClassVar[int | str] = 2030
    description = "Partner isn't onboarded to sell in country/region {country}"


class AssociatedPartnerNotAllowed(PermissionDenied):
    description = (
        "Only an indirect provider can create a customer for an indirect reseller "
        "(associatedPartnerId)"
    )


class ResellerNotInPartnership(NotFound):
    """Unknown, not an indirect reseller, or not in partnership with the caller: all
    alike, so a provider learns nothing about resellers it does not work with."""

    description = "No indirect reseller {reseller_id} is in an active partnership with you"


# --- company name (PC:validate-names-addresses.md) ----------------------------------------


class InvalidCompanyName(InvalidInput):
    code: ClassVar[int | str] = "InvalidCompanyName"
    description = "The company name isn't valid"


class CompanyNameBlank(InvalidCompanyName):
    description = "The company name can't be empty or only spaces and tabs"


class CompanyNameSingleCharacter(InvalidCompanyName):
    description = "The company name must be longer than one character"


class CompanyNameOnlySpecialCharacters(InvalidCompanyName):
    description = "The company name can't consist only of special characters"


class CompanyNameLegalFormOnly(InvalidCompanyName):
    description = "The company name can't be only a legal form such as {name}"


class CompanyNameTooLong(InvalidCompanyName):
    description = "The company name can have at most {maximum} characters"


# --- registration number and phone (PC:developer/create-a-customer.md) -------------------


class RegistrationNumberNotSupported(InvalidInput):
    code: ClassVar[int | str] = 600002
    description = (
        "Organization registration ID value isn't supported: customers in {country} don't give one"
    )


class RegistrationNumberMissing(InvalidInput):
    code: ClassVar[int | str] = 600049
    description = (
        "Organization registration ID information is missing: it is required for "
        "customers in {country}"
    )


class RegistrationNumberInvalid(InvalidInput):
    code: ClassVar[int | str] = 600050
    description = (
        "Organization registration ID information is invalid and should be of the format {format}"
    )


class PhoneNumberMissing(InvalidInput):
    code: ClassVar[int | str] = 600051
    description = (
        "Customer phone number is missing: billingProfile.defaultAddress.phoneNumber is "
        "required for customers in {country}"
    )


# --- email and domain -----------------------------------------------------------------------


class VendorEmailDomain(InvalidInput):
    code: ClassVar[int | str] = "EmailDomainNotAllowed"
    description = "The customer's email can't use the domain {domain}, which is the vendor's"


class PartnerEmailDomain(InvalidInput):
    code: ClassVar[int | str] = "EmailDomainNotAllowed"
    description = "The customer's email can't use the partner's own domain {domain}"


class InvalidDomain(InvalidInput):
    code: ClassVar[int | str] = "InvalidDomain"
    description = (
        "Not a valid default domain: {domain}. Use a name of letters, digits and hyphens "
        "(at most 63), which becomes <name>.{suffix}"
    )


class DomainTaken(Conflict):
    code: ClassVar[int | str] = "DomainTaken"
    description = "The domain {domain} is already in use; choose another name"


# --- address (PC:developer/utility-resources.md, PC:developer/validate-an-address.md) -----


class InvalidAddress(InvalidInput):
    code: ClassVar[int | str] = "InvalidAddress"
    description = "The address isn't valid. Check these fields: {fields}"


class CountryChangeNotAllowed(InvalidInput):
    code: ClassVar[int | str] = "CountryChangeNotAllowed"
    description = (
        "The billing address must stay in the customer's country {country}: the country "
        "on the tenant decides its market"
    )


class InvalidCulture(InvalidInput):
    code: ClassVar[int | str] = "InvalidCulture"
    description = "Culture must look like en-US and language like en"


class InvalidCustomerInput(InvalidInput):
    """A value that cannot even be read (too long, or not an ID where one is expected)."""

    code: ClassVar[int | str] = "InvalidCustomerInput"
    description = "This value isn't valid here: {field}"


# --- listing ---------------------------------------------------------------------------------


class InvalidCustomerFilter(InvalidInput):
    code: ClassVar[int | str] = "InvalidFilter"
    description = 'The filter must be JSON with "Field", "Value" and "Operator"'


class UnsupportedFilterField(InvalidCustomerFilter):
    description = (
        "Customers can't be filtered by {field}: use CompanyName, Domain, IndirectReseller "
        "or IndirectCloudSolutionProvider"
    )


class UnsupportedFilterOperator(InvalidCustomerFilter):
    description = "Only the starts_with operator is supported, not {operator}"


class InvalidTenantIdFilter(InvalidCustomerFilter):
    description = "The value of a {field} filter must be a tenant ID"


# --- updates ---------------------------------------------------------------------------------


class EtagRequired(InvalidInput):
    code: ClassVar[int | str] = "EtagRequired"
    description = (
        "Send the billing profile's ETag (If-Match header or attributes.etag) from a fresh "
        "GET to update it"
    )


class UnsupportedCustomerUpdate(InvalidInput):
    code: ClassVar[int | str] = "UnsupportedCustomerUpdate"
    description = (
        'Only relationshipToPartner "none" can be set on a customer: it removes your '
        "relationship with the customer"
    )


# --- relationship invitations ---------------------------------------------------------------


class IndirectProviderRequired(InvalidInput):
    code: ClassVar[int | str] = "IndirectProviderRequired"
    description = (
        "An indirect reseller's invitation also authorizes its indirect provider: "
        "give indirectCSP, the provider's tenant ID"
    )


class IndirectProviderNotExpected(InvalidInput):
    code: ClassVar[int | str] = "IndirectProviderNotExpected"
    description = "Only an indirect reseller names an indirect provider (indirectCSP)"


class ProviderNotInPartnership(NotFound):
    description = "No indirect provider {provider_id} is in an active partnership with you"


class LocationPartnerIdMissing(PermissionDenied):
    code: ClassVar[int | str] = "LocationPartnerIdMissing"
    description = (
        "Your organization has no active partner ID of type Location for its country, "
        "which an invitation carries"
    )


class InvalidInvitation(NotFound):
    description = "This invitation link isn't valid. Ask your partner for a new one."


class InvitationNotAccepted(InvalidInput):
    code: ClassVar[int | str] = "InvitationNotAccepted"
    description = "Confirm that you authorize the partner before accepting the invitation"


# --- segment qualifications (issue 7, customers.qualifications; rules.md §9a) -------------


class QualificationNotFound(NotFound):
    description = "The customer has no {qualification} qualification"


class InvalidQualification(InvalidInput):
    code: ClassVar[int | str] = "InvalidQualification"
    description = (
        "Unknown qualification {value!r}: use Education, Nonprofit, GovernmentCommunityCloud "
        "or StateOwnedEntity"
    )


class EducationSegmentRequired(InvalidInput):
    code: ClassVar[int | str] = "InvalidEducationSegment"
    description = "An Education qualification needs educationSegment: K12 or HigherEducation"


class EducationSegmentNotExpected(InvalidInput):
    code: ClassVar[int | str] = "InvalidEducationSegment"
    description = (
        "educationSegment is given only with the Education qualification, not {qualification}"
    )


class InvalidQualificationWebsite(InvalidInput):
    code: ClassVar[int | str] = "InvalidWebsite"
    description = "The website must be an http or https address: {website}"


class QualificationAlreadyRequested(Conflict):
    code: ClassVar[int | str] = "QualificationExists"
    description = (
        "The customer's {qualification} qualification is already {status}; it can be "
        "requested again only after a denial"
    )


class QualificationNotInReview(Conflict):
    code: ClassVar[int | str] = "QualificationNotInReview"
    description = "The {qualification} qualification is {status}, not in review: it was decided"


class VettingReasonRequired(InvalidInput):
    code: ClassVar[int | str] = "ReasonRequired"
    description = "Give the reason for the denial: the partner reads it as vettingReason"


class InvalidVettingStatus(InvalidInput):
    code: ClassVar[int | str] = "InvalidVettingStatus"
    description = "Unknown status {value!r}: use InReview, Approved, Denied or all"
