"""The console assembled: its pages, its static files, and its answers to errors.

``install(app)`` is all the web edge needs to call: it mounts the pages at ``/`` and the
static files at ``/static``, sends requests without a session to the login page, and
hands the web error handler the console's renderer for HTML requests (so ``web/`` never
renders templates itself)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from opencsp.console.feedback import describe_for_locale, login_redirect, render_error
from opencsp.console.pages import (
    agreement_documents,
    agreement_templates,
    audit,
    auth,
    bill_runs,
    billing_accounts,
    buy,
    catalog,
    customer_acceptance,
    customer_agreement,
    customer_create,
    customer_invitations,
    customers,
    direct_bill,
    enrollment,
    home,
    inbox,
    invoices,
    markets,
    order_requests,
    orders,
    partner_agreement,
    partner_profile,
    partnerships,
    price_rules,
    pricing,
    pricing_changes,
    pricing_fx,
    program_partners,
    program_standing,
    program_tier,
    qualifications,
    revenue,
    subscription_actions,
    subscriptions,
    tokens,
    transitions,
    users,
)
from opencsp.console.session import LoginRequired

STATIC = Path(__file__).parent / "static"

router = APIRouter(include_in_schema=False)
for area in (
    auth,
    home,
    inbox,  # issue 7, task H
    program_standing,  # issue 7, task H
    users,
    tokens,
    markets,
    audit,
    customer_create,
    customer_invitations,
    customers,
    agreement_templates,
    partner_agreement,
    customer_agreement,
    customer_acceptance,
    agreement_documents,
    partner_profile,
    partnerships,
    enrollment,
    program_tier,  # issue 7, task J: before /partners/{id} pages, though no overlap
    program_partners,
    qualifications,  # issue 7, task J
    catalog,
    pricing,
    pricing_changes,
    pricing_fx,
    buy,
    orders,
    subscriptions,
    subscription_actions,
    order_requests,
    billing_accounts,
    bill_runs,  # issue 6, task F
    price_rules,
    invoices,
    revenue,
    transitions,
    direct_bill,
):
    router.include_router(area.router)


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(LoginRequired, login_redirect)
    app.state.render_html_error = render_error
    app.state.describe_error = describe_for_locale
