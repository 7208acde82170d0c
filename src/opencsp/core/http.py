"""Wire shapes shared by every Partner Center compatible resource.

Output is camelCase; input keys are matched case-insensitively (older Partner Center
clients send PascalCase, some send snake_case), and enum values likewise
(``one_time`` = ``OneTime`` = ``onetime``). Every resource carries ``attributes.objectType``;
collections use the ``{totalCount, items, links, attributes}`` envelope.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    computed_field,
    model_serializer,
    model_validator,
)
from pydantic.alias_generators import to_camel

T = TypeVar("T")


def _fold(key: str) -> str:
    return key.replace("_", "").replace("-", "").lower()


class WireEnum(StrEnum):
    """String enum read case-insensitively, ignoring ``_`` and ``-``."""

    @classmethod
    def _missing_(cls, value: object) -> WireEnum | None:
        if isinstance(value, str):
            folded = _fold(value)
            for member in cls:
                if _fold(member.value) == folded or _fold(member.name) == folded:
                    return member
        return None


class WireModel(BaseModel):
    """Base of every request and response body."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, from_attributes=True, extra="ignore"
    )

    @model_validator(mode="before")
    @classmethod
    def _keys_case_insensitive(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        known = _folded_aliases(cls)
        out: dict[str, Any] = {}
        for key, value in data.items():
            target = known.get(_fold(key), key) if isinstance(key, str) else key
            out.setdefault(target, value)
        return out


_ALIASES: dict[type[WireModel], dict[str, str]] = {}


def _folded_aliases(cls: type[WireModel]) -> dict[str, str]:
    """A model's field aliases by folded name and folded alias, worked out once per class
    (every request body and response goes through here)."""
    known = _ALIASES.get(cls)
    if known is None:
        known = {}
        for name, field in cls.model_fields.items():
            alias = field.alias or name
            known[_fold(alias)] = alias
            known[_fold(name)] = alias
        _ALIASES[cls] = known
    return known


class Attributes(WireModel):
    object_type: str
    etag: str | None = None

    @model_serializer(mode="wrap")
    def _omit_absent_etag(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        return {k: v for k, v in data.items() if v is not None}


class Resource(WireModel):
    """A resource with ``attributes.objectType`` (and ``attributes.etag`` when it has one)."""

    OBJECT_TYPE: ClassVar[str] = ""

    def resource_etag(self) -> str | None:
        return None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def attributes(self) -> Attributes:
        return Attributes(object_type=self.OBJECT_TYPE, etag=self.resource_etag())


class LinkHeader(WireModel):
    key: str
    value: str


class Link(WireModel):
    uri: str
    method: str = "GET"
    headers: list[LinkHeader] = Field(default_factory=list)


class Links(WireModel):
    self: Link | None = None
    next: Link | None = None
    previous: Link | None = None


class Collection(WireModel, Generic[T]):
    """Partner Center's ResourceCollection envelope."""

    total_count: int
    items: list[T]
    links: Links = Field(default_factory=Links)
    continuation_token: str | None = None
    attributes: Attributes = Field(default_factory=lambda: Attributes(object_type="Collection"))
