"""Errors of the agreements domain. Codes are Partner Center's where it documents one
(600061 for a duplicate attestation; 2000–2206 for the partner-agreement status API,
reference/csp/error-codes.md "Other codes seen only in samples"); otherwise stable
opencsp names."""

from __future__ import annotations

from typing import ClassVar

from opencsp.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied

# --- agreement types, templates and documents --------------------------------------------


class InvalidAgreementType(InvalidInput):
    code: ClassVar[int | str] = "InvalidAgreementType"
    description = "Unknown agreement type: {value}"


class AgreementTypeNotWritable(InvalidInput):
    code: ClassVar[int | str] = "InvalidAgreementType"
    description = "Agreements of type {value} cannot be created here"


class TemplateNotFound(NotFound):
    description = "Agreement template not found"


class InvalidTemplateVersion(InvalidInput):
    code: ClassVar[int | str] = "InvalidTemplateVersion"
    description = "The version must have 1 to {maximum} characters"


class InvalidAgreementLink(InvalidInput):
    code: ClassVar[int | str] = "InvalidAgreementLink"
    description = "The agreement link must be an http or https address of at most 2048 characters"


class UnknownRegion(InvalidInput):
    code: ClassVar[int | str] = "UnknownRegion"
    description = "Unknown CSP region: {region}"


class InvalidLanguage(InvalidInput):
    code: ClassVar[int | str] = "InvalidLanguage"
    description = "Not a language code: {value}"


class DocumentsMissing(InvalidInput):
    code: ClassVar[int | str] = "DocumentsMissing"
    description = "A template needs its document in English and in Korean"


class DuplicateDocumentLanguage(InvalidInput):
    code: ClassVar[int | str] = "DuplicateDocumentLanguage"
    description = "Only one document per language: {language} is given twice"


class InvalidDocument(InvalidInput):
    code: ClassVar[int | str] = "InvalidDocument"
    description = (
        "Each document needs a title of 1 to 256 characters and a text of at most "
        "{maximum} characters"
    )


class TemplateVersionExists(Conflict):
    code: ClassVar[int | str] = "TemplateVersionExists"
    description = "This version of the agreement is already published for this region: {version}"


class TemplateNotForCountry(InvalidInput):
    code: ClassVar[int | str] = "TemplateNotForCountry"
    description = "This agreement template does not apply to the country {country}"


# --- the customer agreement ---------------------------------------------------------------


class InvalidDateAgreed(InvalidInput):
    code: ClassVar[int | str] = "InvalidDateAgreed"
    description = "dateAgreed must be a UTC date or date and time, such as 2018-06-14T00:00:00Z"


class DateAgreedInFuture(InvalidInput):
    code: ClassVar[int | str] = "DateAgreedInFuture"
    description = "The date the customer agreed cannot be in the future"


class InvalidFirstName(InvalidInput):
    code: ClassVar[int | str] = "InvalidFirstName"
    description = "The signer's first name must have 1 to 50 characters"


class InvalidLastName(InvalidInput):
    code: ClassVar[int | str] = "InvalidLastName"
    description = "The signer's last name must have 1 to 50 characters"


class InvalidSignerEmail(InvalidInput):
    code: ClassVar[int | str] = "InvalidSignerEmail"
    description = "Not a valid email address for the signer: {email}"


class InvalidSignerPhone(InvalidInput):
    code: ClassVar[int | str] = "InvalidSignerPhone"
    description = "Not a valid phone number for the signer: {phone}"


class InvalidTemplateId(InvalidInput):
    code: ClassVar[int | str] = "InvalidTemplateId"
    description = (
        "The template {template_id} is not a published customer agreement template "
        "for the customer's region"
    )


class NoCustomerAgreementPublished(Conflict):
    code: ClassVar[int | str] = "NoPublishedAgreement"
    description = "No customer agreement is published for the customer's region yet"


class PartnerConfirmedAgreementAlreadyExists(Conflict):
    """A second partner attestation for the same customer and template
    (PC:developer/confirm-customer-consent-customer-agreement.md; the document shows the
    body but no HTTP status, opencsp answers 409)."""

    code: ClassVar[int | str] = 600061
    description = "A partner confirmed agreement already exists for the customer."


class CustomerAgreementChanged(Conflict):
    code: ClassVar[int | str] = "AgreementChanged"
    description = (
        "A newer version of the customer agreement was published. Read it, then accept again."
    )


class AttestationNotForTier(PermissionDenied):
    description = (
        "Only direct-bill partners and indirect providers can confirm a customer's "
        "acceptance of the customer agreement"
    )


class ConsentRequired(InvalidInput):
    code: ClassVar[int | str] = "ConsentRequired"
    description = "Confirm that you accept the agreement to continue"


# --- the partner agreement ----------------------------------------------------------------


class PartnerAgreementNotForVendor(PermissionDenied):
    description = "Only partners sign the partner agreement"


class LocationPartnerIdRequired(InvalidInput):
    code: ClassVar[int | str] = "LocationPartnerIdRequired"
    description = (
        "An active partner ID of type Location in your country is required to sign the "
        "partner agreement"
    )


class NoPartnerAgreementPublished(Conflict):
    code: ClassVar[int | str] = "NoPublishedAgreement"
    description = "No partner agreement is published for the CSP region {region} yet"


class PartnerAgreementChanged(Conflict):
    code: ClassVar[int | str] = "PartnerAgreementChanged"
    description = (
        "A newer version of the partner agreement was published for this region. "
        "Read it, then sign again."
    )


class PartnerAgreementAlreadySigned(Conflict):
    code: ClassVar[int | str] = "PartnerAgreementAlreadySigned"
    description = (
        "Your organization has already signed the partner agreement for the region {region}"
    )


# --- the partner-agreement status API (PC:developer/verify-indirect-reseller-mpa-status.md)


class ComplianceError(InvalidInput):
    """Every error of the status API answers 400, as in the samples."""


class BothPartnerIdAndTenantId(ComplianceError):
    code: ClassVar[int | str] = 2000
    description = "Both MPN Id and Tenant Id should not be passed."


class PartnerIdNotNumeric(ComplianceError):
    code: ClassVar[int | str] = 2000
    description = "MPN Id must be numeric."


class TenantIdNotGuid(ComplianceError):
    code: ClassVar[int | str] = 2000
    description = "Tenant Id must be a GUID."


class PartnerIdAndTenantIdEmpty(ComplianceError):
    code: ClassVar[int | str] = 2001
    description = "Both MPN Id and Tenant Id cannot be empty."


class PartnerIdInvalid(ComplianceError):
    code: ClassVar[int | str] = 2200
    description = "MPN Id {mpn_id} is not valid or was not found in the program."


class RegionMismatch(ComplianceError):
    code: ClassVar[int | str] = 2201
    description = "The reseller's CSP region doesn't match the CSP region of your account."


class PartnerIdNotSigned(ComplianceError):
    code: ClassVar[int | str] = 2203
    description = (
        "MPN Id {mpn_id} has not signed the partner agreement for the CSP region {region}."
    )


class PartnerIdNotReseller(ComplianceError):
    code: ClassVar[int | str] = 2204
    description = (
        "Requested MPN Id {mpn_id} is not associated with any CSP Indirect Reseller account. "
        "Please advise your reseller to enroll into the CSP program as an indirect reseller "
        "to be compliant."
    )


class TenantNotFound(ComplianceError):
    code: ClassVar[int | str] = 2205
    description = "Could not find an account with Tenant Id {tenant_id}."


class TenantNotSigned(ComplianceError):
    code: ClassVar[int | str] = 2206
    description = "The account associated to Tenant Id {tenant_id} hasn't signed the agreement."
