"""Errors of notifications."""

from __future__ import annotations

from opencsp.core.errors import NotFound


class NotificationNotFound(NotFound):
    description = "Notification not found"
