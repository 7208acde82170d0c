"""The one registry of tables: importing this module imports every domain's models, so
Alembic, the tests and the app all see the whole schema."""

from opencsp.audit.models import AuditRecord
from opencsp.auth.models import ApiToken, ConsoleSession, Organization, User, UserRole
from opencsp.core.clock import TestClockRow
from opencsp.core.db import Base
from opencsp.core.idempotency import IdempotencyRecord
from opencsp.markets.models import Country, CountryCurrency, Market

__all__ = [
    "ApiToken",
    "AuditRecord",
    "Base",
    "ConsoleSession",
    "Country",
    "CountryCurrency",
    "IdempotencyRecord",
    "Market",
    "Organization",
    "TestClockRow",
    "User",
    "UserRole",
]
