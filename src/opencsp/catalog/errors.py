"""Errors of the catalog domain, with Partner Center's codes where documented
(PC:developer/error-codes.md: ``400013`` product, ``400018`` SKU, ``400019``
availability not found; ``900142`` missing catalog item ID)."""

from __future__ import annotations

from typing import ClassVar

from opencsp.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied


class ProductNotFound(NotFound):
    code: ClassVar[int | str] = 400013
    description = "Product wasn't found"


class SkuNotFound(NotFound):
    code: ClassVar[int | str] = 400018
    description = "SKU wasn't found"


class AvailabilityNotFound(NotFound):
    """Also what checkout answers when an availability is gone or not sold where the
    customer is: re-read the catalog and retry (PC:developer/error-codes.md)."""

    code: ClassVar[int | str] = 400019
    description = "Availability not found"


class CatalogItemIdMissing(InvalidInput):
    code: ClassVar[int | str] = 900142
    description = "The catalog item ID isn't present"


class InvalidCatalogItemId(InvalidInput):
    code: ClassVar[int | str] = 10001
    description = "Catalog item ID isn't valid: {catalog_item_id}"


class UnknownTargetView(InvalidInput):
    code: ClassVar[int | str] = "InvalidTargetView"
    description = "Unknown targetView {target_view}"


class UnknownSegment(InvalidInput):
    code: ClassVar[int | str] = "InvalidSegment"
    description = "Unknown segment {segment}; use commercial, education, government or nonprofit"


class CatalogInUse(Conflict):
    code: ClassVar[int | str] = "CatalogInUse"
    description = "{what} is referenced and cannot be removed"


# --- publishing a product (catalog.service.publish_product): opencsp's own codes --------


class InvalidProductId(InvalidInput):
    code: ClassVar[int | str] = "InvalidProductId"
    description = "Product ID must be 1 to 36 of A-Z, 0-9 and '-': {product_id!r}"


class InvalidSkuId(InvalidInput):
    code: ClassVar[int | str] = "InvalidSkuId"
    description = "SKU ID must be 4 letters or digits: {sku_id!r}"


class InvalidAvailabilityId(InvalidInput):
    code: ClassVar[int | str] = "InvalidAvailabilityId"
    description = "Availability ID must be 1 to 16 letters or digits: {availability_id!r}"


class MissingTitle(InvalidInput):
    code: ClassVar[int | str] = "MissingTitle"
    description = "{what} needs a title"


class DuplicateCatalogId(InvalidInput):
    code: ClassVar[int | str] = "DuplicateCatalogId"
    description = "{what} {id} appears more than once"


class InvalidQuantityRange(InvalidInput):
    code: ClassVar[int | str] = "InvalidQuantityRange"
    description = "SKU {sku_id}: need 1 <= minimum <= maximum, got {minimum} to {maximum}"


class InvalidAssetOwnershipLimit(InvalidInput):
    code: ClassVar[int | str] = "InvalidAssetOwnershipLimit"
    description = (
        "SKU {sku_id}: an asset ownership limit is a whole number of at least 1 with type "
        "ConcurrentCount or Lifetime"
    )


class TermNotAllowed(InvalidInput):
    code: ClassVar[int | str] = "TermNotAllowed"
    description = "SKU {sku_id}: {product_type} {kind} can't be sold on {duration} billed {plan}"


class AvailabilityWithoutTerms(InvalidInput):
    code: ClassVar[int | str] = "AvailabilityWithoutTerms"
    description = "Availability {availability_id} needs at least one term"


class UnknownCatalogCountry(InvalidInput):
    code: ClassVar[int | str] = "UnknownCountry"
    description = "Availability {availability_id}: no CSP market has the country {country!r}"


class SelfPrerequisite(InvalidInput):
    code: ClassVar[int | str] = "SelfPrerequisite"
    description = "SKU {product_id}:{sku_id} cannot require itself"


class AvailabilityIdTaken(InvalidInput):
    code: ClassVar[int | str] = "AvailabilityIdTaken"
    description = "Availability ID {availability_id} already belongs to product {owner}"


class MissingQueryParameter(InvalidInput):
    code: ClassVar[int | str] = "MissingParameter"
    description = "The query parameter {name} is required"


class OfferMatrixRejected(InvalidInput):
    """A whole offer matrix refused: every problem, by line and column, is in ``data``
    (and ``problems``); nothing was written."""

    code: ClassVar[int | str] = "OfferMatrixRejected"
    description = "The offer matrix was rejected with {count} problem(s); nothing was imported"

    def __init__(self, problems: list[dict[str, object]], *, count: int) -> None:
        self.problems = problems
        super().__init__(data=list(problems), count=count)


class NaiveEndOfSale(InvalidInput):
    code = "InvalidEndOfSale"
    description = "The end-of-sale instant needs a time zone (UTC)"


class InvalidMatrixMonth(InvalidInput):
    code = "InvalidMonth"
    description = "The month must be YYYYMM: {month!r}"


class SeatPoolExceeded(PermissionDenied):
    """800088 (cart 10015 with ``availableQuantity``): a small-business offer's maximum
    is pooled over every partner's subscriptions on the customer (rules.md §9i)."""

    code: ClassVar[int | str] = 800088
    description = (
        "The requested number of {requested} seats exceeds the remaining limit of "
        "{available} seats allowed per subscription for the CatalogItemId - {catalog_item_id}"
    )

    def __init__(self, *, requested: int, available: int, catalog_item_id: str) -> None:
        self.available = available
        super().__init__(
            data=[{"availableQuantity": available}],
            requested=requested,
            available=available,
            catalog_item_id=catalog_item_id,
        )
