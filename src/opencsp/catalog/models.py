"""Tables of the catalog: product → SKU → availability (rules.md §9a)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from opencsp.core.db import Base
from opencsp.core.types import UTCDateTime


class Product(Base):
    """A product (PC:developer/product-resources.md): ``id`` as in Partner Center
    (``CFQ7TTC0LH18``), ``product_type`` one of ``catalog.rules.ProductType``, which decides
    the catalog view it shows in, its cancellation policy and whether its revenue counts
    as cloud revenue."""

    __tablename__ = "catalog_products"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(256))
    description: Mapped[str] = mapped_column(Text, default="")
    publisher: Mapped[str] = mapped_column(String(128))
    product_type: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Sku(Base):
    """A SKU of a product: seat range per purchase (``min_quantity``/``max_quantity``;
    small business when max < 300, rules.md §9i), the asset-ownership limit pooled across
    partners on a customer (``asset_ownership_limit`` with ``asset_ownership_limit_type``
    ``ConcurrentCount`` or ``Lifetime``), the provisioning identifiers of the offer matrix,
    trial and attestation flags (rules.md §9g, §9k) and the end-of-sale instant after which
    it leaves the catalog (rules.md §9k; None = on sale)."""

    __tablename__ = "catalog_skus"

    product_id: Mapped[str] = mapped_column(
        ForeignKey("catalog_products.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[str] = mapped_column(String(8), primary_key=True)
    title: Mapped[str] = mapped_column(String(256))
    description: Mapped[str] = mapped_column(Text, default="")
    min_quantity: Mapped[int] = mapped_column(Integer)
    max_quantity: Mapped[int] = mapped_column(Integer)
    asset_ownership_limit: Mapped[int | None] = mapped_column(Integer)
    asset_ownership_limit_type: Mapped[str | None] = mapped_column(String(24))
    provisioning_id: Mapped[str | None] = mapped_column(String(64))
    provisioning_string: Mapped[str | None] = mapped_column(String(128))
    is_trial: Mapped[bool] = mapped_column(Boolean, default=False)
    attestation_required: Mapped[bool] = mapped_column(Boolean, default=False)
    end_of_sale: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SkuPrerequisite(Base):
    """An add-on's prerequisite: a SKU that must be on the customer before this one can be
    bought (rules.md §9h, offer matrix ``ProductSkuPreRequisites``). A SKU with any is an
    add-on."""

    __tablename__ = "catalog_sku_prerequisites"

    product_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sku_id: Mapped[str] = mapped_column(String(8), primary_key=True)
    required_product_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    required_sku_id: Mapped[str] = mapped_column(String(8), primary_key=True)

    __table_args__ = (
        ForeignKeyConstraint(
            ["product_id", "sku_id"],
            ["catalog_skus.product_id", "catalog_skus.id"],
            ondelete="CASCADE",
        ),
    )


class SkuUpgrade(Base):
    """An upgrade or conversion target of a SKU (offer matrix ``ProductSkuConversion``,
    SKU ``upgradeTargetOffers``; rules.md §9f). The target need not exist yet."""

    __tablename__ = "catalog_sku_upgrades"

    product_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sku_id: Mapped[str] = mapped_column(String(8), primary_key=True)
    target_product_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    target_sku_id: Mapped[str] = mapped_column(String(8), primary_key=True)

    __table_args__ = (
        ForeignKeyConstraint(
            ["product_id", "sku_id"],
            ["catalog_skus.product_id", "catalog_skus.id"],
            ondelete="CASCADE",
        ),
    )


class Availability(Base):
    """Where and how a SKU is sold to one segment (``catalog.rules.Segment``): its terms
    and countries hang off it; ``catalogItemId = product:sku:availability`` is what a cart
    line buys (rules.md §9a)."""

    __tablename__ = "catalog_availabilities"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    product_id: Mapped[str] = mapped_column(String(36))
    sku_id: Mapped[str] = mapped_column(String(8))
    segment: Mapped[str] = mapped_column(String(16))
    is_purchasable: Mapped[bool] = mapped_column(Boolean, default=True)
    is_renewable: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (
        ForeignKeyConstraint(
            ["product_id", "sku_id"],
            ["catalog_skus.product_id", "catalog_skus.id"],
            ondelete="CASCADE",
        ),
        Index("ix_catalog_availabilities_sku", "product_id", "sku_id"),
    )


class AvailabilityTerm(Base):
    """A term an availability is sold on with one billing plan: ``duration`` ``P1M``,
    ``P1Y``, ``P3Y`` or ``OneTime`` (perpetual software), ``billing_plan`` one of
    ``catalog.rules.BillingPlan`` (rules.md §9b)."""

    __tablename__ = "catalog_availability_terms"

    availability_id: Mapped[str] = mapped_column(
        ForeignKey("catalog_availabilities.id", ondelete="CASCADE"), primary_key=True
    )
    duration: Mapped[str] = mapped_column(String(8), primary_key=True)
    billing_plan: Mapped[str] = mapped_column(String(16), primary_key=True)


class AvailabilityCountry(Base):
    """A country an availability is sold in (offer matrix ``AllowedCountries``)."""

    __tablename__ = "catalog_availability_countries"

    availability_id: Mapped[str] = mapped_column(
        ForeignKey("catalog_availabilities.id", ondelete="CASCADE"), primary_key=True
    )
    country: Mapped[str] = mapped_column(
        ForeignKey("countries.code", ondelete="RESTRICT"), primary_key=True, index=True
    )
