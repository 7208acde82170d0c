"""Downstream price rules (opencsp extension; ``billing.price_rules``) and the invoice
statement PDF (PC:developer/get-invoice-statement.md; ``billing.statement``).

- ``GET /v1/pricerules``: the caller's organization's rules;
- ``PUT /v1/pricerules``: set one rule (its scope — ``buyer``, ``productId``, ``skuId``,
  each an id or ``*`` — and its ``percent``), replacing the rule of the same scope;
- ``DELETE /v1/pricerules?buyer=&productId=&skuId=``: remove one (404 when none);
- ``GET /v1/invoices/{id}/documents/statement``: the document as ``application/pdf``,
  404 for a document the caller may not see."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, ClassVar

from fastapi import APIRouter, Query, Response, status

from opencsp.billing import price_rules, statement
from opencsp.billing.models import PriceRule
from opencsp.core.actor import Actor, Perm
from opencsp.core.http import Collection, Resource, WireModel
from opencsp.core.pagination import collection
from opencsp.web.deps import SessionDep, require

router = APIRouter(tags=["billing"])

Reader = Annotated[Actor, require(Perm.BILLING_READ)]

PATH = "/pricerules"


class PriceRuleIn(WireModel):
    """``buyer``: a reseller's organization id, a customer id or ``*``; ``productId`` and
    ``skuId``: ids or ``*``; ``percent``: markup (+) or discount (−), −100 < p ≤ 1000."""

    buyer: str = price_rules.ANY
    product_id: str = price_rules.ANY
    sku_id: str = price_rules.ANY
    percent: Decimal


class PriceRuleRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "PriceRule"

    id: uuid.UUID
    seller_id: uuid.UUID
    buyer: str
    product_id: str
    sku_id: str
    percent: Decimal
    created_at: datetime
    updated_at: datetime


def rule_read(rule: PriceRule) -> PriceRuleRead:
    return PriceRuleRead(
        id=rule.id,
        seller_id=rule.seller_organization_id,
        buyer=rule.buyer_key,
        product_id=rule.product_id,
        sku_id=rule.sku_id,
        percent=rule.percent,
        created_at=rule.created_at,
        updated_at=rule.updated_at,
    )


@router.get(PATH, response_model=Collection[PriceRuleRead])
def list_rules(session: SessionDep, actor: Reader) -> Collection[PriceRuleRead]:
    items = [rule_read(r) for r in price_rules.list_rules(session, actor)]
    return collection(items, total_count=len(items), path=PATH, query={}, next_token=None)


@router.put(PATH, response_model=PriceRuleRead)
def set_rule(body: PriceRuleIn, session: SessionDep, actor: Reader) -> PriceRuleRead:
    rule = price_rules.set_rule(
        session,
        actor,
        buyer_key=body.buyer,
        product_id=body.product_id,
        sku_id=body.sku_id,
        percent=body.percent,
    )
    return rule_read(rule)


@router.delete(PATH, status_code=status.HTTP_204_NO_CONTENT)
def delete_rule(
    session: SessionDep,
    actor: Reader,
    buyer: Annotated[str, Query()] = price_rules.ANY,
    product_id: Annotated[str, Query(alias="productId")] = price_rules.ANY,
    sku_id: Annotated[str, Query(alias="skuId")] = price_rules.ANY,
) -> Response:
    price_rules.delete_rule(session, actor, buyer_key=buyer, product_id=product_id, sku_id=sku_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/invoices/{invoice_id}/documents/statement",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def invoice_statement(invoice_id: str, session: SessionDep, actor: Reader) -> Response:
    number, pdf = statement.statement_pdf(session, actor, invoice_id)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{number}.pdf"'},
    )
