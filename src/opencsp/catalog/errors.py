"""Errors of the catalog domain, with Partner Center's codes where documented
(PC:developer/error-codes.md: ``400013`` product, ``400018`` SKU, ``400019``
availability not found; ``900142`` missing catalog item ID)."""

from __future__ import annotations

from typing import ClassVar

from opencsp.core.errors import Conflict, InvalidInput, NotFound


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
