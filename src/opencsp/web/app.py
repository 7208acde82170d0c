"""``create_app()``: the API under ``/v1``, OpenAPI at ``/openapi.json``, docs at ``/docs``,
and the console at ``/``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI

from opencsp import __version__, wiring
from opencsp.agreements.routes import router as agreements_router
from opencsp.audit.routes import router as audit_router
from opencsp.auth.routes import router as auth_router
from opencsp.billing.payment_routes import router as payments_router
from opencsp.billing.price_rule_routes import router as price_rules_router
from opencsp.billing.routes import router as billing_router
from opencsp.catalog.routes import router as catalog_router
from opencsp.console.routes import install as install_console
from opencsp.core.config import settings
from opencsp.customers.catalog_routes import router as customer_catalog_router
from opencsp.customers.qualification_routes import router as customer_qualifications_router
from opencsp.customers.routes import router as customers_router
from opencsp.markets.routes import router as markets_router
from opencsp.notifications.routes import router as notifications_router
from opencsp.orders.routes import router as orders_router
from opencsp.partners.routes import router as partners_router
from opencsp.pricing.routes import router as pricing_router
from opencsp.program.application_routes import router as direct_bill_router
from opencsp.program.qualification_routes import router as qualifications_router
from opencsp.program.routes import test_clock_router
from opencsp.program.standing_routes import router as standing_router
from opencsp.program.tier_routes import router as tier_router
from opencsp.program.transition_routes import router as transitions_router
from opencsp.reporting.routes import router as reporting_router
from opencsp.subscriptions.routes import router as subscriptions_router
from opencsp.web import errors
from opencsp.web.middleware import RequestContextMiddleware, UnitOfWorkMiddleware


def api_router() -> APIRouter:
    api = APIRouter(prefix="/v1")
    api.include_router(auth_router)
    api.include_router(audit_router)
    api.include_router(markets_router)
    api.include_router(customers_router)
    api.include_router(partners_router)
    api.include_router(agreements_router)
    api.include_router(pricing_router)
    api.include_router(catalog_router)
    api.include_router(customer_catalog_router)
    api.include_router(orders_router)
    api.include_router(subscriptions_router)
    api.include_router(billing_router)
    api.include_router(price_rules_router)
    api.include_router(payments_router)
    api.include_router(customer_qualifications_router)
    api.include_router(qualifications_router)
    api.include_router(tier_router)
    api.include_router(standing_router)  # issue 7, task H
    api.include_router(notifications_router)  # issue 7, task H
    api.include_router(direct_bill_router)  # issue 7, task G
    api.include_router(transitions_router)  # issue 7, task I
    if settings().test_clock:
        api.include_router(test_clock_router)
    return api


def create_app(*, bind: Any = None) -> FastAPI:
    """``bind``: an engine or a connection to use instead of the configured database
    (tests pass a connection whose transaction is rolled back afterwards). It is kept as
    ``app.state.bind``, read by every request, so one app can be re-pointed."""
    app = FastAPI(
        title="opencsp",
        version=__version__,
        description="Cloud Solution Provider program API, Partner Center compatible.",
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    wiring.install()
    errors.install(app)
    app.include_router(api_router())
    app.include_router(reporting_router)  # whole paths: /v1/reporting and /partner/v1/analytics
    install_console(app)
    app.state.bind = bind
    app.add_middleware(UnitOfWorkMiddleware)
    app.add_middleware(RequestContextMiddleware)
    return app
