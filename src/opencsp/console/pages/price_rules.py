"""Downstream price rules (issue 6, ``billing.price_rules``): a provider's prices to its
resellers and a partner's or reseller's prices to its customers, as a markup or discount
on its own cost per buyer, product or SKU — the most specific rule wins. Without a rule a
provider bills at cost plus the default markup and a partner bills the ERP price. Every
seller sees its own rules; setting or removing one needs Billing manage (a reseller's
Global admin or Billing admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from opencsp.billing import price_rules
from opencsp.console import rendering, session
from opencsp.console.feedback import on_error
from opencsp.console.session import Visit, allowed, db
from opencsp.core.actor import Perm, Tier
from opencsp.core.config import settings
from opencsp.customers import queries as customers
from opencsp.partners import queries as partners

router = APIRouter()

Reader = Annotated[Visit, allowed(Perm.BILLING_READ)]
Poster = Annotated[Visit, allowed(Perm.BILLING_READ, post=True)]
PAGE = "/price-rules"


def _field(form: FormData | None, name: str, default: str = "") -> str:
    value = form.get(name) if form is not None else None
    return value if isinstance(value, str) else default


def rules_view(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    visit = session.signed_in(request)
    actor, work = visit.actor, db(request)
    buyers: list[tuple[str, str]] = []
    if actor.tier is Tier.INDIRECT_PROVIDER:
        names = customers.organization_names(
            work, [p.reseller_id for p in partners.resellers_of(work, actor.organization_id)]
        )
        buyers += [(str(org), name) for org, name in sorted(names.items(), key=lambda i: i[1])]
    if actor.tier in price_rules.SELLER_TIERS:
        shown = work.scalars(customers.visible(actor).limit(500)).all()
        buyers += [(str(c.id), c.company_name) for c in shown]
    form: FormData | None = session.state(request, "console_form") if error else None
    context = {
        "rules": price_rules.list_rules(work, actor),
        "names": dict(buyers),
        "buyers": buyers,
        "is_seller": actor.tier in price_rules.SELLER_TIERS,
        "is_provider": actor.tier is Tier.INDIRECT_PROVIDER,
        "default_markup": settings().reseller_default_markup_percent,
        "error": error,
        "draft": {k: _field(form, k, "*") for k in ("buyer", "product_id", "sku_id")}
        | {"percent": _field(form, "percent")},
    }
    return rendering.render(request, "price_rules.html", context, status=status)


RESHOW = [on_error(rules_view, shown_with=Perm.BILLING_READ)]


@router.get(PAGE)
def list_rules(request: Request, visit: Reader) -> Response:
    return rules_view(request)


@router.post(PAGE, dependencies=RESHOW)
def set_rule(request: Request, visit: Poster) -> Response:
    form: FormData = request.state.console_form
    price_rules.set_rule(
        db(request),
        visit.actor,
        buyer_key=_field(form, "buyer", "*"),
        product_id=_field(form, "product_id", "*") or "*",
        sku_id=_field(form, "sku_id", "*") or "*",
        percent=_field(form, "percent"),
    )
    return RedirectResponse(PAGE, status_code=303)


@router.post(f"{PAGE}/delete", dependencies=RESHOW)
def delete_rule(request: Request, visit: Poster) -> Response:
    form: FormData = request.state.console_form
    price_rules.delete_rule(
        db(request),
        visit.actor,
        buyer_key=_field(form, "buyer", "*"),
        product_id=_field(form, "product_id", "*"),
        sku_id=_field(form, "sku_id", "*"),
    )
    return RedirectResponse(PAGE, status_code=303)
