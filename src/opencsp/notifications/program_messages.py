"""What the program's decisions say (issue 7): direct-bill applications and evidence,
tier transitions, provider tier changes and segment qualifications. Same conventions as
``messages.MESSAGES`` (which merges this table): English ids marked with ``N_``,
``str.format`` fields from the notification's params."""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    return message


PROGRAM_MESSAGES: dict[str, tuple[str, str]] = {
    # direct-bill applications (program.applications, program.reviews, program.approval)
    "application_submitted": (
        N_("Direct-bill application submitted"),
        N_("The direct-bill application {applicationId} was submitted for review."),
    ),
    "application_info_requested": (
        N_("More information requested on your direct-bill application"),
        N_(
            "The vendor asks about your direct-bill application: {question} "
            "Answer on the Direct bill page of the console."
        ),
    ),
    "application_note": (
        N_("New message on your direct-bill application"),
        N_("The vendor added a message to your direct-bill application {applicationId}."),
    ),
    "application_answered": (
        N_("A partner answered on its direct-bill application"),
        N_("The applicant answered on direct-bill application {applicationId}."),
    ),
    "application_assessment_scheduled": (
        N_("Third-party assessment scheduled"),
        N_(
            "Your revenue and tenure are confirmed. The third-party assessment of your "
            "billing, provisioning, support and security capabilities is scheduled on "
            "{assessmentOn}."
        ),
    ),
    "application_approved": (
        N_("Direct-bill application approved"),
        N_(
            "Your direct-bill application {applicationId} is approved. Your direct-bill "
            "organization is {directOrganizationId}."
        ),
    ),
    "application_rejected": (
        N_("Direct-bill application rejected"),
        N_("Your direct-bill application {applicationId} was rejected: {reason}"),
    ),
    "application_withdrawn": (
        N_("Direct-bill application withdrawn"),
        N_("The direct-bill application {applicationId} was withdrawn."),
    ),
    "evidence_recorded": (
        N_("The vendor recorded program evidence"),
        N_("The vendor recorded a {kind} for your organization: {outcome}, on {effectiveOn}."),
    ),
    # direct bill -> indirect reseller (program.transitions*)
    "transition_requested": (
        N_("Transition to indirect reseller requested"),
        N_(
            "Your request to move from direct bill to indirect reseller is with the vendor; "
            "it is decided by {approveBy}."
        ),
    ),
    "transition_review": (
        N_("A partner asks to move to indirect reseller"),
        N_("{partnerName} asks to move from direct bill to indirect reseller (by {approveBy})."),
    ),
    "transition_approved": (
        N_("Transition to indirect reseller approved"),
        N_(
            "Your move to indirect reseller is approved. Accept the reseller agreement, "
            "choose your indirect provider and record your customers' consent."
        ),
    ),
    "transition_rejected": (
        N_("Transition to indirect reseller rejected"),
        N_("Your request to move to indirect reseller was rejected: {reason}"),
    ),
    "transition_withdrawn": (
        N_("Transition to indirect reseller withdrawn"),
        N_("The move from direct bill to indirect reseller was withdrawn."),
    ),
    "transition_agreement_accepted": (
        N_("Reseller agreement accepted"),
        N_("The indirect reseller agreement is accepted for your transition."),
    ),
    "transition_provider_chosen": (
        N_("Indirect provider chosen"),
        N_("{providerName} is the indirect provider of the transition to indirect reseller."),
    ),
    "transition_scheduled": (
        N_("Transition to indirect reseller scheduled"),
        N_(
            "The move to indirect reseller takes effect in {effectivePeriod}: from that "
            "month the provider bills the subscriptions. Until then nothing changes."
        ),
    ),
    "transition_switched": (
        N_("Now an indirect reseller"),
        N_(
            "From {effectivePeriod} the organization is an indirect reseller: it buys "
            "through its provider. Customers and subscriptions move once the last direct "
            "month is billed."
        ),
    ),
    "transition_consent_missing": (
        N_("Customers' consent missing"),
        N_("The transition waits for the consent of these customers: {customers}."),
    ),
    "transition_completed": (
        N_("Transition to indirect reseller completed"),
        N_(
            "{customers} customers and {subscriptions} subscriptions moved to the provider "
            "without interruption."
        ),
    ),
    # provider tier changes (program.tier_change)
    "provider_tier_granted": (
        N_("Indirect provider tier granted"),
        N_("Your organization is now an indirect provider."),
    ),
    "provider_tier_revoked": (
        N_("Indirect provider tier revoked"),
        N_(
            "Your organization is no longer an indirect provider: {partnershipsEnded} "
            "partnerships and {customersEnded} customer relationships ended."
        ),
    ),
    "partnership_ended_provider_tier_revoked": (
        N_("Your indirect provider left the program tier"),
        N_(
            "{providerName} is no longer an indirect provider: your partnership with it "
            "ended. Your customers are kept; choose another provider to keep buying."
        ),
    ),
    # segment qualifications (customers.qualifications, partners.qualifications)
    "customer_qualification_requested": (
        N_("Customer qualification requested"),
        N_("{partnerName} asks to qualify {customerName} for {qualification}."),
    ),
    "customer_qualification_approved": (
        N_("Customer qualification approved"),
        N_("{customerName} is qualified for {qualification}."),
    ),
    "customer_qualification_denied": (
        N_("Customer qualification denied"),
        N_("{customerName} was not qualified for {qualification}: {reason}"),
    ),
    "partner_qualification_requested": (
        N_("Partner qualification requested"),
        N_("{partnerName} asks to be qualified for the {segment} segment."),
    ),
    "partner_qualification_approved": (
        N_("Partner qualification approved"),
        N_("Your organization is qualified for the {segment} segment."),
    ),
    "partner_qualification_denied": (
        N_("Partner qualification denied"),
        N_("Your organization was not qualified for the {segment} segment: {reason}"),
    ),
}
