"""Append-only audit records: one per mutating service call, in Partner Center's AuditRecord
shape (PC:developer/auditing-resources.md). Owns recording and reading; never updates or
deletes a record except the retention purge past the retained window."""

from opencsp.audit.service import record

__all__ = ["record"]
