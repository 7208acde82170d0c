"""Downstream price rules (issue 6, "Downstream billing"): the prices a seller charges the
tier below it. A provider prices its resellers (a markup or discount on its own cost); a
direct-bill partner, a provider selling without a reseller, or a reseller prices its
customers. A rule is a ``percent`` on the seller's cost for one buyer or every buyer
(``*``), one SKU, one product or everything (``*``); the most specific rule wins.

Without a rule (``default_factor``): a provider bills its reseller at its cost plus the
``reseller_default_markup_percent`` setting (0: at cost); a partner bills its customer at
the ERP price of the month's price-list row (file-formats.md §1 ``ERP Price``; the
issue's "default: ERP price from the price list"), computed in ``billing.downstream``.

The first half of the module is pure (the rules and their resolution, tested as tables);
the second is the service (set, list, delete), which audits every change and never
commits."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.audit import service as audit
from opencsp.billing.errors import (
    InvalidPriceRule,
    NotADownstreamSeller,
    PriceRuleNotFound,
    UnknownBuyer,
)
from opencsp.billing.models import PriceRule
from opencsp.catalog.models import Product, Sku
from opencsp.core import clock
from opencsp.core.actor import Actor, Perm, Tier
from opencsp.core.ids import new_id, parse_guid
from opencsp.customers import queries as customers
from opencsp.partners import queries as partners

ANY = "*"
"""The wildcard of a rule's buyer, product or SKU."""

MIN_PERCENT = Decimal(-100)
"""Exclusive: a discount of 100 % or more would bill nothing or pay the buyer."""
MAX_PERCENT = Decimal(1000)
"""Inclusive: an upper bound that catches a typed 10000 for 10.00 [inferred]."""
PERCENT_PLACES = 4

SELLER_TIERS = frozenset({Tier.DIRECT_BILL, Tier.INDIRECT_PROVIDER, Tier.INDIRECT_RESELLER})
PRICING_ROLES = frozenset({"global_admin", "billing_admin"})


# --- rules (pure) ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, order=True)
class Scope:
    """Whom and what a rule prices: a buyer key (reseller org id, customer id or ``*``),
    a product id (or ``*``) and a SKU id of that product (or ``*``)."""

    buyer_key: str
    product_id: str
    sku_id: str


def ensure_percent(value: Decimal | int | str) -> Decimal:
    """A markup (+) or discount (−) in percent: −100 < percent ≤ 1000, at most four
    decimal places (task D bounds; a discount of 100 % or more is refused)."""
    try:
        percent = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise InvalidPriceRule(reason=f"{value!r} is not a number") from exc
    if not percent.is_finite():
        raise InvalidPriceRule(reason="the percent must be a finite number")
    if not MIN_PERCENT < percent <= MAX_PERCENT:
        raise InvalidPriceRule(
            reason=f"the percent must be above -100 and at most 1000, not {percent}"
        )
    exponent = percent.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -PERCENT_PLACES:
        raise InvalidPriceRule(reason=f"the percent has more than {PERCENT_PLACES} decimal places")
    return percent.normalize() if percent != 0 else Decimal(0)


def ensure_scope(buyer_key: str, product_id: str, sku_id: str) -> Scope:
    """A rule's scope, trimmed: a SKU is named within its product, so a rule for one SKU
    names the product too; ``*`` stands for all."""
    buyer, product, sku = buyer_key.strip(), product_id.strip(), sku_id.strip()
    if not buyer or not product or not sku:
        raise InvalidPriceRule(reason="buyer, product and SKU are each an id or *")
    if buyer != ANY and parse_guid(buyer) is None:
        raise InvalidPriceRule(reason=f"the buyer {buyer} is not a GUID or *")
    if sku != ANY and product == ANY:
        raise InvalidPriceRule(reason="a rule for one SKU names its product")
    if len(product) > 36 or len(sku) > 8:
        raise InvalidPriceRule(reason="product ids have at most 36 and SKU ids 8 characters")
    if buyer != ANY:
        buyer = str(uuid.UUID(buyer))
    return Scope(buyer, product, sku)


def candidates(buyer_key: str, product_id: str, sku_id: str) -> tuple[Scope, ...]:
    """The scopes that could price a line, most specific first: buyer+SKU, buyer+product,
    buyer+*, *+SKU, *+product, * (task D)."""
    return tuple(
        Scope(b, p, s)
        for b in (buyer_key, ANY)
        for p, s in ((product_id, sku_id), (product_id, ANY), (ANY, ANY))
    )


def resolve(
    rules: Mapping[Scope, Decimal], buyer_key: str, product_id: str, sku_id: str
) -> Decimal | None:
    """The percent of the most specific of one seller's rules covering the line, or None
    when no rule does (the default applies)."""
    for scope in candidates(buyer_key, product_id, sku_id):
        found = rules.get(scope)
        if found is not None:
            return found
    return None


def factor(percent: Decimal) -> Decimal:
    """What the cost is multiplied by: ``1 + percent / 100`` (exact)."""
    return 1 + percent / 100


def priced_seat(cost_each_minor: int, multiplier: Decimal) -> int:
    """A seat's price in minor units: the cost per seat times the factor, rounded half-up
    (away from zero on a tie, so a credit mirrors its charge) once, at the minor unit
    (DESIGN.md §4: one rounding policy, once per line)."""
    return int((Decimal(cost_each_minor) * multiplier).to_integral_value(rounding="ROUND_HALF_UP"))


# --- service -----------------------------------------------------------------------------


def ensure_seller(actor: Actor) -> uuid.UUID:
    """The actor's organization sells downstream (a provider, a direct-bill partner or a
    reseller) and the actor may price for it: Billing manage, or a reseller's Global admin
    or Billing admin (resellers lack Billing manage because they never pay the vendor, yet
    they bill their customers) [inferred]."""
    if actor.tier not in SELLER_TIERS:
        raise NotADownstreamSeller()
    allowed = actor.can(Perm.BILLING_MANAGE) or (
        actor.tier is Tier.INDIRECT_RESELLER and bool(PRICING_ROLES & actor.roles)
    )
    if not allowed:
        raise NotADownstreamSeller()
    return actor.organization_id


def ensure_buyer(session: Session, actor: Actor, buyer_key: str) -> None:
    """A named buyer is one of the seller's resellers (a provider's, in an active
    partnership, rules.md §6) or a customer it has an active relationship with."""
    if buyer_key == ANY:
        return
    buyer = uuid.UUID(buyer_key)
    if actor.tier is Tier.INDIRECT_PROVIDER and partners.active_partnership(
        session, actor.organization_id, buyer
    ):
        return
    if customers.relationship_of(session, buyer, actor.organization_id) is not None:
        return
    raise UnknownBuyer(buyer=buyer_key)


def ensure_catalog(session: Session, scope: Scope) -> None:
    """A named product (and SKU) is in the catalog."""
    if scope.product_id == ANY:
        return
    if scope.sku_id == ANY:
        found = session.get(Product, scope.product_id) is not None
    else:
        found = session.get(Sku, (scope.product_id, scope.sku_id)) is not None
    if not found:
        raise InvalidPriceRule(
            reason=f"no product {scope.product_id} with SKU {scope.sku_id} in the catalog"
        )


def snapshot(rule: PriceRule) -> dict[str, str]:
    return {
        "buyer": rule.buyer_key,
        "productId": rule.product_id,
        "skuId": rule.sku_id,
        "percent": str(rule.percent),
    }


def _find(session: Session, seller: uuid.UUID, scope: Scope) -> PriceRule | None:
    return session.scalar(
        select(PriceRule).where(
            PriceRule.seller_organization_id == seller,
            PriceRule.buyer_key == scope.buyer_key,
            PriceRule.product_id == scope.product_id,
            PriceRule.sku_id == scope.sku_id,
        )
    )


def set_rule(
    session: Session,
    actor: Actor,
    *,
    buyer_key: str = ANY,
    product_id: str = ANY,
    sku_id: str = ANY,
    percent: Decimal | int | str,
    now: datetime | None = None,
) -> PriceRule:
    """Create or replace the actor's organization's rule for one scope; audited."""
    seller = ensure_seller(actor)
    scope = ensure_scope(buyer_key, product_id, sku_id)
    value = ensure_percent(percent)
    ensure_buyer(session, actor, scope.buyer_key)
    ensure_catalog(session, scope)
    at = now or clock.now()
    rule = _find(session, seller, scope)
    old = snapshot(rule) if rule is not None else None
    if rule is None:
        rule = PriceRule(
            id=new_id(),
            seller_organization_id=seller,
            buyer_key=scope.buyer_key,
            product_id=scope.product_id,
            sku_id=scope.sku_id,
            percent=value,
            created_at=at,
            updated_at=at,
        )
        session.add(rule)
    else:
        rule.percent = value
        rule.updated_at = at
    session.flush()
    audit.record(
        session,
        actor,
        "set_price_rule",
        "price_rule",
        resource_id=rule.id,
        old=old,
        new=snapshot(rule),
    )
    return rule


def delete_rule(
    session: Session,
    actor: Actor,
    *,
    buyer_key: str = ANY,
    product_id: str = ANY,
    sku_id: str = ANY,
) -> PriceRule:
    """Remove the actor's organization's rule for one scope (404 when it has none);
    audited. The lines already written keep their prices."""
    seller = ensure_seller(actor)
    scope = ensure_scope(buyer_key, product_id, sku_id)
    rule = _find(session, seller, scope)
    if rule is None:
        raise PriceRuleNotFound(buyer=scope.buyer_key, product=scope.product_id, sku=scope.sku_id)
    audit.record(
        session, actor, "delete_price_rule", "price_rule", resource_id=rule.id, old=snapshot(rule)
    )
    session.delete(rule)
    session.flush()
    return rule


def list_rules(session: Session, actor: Actor) -> Sequence[PriceRule]:
    """The actor's organization's rules, most general first (a seller sees only its own;
    the vendor has none)."""
    if actor.tier not in SELLER_TIERS:
        return []
    return session.scalars(
        select(PriceRule)
        .where(PriceRule.seller_organization_id == actor.organization_id)
        .order_by(PriceRule.buyer_key, PriceRule.product_id, PriceRule.sku_id)
    ).all()


def rules_of(
    session: Session, sellers: Iterable[uuid.UUID]
) -> dict[uuid.UUID, dict[Scope, Decimal]]:
    """Every rule of the given sellers, in one query, indexed for ``resolve``."""
    wanted = set(sellers)
    found: dict[uuid.UUID, dict[Scope, Decimal]] = {s: {} for s in wanted}
    if not wanted:
        return found
    rows = session.execute(
        select(
            PriceRule.seller_organization_id,
            PriceRule.buyer_key,
            PriceRule.product_id,
            PriceRule.sku_id,
            PriceRule.percent,
        ).where(PriceRule.seller_organization_id.in_(wanted))
    )
    for seller, buyer, product, sku, percent in rows:
        found[seller][Scope(buyer, product, sku)] = percent
    return found
