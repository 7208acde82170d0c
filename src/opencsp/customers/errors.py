"""Errors of the customers domain."""

from __future__ import annotations

from opencsp.core.errors import NotFound


class CustomerNotFound(NotFound):
    description = "Customer not found"
