"""What the current unit of work runs for: its correlation id and locale. Set by the web
middleware per request (and by the CLI), read by audit records and error messages."""

from __future__ import annotations

from contextvars import ContextVar

correlation_id: ContextVar[str | None] = ContextVar("opencsp_correlation_id", default=None)
locale: ContextVar[str] = ContextVar("opencsp_locale", default="en-US")
