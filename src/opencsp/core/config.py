"""Settings, read once from ``OPENCSP_*`` environment variables by the server, the CLI and
the jobs alike, so all three talk to the same database and follow the same clock."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

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
    sqlite_cache_mb: int = Field(
        default=256,
        ge=2,
        description=(
            "Most page cache one SQLite connection may hold, in MiB (allocated as used): "
            "the bill run's inserts into the charge indexes stay in memory."
        ),
    )
    reference_cache_entries: int = Field(
        default=20_000,
        ge=0,
        description=(
            "Reference look-ups of the checkout gates (buyer, market, catalog, prices) one "
            "process keeps between requests, checked against the database's change tokens "
            "on each use; 0 turns the cache off."
        ),
    )
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

    # --- direct-bill eligibility (issue 7, task G; program.eligibility) ---
    direct_bill_ttm_threshold_usd: Decimal = Field(
        default=Decimal("300000"),
        ge=0,
        description=(
            "Trailing-twelve-month cloud revenue as an indirect reseller, in USD, a partner "
            "needs for the direct-bill tier (rules.md §2a: USD 300,000)."
        ),
    )
    direct_bill_tenure_months: int = Field(
        default=12,
        ge=0,
        description="Whole months transacting as an indirect reseller required (rules.md §2a).",
    )
    managed_service_required: bool = Field(
        default=False,
        description=(
            "Make the managed-service requirement of direct-bill eligibility required; by "
            "default it is recommended (rules.md §2a, §14)."
        ),
    )

    # --- keeping and losing a tier; notification e-mail (issue 7, task H; program.reassessment,
    # program.floor, notifications.delivery) ---
    reassessment_notice_days: int = Field(
        default=90,
        ge=0,
        description=(
            "Days of notice a direct-bill partner gets after an annual reassessment it did not "
            "meet, before it is restricted (rules.md §2c: the vendor notifies the date; "
            "opencsp's default)."
        ),
    )
    reseller_floor_usd: Decimal = Field(
        default=Decimal("1000"),
        ge=0,
        description=(
            "Trailing-twelve-month revenue, in USD and perpetual software included, under "
            "which a reseller is deauthorized in its anniversary month (rules.md §3.4)."
        ),
    )
    reseller_floor_notice_days: int = Field(
        default=30,
        ge=0,
        description=(
            "Days between notifying a reseller (and its providers) that it is under the "
            "floor and deauthorizing it (opencsp's default; rules.md §3.4 notifies in the "
            "anniversary month)."
        ),
    )
    reseller_floor_effective: date = Field(
        default=date(2024, 4, 1),
        description=(
            "First day of the reseller revenue floor: no anniversary month before it is "
            "checked, so resellers onboarded after 2023-04-01 are not checked before "
            "2024-04-01 (rules.md §3.4)."
        ),
    )
    email_sender: Literal["file", "smtp", "none"] = Field(
        default="file",
        description=(
            "How notification e-mail leaves: 'file' writes one .eml per message into "
            "email_dir (the demo), 'smtp' sends through smtp_host, 'none' drops it."
        ),
    )
    email_dir: Path | None = Field(
        default=None, description="Where the file sender writes; default <data_dir>/mail."
    )
    email_from: str = Field(
        default="opencsp <no-reply@opencsp.example>",
        description="The From address of notification e-mail.",
    )
    smtp_host: str = Field(default="localhost", description="SMTP server of the smtp sender.")
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_user: str = Field(default="", description="SMTP login; empty: no login.")
    smtp_password: str = Field(default="", description="SMTP password (with smtp_user).")
    smtp_starttls: bool = Field(default=False, description="Upgrade the connection (STARTTLS).")
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)

    # --- national clouds (issue 7, task J; rules.md §13: each cloud is its own deployment) ---
    cloud_name: str = Field(
        default="global",
        min_length=1,
        max_length=64,
        description=(
            "Which cloud this deployment runs (e.g. us-government): shown in the console "
            "header and GET /v1/program/cloud."
        ),
    )
    markets: str = Field(
        default="",
        description=(
            "Comma-separated market ids this deployment serves (e.g. united-states); empty: "
            "every market of markets.csv. Other markets and their countries do not exist here."
        ),
    )

    @property
    def market_ids(self) -> tuple[str, ...]:
        """``markets`` as ids, lower-cased, in order; empty means every market."""
        parts = (m.strip().lower() for m in self.markets.split(","))
        return tuple(dict.fromkeys(m for m in parts if m))

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'opencsp.db').resolve()}"


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process's settings; tests call ``settings.cache_clear()`` after changing the env."""
    return Settings()
