"""Settings, read once from ``OPENCSP_*`` environment variables by the server, the CLI and
the jobs alike, so all three talk to the same database and follow the same clock."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OPENCSP_", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="Where the embedded database lives.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; defaults to a SQLite file in data_dir."
    )
    test_clock: bool = Field(
        default=False, description="Expose GET/PUT /v1/program/test/clock to move 'now'."
    )
    throttle_per_minute: int = Field(
        default=500,
        ge=1,
        description="Requests per minute per tenant (PC:developer/*-resources.md).",
    )
    throttle_storage_uri: str = Field(
        default="memory://", description="Storage for throttling counters (limits library URI)."
    )
    idempotency_retention_hours: int = Field(default=24, ge=1)
    audit_default_window_days: int = Field(default=30, ge=1)
    audit_retention_days: int = Field(default=90, ge=1)
    session_hours: int = Field(default=12, ge=1, description="Console session lifetime.")
    cookie_secure: bool = Field(default=False, description="Send console cookies over HTTPS only.")
    sqlite_busy_timeout_ms: int = Field(default=15_000, ge=0)
    cancellation_window_days: int = Field(
        default=7,
        ge=0,
        description=(
            "Days after purchase or renewal a license-based or software subscription may be "
            "cancelled for a prorated refund (rules.md §9c; 72 hours in the NCE launch era, "
            "rules.md §14)."
        ),
    )
    perpetual_refund_days: int = Field(
        default=30, ge=0, description="Days perpetual software is refundable (rules.md §9c)."
    )
    # --- lifecycle jobs and provisioning delivery (issue 5; subscriptions.lifecycle,
    # subscriptions.renewals, subscriptions.provisioning) ---
    job_batch_size: int = Field(
        default=100,
        ge=1,
        description=(
            "Subscriptions (or outbox messages) a lifecycle job handles per unit of work; "
            "a crash loses at most one batch, which the next run redoes."
        ),
    )
    provisioning_url: str = Field(
        default="",
        description=(
            "The vendor's fulfillment endpoint provisioning messages are POSTed to as JSON; "
            "empty: the in-process provisioner of the demo, which accepts every message."
        ),
    )
    provisioning_timeout_seconds: float = Field(
        default=10.0, gt=0, description="Timeout of one delivery to the fulfillment endpoint."
    )
    provisioning_backoff_base_seconds: int = Field(
        default=30, ge=1, description="Wait after the first failed delivery, doubled per failure."
    )
    provisioning_backoff_ceiling_seconds: int = Field(
        default=3600, ge=1, description="Longest wait between two delivery attempts."
    )
    provisioning_max_attempts: int = Field(
        default=10,
        ge=1,
        description="Failed deliveries after which a message is marked failed for the operator.",
    )
    pricelist_problem_limit: int = Field(
        default=1000,
        ge=1,
        description="Problems a rejected price-list import lists by row before only counting.",
    )
    partnership_request_days: int = Field(
        default=30,
        ge=1,
        description="Days a provider's partnership link stays valid (opencsp's default).",
    )
    # fmt: off
    registration_number_countries: tuple[str, ...] = Field(
        default=(
            "AM", "AZ", "BY", "BR", "HU", "IN", "IQ", "KZ", "KG", "MD", "MM", "PL",
            "RU", "SA", "ZA", "SS", "TJ", "TH", "TR", "UA", "AE", "UZ", "VE", "VN",
        ),
        description=(
            "ISO codes where an organization registration id is mandatory [uncertain]: "
            "the 24 of PC:enrolling-in-the-csp-program.md (rules.md §3.3); "
            "PC:developer/error-codes.md 600049 lists only 12."
        ),
    )
    # fmt: on
    vendor_email_domains: tuple[str, ...] = Field(
        default=("microsoft.com",),
        description=(
            "The vendor's own email domains, which a customer's email may not use "
            "(PC:developer/create-a-customer.md: not @microsoft.com)."
        ),
    )
    customer_domain_suffix: str = Field(
        default="onopencsp.example",
        description="Suffix of a customer tenant's default domain: <name>.<suffix>.",
    )
    # billing (issue 6)
    invoice_prefix: str = Field(
        default="G",
        pattern="^[A-Z]{1,3}$",
        description="Letters before the vendor's invoice numbers (G000024135 in the samples).",
    )
    bill_run_batch_size: int = Field(
        default=2000, ge=1, description="Subscriptions priced per batch by the bill run."
    )
    # downstream billing and statements (issue 6, task D)
    reseller_default_markup_percent: Decimal = Field(
        default=Decimal(0),
        gt=-100,
        le=1000,
        description=(
            "A provider's markup on its own cost when it bills a reseller for an item no "
            "price rule covers; 0 bills resellers at cost until the provider sets a rule."
        ),
    )
    statement_font: Path | None = Field(
        default=None,
        description=(
            "A TTF/OTF/TTC font with Hangul for invoice statement PDFs; by default the "
            "first of Debian's fonts-noto-cjk, fonts-nanum or fonts-unfonts-core found."
        ),
    )

    # payments and the credit limit (issue 6, task B)
    credit_contact: str = Field(
        default="your billing contact",
        min_length=1,
        description=(
            "Who a partner contacts when a purchase is refused for its credit limit, "
            "named in the 900121 message (Partner Center names its credit team's address)."
        ),
    )

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'opencsp.db').resolve()}"


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process's settings; tests call ``settings.cache_clear()`` after changing the env."""
    return Settings()
