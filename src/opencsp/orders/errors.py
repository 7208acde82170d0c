"""Errors of ordering: cart lines, the checkout gates and orders.

Codes are Partner Center's where it documents one (PC:developer/error-codes.md, copied in
``reference/csp/error-codes.md``): 13605 customer agreement, 2030 market, 400019
availability, 900275 quantity, 800088 / 800089 pooled seat and asset limits, 400041
add-on prerequisite, 800015 / 800016 / 2072 / 900123 partner of record, 900124 the buyer's
own partner agreement, 900203 attestation, 20000 order not found. Otherwise a stable
opencsp name.

``cart_code`` is the ``CartErrorCode`` the same failure shows as on a cart line
(``lineItems[].error.errorCode``, PC:developer/cart-resources.md): 10015 for seat limits,
10012 for attestation, 10001 for a catalog item, 10010 for any other input.
"""

from __future__ import annotations

from typing import Any, ClassVar

from opencsp.catalog.errors import AvailabilityNotFound
from opencsp.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from opencsp.customers.errors import PartnerNotActive, PartnerNotInMarket

CART_INVALID_INPUT = 10010
CART_CATALOG_ITEM_NOT_VALID = 10001
CART_ATTESTATION_NOT_ACCEPTED = 10012
CART_MAX_SEATS_EXCEEDED = 10015
CART_UNABLE_TO_PROCESS = 10006


class OrderError(DomainError):
    """Base of the errors a checkout gate raises; ``cart_code`` places it on a cart line."""

    cart_code: ClassVar[int] = CART_INVALID_INPUT


# --- the buyer -------------------------------------------------------------------------


class BuyerNotAllowed(PermissionDenied, OrderError):
    """Only direct-bill partners and indirect providers purchase; an indirect reseller
    asks its provider (PC:create-a-new-subscription.md, PC:transition-direct-to-indirect.md)."""

    code: ClassVar[int | str] = "PurchaseNotAllowed"
    description = (
        "Only direct-bill partners and indirect providers can purchase; an indirect "
        "reseller asks its provider to place the order"
    )


class BuyerNotActive(PartnerNotActive, OrderError):
    """800039: the buyer's own CSP enrollment is not active."""

    description = (
        "Reseller program status isn't active: your organization's CSP enrollment must be "
        "active to purchase"
    )


class BuyerRestricted(PermissionDenied, OrderError):
    """A restricted direct-bill partner makes no new purchases, add-ons or one-time
    purchases; existing subscriptions still renew (PC:restricted-direct-bill-capabilities.md)."""

    code: ClassVar[int | str] = "PartnerRestricted"
    description = (
        "Your CSP status is restricted: new purchases, add-ons and one-time purchases are "
        "blocked; existing subscriptions keep renewing"
    )


class BuyerAgreementMissing(PermissionDenied, OrderError):
    """900124, verbatim up to its two links (rules.md §1.6)."""

    code: ClassVar[int | str] = 900124
    description = (
        "Your company hasn't accepted the Microsoft Partner Agreement (MPA). The global "
        "admin of the CSP account must accept the MPA to resume the full transactional "
        "capabilities"
    )


class CustomerAgreementMissing(PermissionDenied, OrderError):
    """13605, verbatim (rules.md §5.1)."""

    code: ClassVar[int | str] = 13605
    description = (
        "Either a partner confirmation of the customer acceptance of the Microsoft Customer "
        "Agreement must be provided or the customer must accept the Microsoft Customer "
        "Agreement in the Microsoft Admin Center before you can complete this purchase"
    )


# --- the offer -------------------------------------------------------------------------


class AvailabilityNotPurchasable(AvailabilityNotFound, OrderError):
    """400019: gone, past its end of sale, or not sold in the customer's country — the
    client re-reads the catalog and retries (PC:developer/error-codes.md)."""

    cart_code: ClassVar[int] = CART_CATALOG_ITEM_NOT_VALID
    description = (
        "Availability not found for catalog item {catalog_item_id}. Get the current "
        "availability ID and check out again"
    )


class TermNotOffered(InvalidInput, OrderError):
    """800121: the availability is not sold on this term."""

    code: ClassVar[int | str] = 800121
    description = "The term duration provided is invalid: {catalog_item_id} isn't sold on {term}"


class BillingCycleNotOffered(InvalidInput, OrderError):
    """900269: the availability sells the term, but not on this billing cycle."""

    code: ClassVar[int | str] = 900269
    description = "The billing cycle is invalid: {catalog_item_id} on {term} isn't billed {plan}"


class QuantityOutOfRange(InvalidInput, OrderError):
    """900275 (the order-line form of 2002): outside the offer's minimum and maximum."""

    code: ClassVar[int | str] = 900275
    description = (
        "The requested quantity for line item {line} is not within the allowed quantity for "
        "this offer ({minimum} to {maximum})"
    )


class QuantityAboveMaximum(QuantityOutOfRange):
    cart_code: ClassVar[int] = CART_MAX_SEATS_EXCEEDED


class AssetLimitExceeded(PermissionDenied, OrderError):
    """800089: the offer's asset-ownership limit (subscriptions per customer) is reached."""

    code: ClassVar[int | str] = 800089
    cart_code: ClassVar[int] = 10002  # QuotaNotAvailable
    description = (
        "The requested number of {requested} asset/s exceeded the remaining limit of "
        "{available} assets allowed per customer"
    )


class AddonPrerequisiteMissing(InvalidInput, OrderError):
    """400041 (PC:new-commerce-add-ons.md)."""

    code: ClassVar[int | str] = 400041
    description = "The addon is not purchasable without a compatible base product"


class AttestationRequired(InvalidInput, OrderError):
    """900203 (cart 10012), verbatim."""

    code: ClassVar[int | str] = 900203
    cart_code: ClassVar[int] = CART_ATTESTATION_NOT_ACCEPTED
    description = "CatalogItemId: {catalog_item_id} requires attestation acceptance."


# --- the partner of record -------------------------------------------------------------


class PartnerIdNotFound(NotFound, OrderError):
    """800015."""

    code: ClassVar[int | str] = 800015
    description = "PartnerID isn't found: {partner_id}"


class NotAValidIndirectReseller(InvalidInput, OrderError):
    """800016: not an active indirect reseller in partnership with the buyer."""

    code: ClassVar[int | str] = 800016
    description = "PartnerID isn't a valid Indirect Reseller: {partner_id}"


class OwnPartnerIdOnRecord(NotFound, OrderError):
    """2072: the buyer's own partner ID is never the partner of record."""

    code: ClassVar[int | str] = 2072
    description = "PartnerID of Indirect Provider isn't valid as Partner On Record"


class ResellerAgreementMissing(PermissionDenied, OrderError):
    """900123: the reseller has not signed the partner agreement for its region
    (rules.md §1.6: before a provider associates it with a new subscription)."""

    code: ClassVar[int | str] = 900123
    description = "Microsoft Partner Agreement hasn't been accepted by the indirect reseller"


# --- the whole checkout ----------------------------------------------------------------


class CheckoutRejected(InvalidInput):
    """800009 "Error in Cart item(s)": nothing was bought; every failing line is in
    ``data`` as ``{lineItemNumber, errorCode, errorDescription[, additionalInformation]}``."""

    code: ClassVar[int | str] = 800009
    description = "Error in Cart item(s)"

    def __init__(self, line_errors: list[dict[str, Any]]) -> None:
        super().__init__(data=line_errors)


class OrderNotFound(NotFound):
    code: ClassVar[int | str] = 20000
    description = "Order ID not found"


class InvalidOrderTransition(InvalidInput):
    code: ClassVar[int | str] = 800061
    description = "Order can't be {target}: it is {current}"


class CustomerOutOfMarket(PartnerNotInMarket, OrderError):
    """2030: the customer's tenant country is not in a market the buyer sells in."""


# --- carts, checkout and order requests (added with the checkout service) ----------------


class CartNotFound(NotFound):
    """800008: no such cart of this customer for this partner, or it expired (a cart
    lives 7 days, the ``expirationTimestamp`` of PC:developer/create-a-cart.md)."""

    code: ClassVar[int | str] = 800008
    description = "Unable to retrieve cart ID {cart_id}"


class CartAlreadySubmitted(InvalidInput):
    """800065: the cart was checked out already; it made one order, ``orderId``."""

    code: ClassVar[int | str] = 800065
    description = "Can't check out an already submitted cart {cart_id}."


class CartBeingProcessed(Conflict):
    """800064 (409): another request is checking out or changing the cart right now."""

    code: ClassVar[int | str] = 800064
    description = "Cart {cart_id} is being processed by another request"


class OrderRequestNotFound(NotFound):
    description = "Order request not found"


class OrderRequestNotOpen(Conflict):
    """An order request is handled once: converted to a cart or declined."""

    code: ClassVar[int | str] = "OrderRequestNotOpen"
    description = "The order request is {status}; only an open request can be {action}"


class NoProviderForCustomer(InvalidInput):
    """A reseller asks the provider it sells the customer through; there is none."""

    code: ClassVar[int | str] = "NoProviderForCustomer"
    description = "No indirect provider sells to this customer with you"


# --- cancelling software purchases (PATCH order, orders.cancellation) --------------------


class OrderPatchNotSupported(InvalidInput):
    """800042: an order PATCH here only cancels software purchases (``status``
    ``cancelled``, PC:developer/cancel-software-purchases.md); the legacy billing-cycle and
    add-on PATCHes are not offered."""

    code: ClassVar[int | str] = 800042
    description = (
        'Not supported: an order PATCH cancels software purchases only; send status "cancelled"'
    )


class OrderCancelledByReseller(PermissionDenied):
    """The indirect reseller of record sees its customer's order but only the partner who
    bought it cancels (rules.md §1, §6.4): 900150 like any missing right."""

    description = (
        "Only the partner who bought this order can cancel it; the indirect reseller of "
        "record reads it"
    )


class OrderIdMismatch(InvalidInput):
    description = "The order in the body ({given}) isn't the order of the path ({order_id})"


class LineItemNumberOutOfRange(InvalidInput):
    """800071, with the line asked for."""

    code: ClassVar[int | str] = 800071
    description = (
        "Line Item number should be from 0 to number of line items count: {line} isn't "
        "between 0 and {last}"
    )


class LineOfferMismatch(InvalidInput):
    description = "Line item {line} is {actual}, not {offer_id}"


class LicenseOrderNotCancellable(InvalidInput):
    """800063: an order with no software purchase is license-based; its subscriptions are
    cancelled or suspended through the subscription PATCH (PC:developer/error-codes.md)."""

    code: ClassVar[int | str] = 800063
    description = (
        "This order {order_id} can't be canceled. Use PATCH "
        "/customers/{customer_id}/subscriptions/<subscriptionId> to suspend subscriptions"
    )


class NotASoftwarePurchase(PermissionDenied):
    """800019 (403): outside the integration sandbox — and opencsp has none — order PATCH
    cancels only software subscriptions and perpetual software (rules.md §12)."""

    code: ClassVar[int | str] = 800019
    description = (
        "Non-Sandbox tenants aren't allowed to cancel purchases other than software "
        "subscriptions and perpetual software: line item {line} is {product_type}"
    )


class LinesAlreadyCancelled(InvalidInput):
    """800061: everything asked for was cancelled before; nothing changes and nothing is
    refunded twice. ``data`` names each line with the instant it was cancelled."""

    code: ClassVar[int | str] = 800061
    description = "Order can't be canceled: line items {lines} are already cancelled"


# --- segment qualifications (issue 7, task J; rules.md §9a) ----------------------------------


class SegmentNotQualified(PermissionDenied, OrderError):
    """800020 (403, "The catalog item isn't eligible for purchase"): an availability of a
    restricted segment needs the customer's (and for government the partner's) approved
    qualification (rules.md §9a). On a cart line: 10006."""

    code: ClassVar[int | str] = 800020
    cart_code: ClassVar[int] = CART_UNABLE_TO_PROCESS
    description = "The catalog item isn't eligible for purchase."


class CustomerNotQualified(SegmentNotQualified):
    description = (
        "The catalog item isn't eligible for purchase: {catalog_item_id} is sold to the "
        "{segment} segment and the customer has no approved {needed} qualification"
    )


class PartnerNotQualified(SegmentNotQualified):
    description = (
        "The catalog item isn't eligible for purchase: {catalog_item_id} is sold to the "
        "government segment, which needs your organization's approved government "
        "qualification"
    )


# --- items priced in USD (issue 6; rules.md §11) ----------------------------------------


class CurrencyNotSupported(InvalidInput, OrderError):
    """900169: a cart line priced in another currency than the cart's other lines (an item
    the market's list prices only in USD next to items priced in the partner's currency,
    rules.md §11). One order has one pricing currency; such items are bought in a cart of
    their own."""

    code: ClassVar[int | str] = 900169
    description = (
        "One or more of the order items do not support the given currency, {currency}: "
        "{catalog_item_id} is priced in {priced_in}. Buy it in a cart of its own"
    )
