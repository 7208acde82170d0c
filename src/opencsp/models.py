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
from opencsp.core.refcache import CacheGeneration
from opencsp.customers.models import Customer, CustomerQualification, CustomerRelationship
from opencsp.markets.models import Country, CountryCurrency, Market
from opencsp.notifications.models import Notification
from opencsp.orders.models import Cart, CartLine, Order, OrderLine, OrderRequest
from opencsp.partners.models import (
    Enrollment,
    PartnerId,
    PartnerProfile,
    PartnerQualification,
    Partnership,
    PartnershipRequest,
    PartnerStanding,
)
from opencsp.pricing.models import FxRate, PriceList, PriceRow
from opencsp.program.models import (
    ApplicationMessage,
    DirectBillApplication,
    Evidence,
    FloorCheck,
    Reassessment,
    TierTransition,
    TierTransitionCustomer,
)
from opencsp.subscriptions.models import SeatBatch, Subscription, SubscriptionEvent, Transition

__all__ = [
    "AgreementDocument",
    "AgreementTemplate",
    "ApiToken",
    "ApplicationMessage",
    "AuditRecord",
    "Availability",
    "AvailabilityCountry",
    "AvailabilityTerm",
    "Base",
    "BillingPeriod",
    "CacheGeneration",
    "Cart",
    "CartLine",
    "Charge",
    "ConsoleSession",
    "Country",
    "CountryCurrency",
    "CreditLimit",
    "Customer",
    "CustomerAgreement",
    "CustomerQualification",
    "CustomerRelationship",
    "CustomerSignIn",
    "DirectBillApplication",
    "Enrollment",
    "Evidence",
    "FloorCheck",
    "FxRate",
    "IdempotencyRecord",
    "Invoice",
    "InvoiceSequence",
    "Market",
    "Notification",
    "Order",
    "OrderLine",
    "OrderRequest",
    "Organization",
    "OutboxMessage",
    "PartnerAgreementSignature",
    "PartnerId",
    "PartnerProfile",
    "PartnerQualification",
    "PartnerStanding",
    "Partnership",
    "PartnershipRequest",
    "Payment",
    "PriceList",
    "PriceRow",
    "PriceRule",
    "Product",
    "Reassessment",
    "SeatBatch",
    "Sku",
    "SkuPrerequisite",
    "SkuUpgrade",
    "Subscription",
    "SubscriptionEvent",
    "TestClockRow",
    "TierTransition",
    "TierTransitionCustomer",
    "Transition",
    "User",
    "UserRole",
]
