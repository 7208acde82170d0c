"""Errors of the subscriptions domain, with Partner Center's codes where documented
(PC:developer/error-codes.md; reference/csp/error-codes.md). Where no code is documented
the code is a stable opencsp name."""

from __future__ import annotations

from typing import ClassVar

from opencsp.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied

# --- lifecycle ------------------------------------------------------------------------------


class InvalidTransition(Conflict):
    """The lifecycle table has no such move (rules.md §9e). Partner Center's nearest row,
    ``800040`` "Asset status can't be changed to {0} from {1}", is a 400; a move the
    current state forbids is a conflict with that state, so this is a 409 of our own."""

    code: ClassVar[int | str] = "InvalidSubscriptionTransition"
    description = "A subscription that is {status} can't be changed by '{action}'"


class SubscriptionNotActive(InvalidInput):
    code: ClassVar[int | str] = 800012
    description = "This subscription isn't an active subscription"


class SubscriptionSuspended(InvalidInput):
    code: ClassVar[int | str] = 800091
    description = "Can't update a subscription with suspended status"


class RenewalPending(Conflict):
    """Updates while a renewal is being processed answer 409; retry after 2 minutes
    (rules.md §9d, PC:create-a-new-subscription.md)."""

    code: ClassVar[int | str] = 800082
    description = "Subscription is not ready to be updated. Try again after sometime"


class TooManyUpdates(InvalidInput):
    code: ClassVar[int | str] = 900311
    description = (
        "This subscription has been updated too many times. Please contact partner support "
        "if you need to make more updates on this subscription."
    )


# --- windows ----------------------------------------------------------------------------


class CancellationWindowPassed(InvalidInput):
    code: ClassVar[int | str] = 900117
    description = (
        "You have passed your {days}-day cancellation window. We are unable to cancel your purchase"
    )


class NoCancellationWindowAfterUpgrade(CancellationWindowPassed):
    """An upgraded subscription has no cancellation window until its next renewal
    (rules.md §9f). Same code as the window passing, so clients keyed on 900117 work."""

    description = (
        "There is no cancellation window after an upgrade. We are unable to cancel your purchase"
    )


class SeatReductionWindowPassed(InvalidInput):
    code: ClassVar[int | str] = 900257
    description = "You have passed your {days}-day window for reducing seats for this subscription."


class QuantityNotDecreasable(InvalidInput):
    code: ClassVar[int | str] = 800090
    description = "Subscription quantity can't be decreased"


class QuantityNotChangeable(InvalidInput):
    code: ClassVar[int | str] = 800095
    description = "Can't update the seat quantity for this subscription"


class StatusNotChangeable(InvalidInput):
    code: ClassVar[int | str] = 800096
    description = "Can't update the status for this subscription"


# --- custom term end dates (rules.md §9f coterminosity) ------------------------------------


class CustomEndNotMatching(InvalidInput):
    """At purchase: the date is no valid coterm date (PC 900242)."""

    code: ClassVar[int | str] = 900242
    description = (
        "The custom term end date specified for line item {line_item} does not match with the "
        "end date of any active non-trial OnlineServicesNCE subscription or align with the end "
        "of the calendar month. Partners should select a new custom term end date."
    )


class CustomEndOnlyForNce(InvalidInput):
    code: ClassVar[int | str] = 900244
    description = (
        "The custom term end date specified on the scheduled next term instructions is only "
        "valid for OnlineServicesNCE products."
    )


class ScheduledCustomEndOutOfTerm(InvalidInput):
    code: ClassVar[int | str] = 900245
    description = (
        "The custom term end date specified on the scheduled next term instructions must be "
        "within the first term duration after renewal. Also monthly term products cannot align "
        "with a subscription ending on the 28th, 29th, or 30th of the month, unless that date "
        "is the last day of the month."
    )


class ScheduledCustomEndNotMatching(InvalidInput):
    code: ClassVar[int | str] = 900246
    description = (
        "The custom term end date specified on the scheduled next term instructions does not "
        "match with the end date of any active non-trial OnlineServicesNCE subscription or "
        "align with the end of the calendar month."
    )


class MigrationCustomEndOutOfTerm(InvalidInput):
    code: ClassVar[int | str] = 900291
    description = (
        "The custom term end date specified for the migration must be within the first term "
        "duration. Also, monthly term products cannot align with a subscription ending on the "
        "28th, 29th, or 30th of the month, unless that date is the last day of the month."
    )


class MigrationCustomEndNotMatching(InvalidInput):
    code: ClassVar[int | str] = 900292
    description = (
        "The custom term end date specified for the migration does not match with the end date "
        "of any active non-trial OnlineServicesNCE subscription or align with the end of the "
        "calendar month."
    )


# --- upgrades and term changes (rules.md §9f) ------------------------------------------------


class UpgradeNotSupported(InvalidInput):
    """No documented code: upgrades go to a higher SKU only (rules.md §9f)."""

    code: ClassVar[int | str] = "UpgradeNotSupported"
    description = "{target} is not an upgrade of {source}: only higher SKUs are supported"


class UpgradeQuantityInvalid(InvalidInput):
    code: ClassVar[int | str] = "UpgradeQuantityInvalid"
    description = "An upgrade moves between 1 and {available} seats, not {quantity}"


class TargetNotActive(InvalidInput):
    code: ClassVar[int | str] = 900258
    description = (
        "The target transition ToSubscriptionId field is invalid. Target subscription must be "
        "active."
    )


class TargetIsSource(InvalidInput):
    code: ClassVar[int | str] = 900259
    description = (
        "The target transition ToSubscriptionId field is invalid. Target subscription id can't "
        "be the same as the source subscription ID."
    )


class TargetEndsEarlier(InvalidInput):
    code: ClassVar[int | str] = 900236
    description = (
        "The target transition ToSubscriptionId field is invalid. Target subscription "
        "CommitmentEndDate must be later than source subscription"
    )


class TargetCatalogItemMismatch(InvalidInput):
    code: ClassVar[int | str] = 900260
    description = (
        "The target transition ToSubscriptionId field is invalid. Target subscription must have "
        "the same CatalogItemId as in the transition request."
    )


class TargetNotReady(InvalidInput):
    code: ClassVar[int | str] = 900261
    description = (
        "The target transition ToSubscriptionId field is invalid. The target subscription is "
        "not ready to be upgraded. Please try again after sometime."
    )


class TransitionTermShorter(InvalidInput):
    code: ClassVar[int | str] = 900267
    description = (
        "Target transition can't have a term duration shorter than that of the source subscription."
    )


class TransitionTermInvalid(InvalidInput):
    code: ClassVar[int | str] = 900268
    description = "The term duration on the target transition is invalid."


class TermShorter(InvalidInput):
    code: ClassVar[int | str] = 800122
    description = "The target term duration cannot be shorter than the current term duration."


class BillingCycleLongerThanTerm(InvalidInput):
    code: ClassVar[int | str] = 900270
    description = "The billing cycle cannot be longer than the term."


class TrialTermChange(InvalidInput):
    code: ClassVar[int | str] = 800107
    description = "Term changes are not supported for trial offers."


class BillingCycleNotChangeable(InvalidInput):
    code: ClassVar[int | str] = 800097
    description = "Can't update the billing cycle for this subscription"


# --- trials and scheduled instructions (rules.md §9f, §9g) ---------------------------------


class TrialConversionBelowMinimum(InvalidInput):
    code: ClassVar[int | str] = "TrialConversionBelowMinimum"
    description = (
        "A trial converted before it ends keeps at least {minimum} seats; schedule the "
        "conversion to convert fewer"
    )


class TrialConversionTargetEndsEarly(InvalidInput):
    code: ClassVar[int | str] = "TrialConversionTargetEndsEarly"
    description = "The subscription converted into must end on or after the trial end {trial_end}"


class SchedulingNotAllowed(InvalidInput):
    """Scheduled next-term changes need an active subscription with auto-renew on
    (rules.md §9f); no documented code."""

    code: ClassVar[int | str] = "ScheduledChangesNotAllowed"
    description = (
        "Scheduled changes need an active subscription with auto-renew on; this one is "
        "{status} with auto-renew {auto_renew}"
    )


# --- reading and updating a subscription (helper B: queries/service/upgrades) -------------------


class SubscriptionNotFound(NotFound):
    """Absent, or not visible to the caller (PC:developer/error-codes.md 20003)."""

    code: ClassVar[int | str] = 20003
    description = "Subscription not found."


class SubscriptionDeleted(InvalidInput):
    code: ClassVar[int | str] = 2011
    description = "Subscription with ID {subscription_id} and deleted status can't be updated."


class SubscriptionNotActivated(InvalidInput):
    code: ClassVar[int | str] = 800081
    description = "Can't update a subscription before activating it"


class QuantityWhileSuspending(InvalidInput):
    code: ClassVar[int | str] = 2001
    description = (
        "Subscription quantity can't be increased or decreased while subscription is being "
        "suspended"
    )


class QuantityOutsideRange(InvalidInput):
    code: ClassVar[int | str] = 2002
    description = (
        "Subscription quantity isn't within minimum and maximum allowed quantity "
        "({minimum}..{maximum})"
    )


class PartnerOnRecordNotChangeable(InvalidInput):
    code: ClassVar[int | str] = 800098
    description = "Can't update the partner on record for this subscription"


class ReadOnlyForReseller(PermissionDenied):
    """The indirect reseller of record sees its customers' subscriptions but changes
    them through its provider (rules.md §1, §6.4): 900150 like any missing right."""

    description = (
        "The indirect reseller of record can read this subscription; its provider manages it"
    )
