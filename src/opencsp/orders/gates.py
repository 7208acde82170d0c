"""The checkout gates: pure checks over facts the service gathers from the database with
set-based queries (one query per kind of fact for the whole cart), each raising the error
Partner Center documents for it (rules.md §1.3, §1.6, §2c, §4, §5.1, §6.4, §6.6, §9g–9k).

``check_line`` runs the per-line gates in order and answers the line's error, so checkout
can report every failing line at once (``CheckoutRejected``) and buy nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from opencsp.catalog.errors import SeatPoolExceeded
from opencsp.catalog.rules import (
    BillingPlan,
    CatalogItemId,
    ProductType,
    Segment,
    TermDuration,
    check_seat_pool,
    on_sale,
)
from opencsp.core.actor import Tier
from opencsp.customers.qualification_rules import (
    CUSTOMER_QUALIFICATIONS,
    Missing,
    missing_for_segment,
)
from opencsp.orders.errors import (
    AddonPrerequisiteMissing,
    AssetLimitExceeded,
    AttestationRequired,
    AvailabilityNotPurchasable,
    BillingCycleNotOffered,
    BuyerAgreementMissing,
    BuyerNotActive,
    BuyerNotAllowed,
    BuyerRestricted,
    CustomerAgreementMissing,
    CustomerNotQualified,
    CustomerOutOfMarket,
    NotAValidIndirectReseller,
    OrderError,
    OwnPartnerIdOnRecord,
    PartnerIdNotFound,
    PartnerNotQualified,
    QuantityAboveMaximum,
    QuantityOutOfRange,
    ResellerAgreementMissing,
    TermNotOffered,
)
from opencsp.orders.rules import LineError, ValidLine, line_error

TRIAL_SEATS = 25
"""A new-commerce trial is bought for exactly 25 seats (rules.md §9g)."""

SkuKey = tuple[str, str]
"""``(productId, skuId)``: what prerequisites and ownership are counted by."""


@dataclass(frozen=True, slots=True)
class BuyerFacts:
    """The partner checking out: its tier, whether its enrollment is active, restricted
    (rules.md §2c), has signed the partner agreement for its region (§1.6), and the
    countries of the market it sells in (§4)."""

    organization_id: uuid.UUID
    tier: Tier
    enrollment_active: bool
    restricted: bool
    partner_agreement_signed: bool
    countries: frozenset[str]
    qualifications: frozenset[str] = frozenset()
    """The segments the buyer is approved for (``government``; rules.md §9a)."""
    currency: str | None = None
    """The buyer's own currency, that of its location (``markets.rules.sale_currency``);
    none when its location is not known."""


@dataclass(frozen=True, slots=True)
class CustomerFacts:
    """The customer: its tenant's country (rules.md §4), whether the customer agreement
    is accepted or attested (§5.1), and the SKUs active on its tenant through any partner
    (add-on prerequisites, §9h)."""

    country: str
    agreement_accepted: bool
    owned_skus: frozenset[SkuKey] = frozenset()
    qualifications: frozenset[str] = frozenset()
    """The customer's approved qualifications (Education, Nonprofit, ...; rules.md §9a)."""


@dataclass(frozen=True, slots=True)
class OfferFacts:
    """An availability as the catalog has it now: where and until when it is sold, on
    which terms, its seat range, trial, add-on and attestation flags, and the offer
    matrix's asset-ownership limit (rules.md §9a, §9g–9k)."""

    catalog_item: CatalogItemId
    product_type: ProductType
    countries: frozenset[str]
    terms: frozenset[tuple[TermDuration, BillingPlan]]
    min_quantity: int
    max_quantity: int
    end_of_sale: datetime | None = None
    is_trial: bool = False
    is_addon: bool = False
    prerequisite_skus: frozenset[SkuKey] = frozenset()
    requires_attestation: bool = False
    asset_ownership_limit: int | None = None
    segment: Segment = Segment.COMMERCIAL

    @property
    def sku(self) -> SkuKey:
        return (self.catalog_item.product_id, self.catalog_item.sku_id)


@dataclass(frozen=True, slots=True)
class ResellerFacts:
    """The organization a partner ID names: its tier and enrollment, whether it is in an
    active partnership with the buyer, and whether it has signed the partner agreement
    for its region (rules.md §1.6, §6.4)."""

    organization_id: uuid.UUID
    tier: Tier
    enrollment_active: bool
    in_partnership_with_buyer: bool
    partner_agreement_signed: bool


# --- the buyer and the customer --------------------------------------------------------


def ensure_can_buy(buyer: BuyerFacts) -> None:
    """Only direct-bill partners and indirect providers buy (rules.md §1.3), with an active
    enrollment (800039), having signed the partner agreement (900124, §1.6), and not while
    restricted (§2c: no new purchases, add-ons or one-time purchases). Renewals of existing
    subscriptions do not pass through here: they continue while restricted."""
    if buyer.tier not in (Tier.DIRECT_BILL, Tier.INDIRECT_PROVIDER):
        raise BuyerNotAllowed()
    if not buyer.enrollment_active:
        raise BuyerNotActive()
    if not buyer.partner_agreement_signed:
        raise BuyerAgreementMissing()
    if buyer.restricted:
        raise BuyerRestricted()


def ensure_customer_agreement(accepted: bool, *, is_auto_renewal: bool) -> None:
    """No order before the customer has accepted the customer agreement, directly or by
    the partner's attestation (13605); auto-renewals are excluded (rules.md §5.1,
    PC:confirm-customer-agreement.md)."""
    if not accepted and not is_auto_renewal:
        raise CustomerAgreementMissing()


def ensure_sells_to(buyer: BuyerFacts, customer: CustomerFacts) -> None:
    """A partner sells only to customers whose tenant country is in its market (2030;
    rules.md §4: the country set on the tenant, not where the company is)."""
    country = customer.country.strip().upper()
    if country not in {c.upper() for c in buyer.countries}:
        raise CustomerOutOfMarket(country=country)


# --- the offer -------------------------------------------------------------------------


def ensure_available(
    offer: OfferFacts | None, catalog_item_id: str, country: str, *, at: datetime
) -> OfferFacts:
    """The availability exists now, is sold in the customer's country and is not past its
    end of sale; otherwise 400019, which tells the client to re-read the catalog and
    retry (rules.md §9a, §9k)."""
    if (
        offer is None
        or country.strip().upper() not in {c.upper() for c in offer.countries}
        or not on_sale(offer.end_of_sale, at)
    ):
        raise AvailabilityNotPurchasable(catalog_item_id=catalog_item_id)
    return offer


def ensure_term_offered(offer: OfferFacts, term: TermDuration, plan: BillingPlan) -> None:
    """The availability is sold on this term (800121) and billing cycle (900269)."""
    if (term, plan) in offer.terms:
        return
    item = str(offer.catalog_item)
    if term not in {t for t, _ in offer.terms}:
        raise TermNotOffered(catalog_item_id=item, term=term.value)
    raise BillingCycleNotOffered(catalog_item_id=item, term=term.value, plan=plan.value)


def check_quantity(offer: OfferFacts, quantity: int, *, line: int) -> None:
    """Within the SKU's minimum and maximum seats per subscription (900275; cart 10015
    above the maximum); a trial is exactly 25 seats (rules.md §9g, §9i)."""
    low, high = (
        (TRIAL_SEATS, TRIAL_SEATS)
        if offer.is_trial
        else (
            offer.min_quantity,
            offer.max_quantity,
        )
    )
    if quantity > high:
        raise QuantityAboveMaximum(line=line, minimum=low, maximum=high)
    if quantity < low:
        raise QuantityOutOfRange(line=line, minimum=low, maximum=high)


def check_asset_limit(requested: int, owned: int, limit: int | None) -> int | None:
    """The offer matrix's ``AssetOwnershipLimit``: how many subscriptions of the SKU the
    customer may hold (800089). The caller counts ``owned`` by the limit's type: current
    subscriptions, cancelled but not deprovisioned included, for ``ConcurrentCount``; every
    one ever bought for ``Lifetime`` — which is how "one trial per customer" is expressed
    (rules.md §9i: most trials are Lifetime 1). Answers what remains, None without a
    limit."""
    if limit is None:
        return None
    available = max(0, limit - owned)
    if requested > available:
        raise AssetLimitExceeded(requested=requested, available=available)
    return available


def ensure_prerequisite(
    offer: OfferFacts, owned_skus: Collection[SkuKey], cart_skus: Collection[SkuKey]
) -> None:
    """A new-commerce add-on needs one of its prerequisite SKUs on the customer's tenant or
    in the same cart (400041; PC:new-commerce-add-ons.md, rules.md §9h)."""
    if not offer.is_addon:
        return
    have = set(owned_skus) | set(cart_skus)
    if not offer.prerequisite_skus & have:
        raise AddonPrerequisiteMissing()


def ensure_attestation(offer: OfferFacts, accepted: bool) -> None:
    """An attestation-required offer needs ``attestationAccepted: true`` on the line
    (900203, cart 10012; rules.md §9k)."""
    if offer.requires_attestation and not accepted:
        raise AttestationRequired(catalog_item_id=str(offer.catalog_item))


def ensure_segment_qualified(offer: OfferFacts, buyer: BuyerFacts, customer: CustomerFacts) -> None:
    """An availability of a restricted segment is bought only for a qualified customer:
    ``education`` needs its Education qualification (the vendor qualifies education
    customers), ``nonprofit`` its Nonprofit one (qualified outside the program, recorded
    by the vendor), ``government`` its GovernmentCommunityCloud or StateOwnedEntity one
    **and** the buying partner's ``government`` qualification — "GCC requires both
    partner and customer qualification" (rules.md §9a). Otherwise 800020 "The catalog
    item isn't eligible for purchase"."""
    missing = missing_for_segment(offer.segment, customer.qualifications, buyer.qualifications)
    if missing is None:
        return
    item = str(offer.catalog_item)
    if missing is Missing.PARTNER:
        raise PartnerNotQualified(catalog_item_id=item)
    needed = " or ".join(sorted(q.value for q in CUSTOMER_QUALIFICATIONS[offer.segment]))
    raise CustomerNotQualified(catalog_item_id=item, segment=offer.segment.value, needed=needed)


# --- the partner of record -------------------------------------------------------------


def ensure_partner_of_record(
    buyer: BuyerFacts, partner_id: int | None, reseller: ResellerFacts | None
) -> uuid.UUID | None:
    """``partnerIdOnRecord`` (and each additional reseller) names an active indirect
    reseller in partnership with the buying provider who has signed the partner agreement
    for its region; omitted, the order proceeds without reseller attribution (rules.md
    §6.4). Answers the reseller's organization.

    Unknown ID → 800015; the buyer's own ID → 2072 — a direct-bill partner too, which is
    itself the partner of record and sends none (its own ID would attribute nothing, and
    another ID names a reseller it cannot be in partnership with); not an active indirect
    reseller, or not in partnership with the buyer → 800016; partner agreement unsigned
    → 900123 (§1.6)."""
    if partner_id is None:
        return None
    if reseller is None:
        raise PartnerIdNotFound(partner_id=partner_id)
    if reseller.organization_id == buyer.organization_id:
        raise OwnPartnerIdOnRecord()
    if (
        reseller.tier is not Tier.INDIRECT_RESELLER
        or not reseller.enrollment_active
        or not reseller.in_partnership_with_buyer
    ):
        raise NotAValidIndirectReseller(partner_id=partner_id)
    if not reseller.partner_agreement_signed:
        raise ResellerAgreementMissing()
    return reseller.organization_id


# --- one line --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineContext:
    """What the service found for one line: the offer (None when the availability is
    gone), the seats of the SKU on the tenant through every partner, the SKU's
    subscriptions counted by its limit type, the seats and lines the whole cart asks for
    the SKU, the cart's SKUs, and the organizations behind the line's partner IDs."""

    offer: OfferFacts | None
    seats_owned: int = 0
    assets_owned: int = 0
    cart_seats: int = 0
    cart_lines: int = 1
    cart_skus: frozenset[SkuKey] = frozenset()
    resellers: Mapping[int, ResellerFacts | None] | None = None


def check_line(
    buyer: BuyerFacts, customer: CustomerFacts, line: ValidLine, ctx: LineContext, *, at: datetime
) -> LineError | None:
    """Every per-line gate in order (``ensure_line``), answering the first failure as the
    line's error in the cart's vocabulary, or None when the line can be bought."""
    try:
        ensure_line(buyer, customer, line, ctx, at=at)
    except (OrderError, SeatPoolExceeded) as exc:
        return line_error(exc)
    return None


def ensure_line(
    buyer: BuyerFacts, customer: CustomerFacts, line: ValidLine, ctx: LineContext, *, at: datetime
) -> None:
    """Every per-line gate in order — availability, term, quantity, pooled seats, asset
    limit, add-on prerequisite, attestation, segment qualification (800020), resellers —
    raising the first failing gate's own error with its Partner Center code (400019,
    800088, 400041, 800015, …), for the order API (PC:developer/create-an-order.md);
    ``check_line`` answers it as a line error."""
    offer = ensure_available(ctx.offer, str(line.catalog_item), customer.country, at=at)
    ensure_term_offered(offer, line.term, line.plan)
    check_quantity(offer, line.quantity, line=line.id)
    check_seat_pool(
        max(ctx.cart_seats, line.quantity),
        ctx.seats_owned,
        offer.max_quantity,
        catalog_item_id=str(offer.catalog_item),
    )
    check_asset_limit(max(ctx.cart_lines, 1), ctx.assets_owned, offer.asset_ownership_limit)
    ensure_prerequisite(offer, customer.owned_skus, ctx.cart_skus - {offer.sku})
    ensure_attestation(offer, line.attestation_accepted)
    ensure_segment_qualified(offer, buyer, customer)
    found = ctx.resellers or {}
    for partner_id in (line.partner_id_on_record, *line.additional_resellers):
        if partner_id is not None:
            ensure_partner_of_record(buyer, partner_id, found.get(partner_id))
