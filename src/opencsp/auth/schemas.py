"""Wire shapes for users and API tokens."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from pydantic import Field

from opencsp.core.http import Resource, WireModel


class UserRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "PartnerUser"

    id: uuid.UUID
    organization_id: uuid.UUID
    email: str
    display_name: str
    roles: list[str]
    is_active: bool
    locale: str
    created_at: datetime


class UserCreate(WireModel):
    email: str = Field(max_length=320)
    display_name: str = Field(default="", max_length=256)
    roles: list[str] = Field(min_length=1)
    password: str | None = Field(default=None, max_length=1024)
    locale: str = Field(default="en-US", max_length=16)


class ApiTokenRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "ApiToken"

    id: uuid.UUID
    user_id: uuid.UUID
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class ApiTokenCreate(WireModel):
    name: str = Field(min_length=1, max_length=128)


class ApiTokenIssued(ApiTokenRead):
    """Returned once, at creation: ``token`` is the secret and is never shown again."""

    OBJECT_TYPE: ClassVar[str] = "ApiToken"

    token: str
