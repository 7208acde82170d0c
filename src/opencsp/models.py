"""The one registry of tables: importing this module imports every domain's models, so
Alembic, the tests and the app all see the whole schema."""

from opencsp.agreements.models import (
    AgreementDocument,
    AgreementTemplate,
    CustomerAgreement,
    CustomerSignIn,
    PartnerAgreementSignature,
)
from opencsp.audit.models import AuditRecord
from opencsp.auth.models import ApiToken, ConsoleSession, Organization, User, UserRole
from opencsp.billing.models import (
    BillingPeriod,
    Charge,
    CreditLimit,
    Invoice,
    InvoiceSequence,
    Payment,
    PriceRule,
)
from opencsp.catalog.models import (
    Availability,
    AvailabilityCountry,
    AvailabilityTerm,
    Product,
    Sku,
    SkuPrerequisite,
    SkuUpgrade,
)
from opencsp.core.clock import TestClockRow
from opencsp.core.db import Base
from opencsp.core.idempotency import IdempotencyRecord
from opencsp.core.outbox import OutboxMessage
from opencsp.customers.models import Customer, CustomerRelationship
from opencsp.markets.models import Country, CountryCurrency, Market
from opencsp.orders.models import Cart, CartLine, Order, OrderLine, OrderRequest
from opencsp.partners.models import (
    Enrollment,
    PartnerId,
    PartnerProfile,
    Partnership,
    PartnershipRequest,
)
from opencsp.pricing.models import FxRate, PriceList, PriceRow
from opencsp.subscriptions.models import SeatBatch, Subscription, SubscriptionEvent, Transition

__all__ = [
    "AgreementDocument",
    "AgreementTemplate",
    "ApiToken",
    "AuditRecord",
    "Availability",
    "AvailabilityCountry",
    "AvailabilityTerm",
    "Base",
    "BillingPeriod",
    "Cart",
    "CartLine",
    "Charge",
    "ConsoleSession",
    "Country",
    "CountryCurrency",
    "CreditLimit",
    "Customer",
    "CustomerAgreement",
    "CustomerRelationship",
    "CustomerSignIn",
    "Enrollment",
    "FxRate",
    "IdempotencyRecord",
    "Invoice",
    "InvoiceSequence",
    "Market",
    "Order",
    "OrderLine",
    "OrderRequest",
    "Organization",
    "OutboxMessage",
    "PartnerAgreementSignature",
    "PartnerId",
    "PartnerProfile",
    "Partnership",
    "PartnershipRequest",
    "Payment",
    "PriceList",
    "PriceRow",
    "PriceRule",
    "Product",
    "SeatBatch",
    "Sku",
    "SkuPrerequisite",
    "SkuUpgrade",
    "Subscription",
    "SubscriptionEvent",
    "TestClockRow",
    "Transition",
    "User",
    "UserRole",
]
