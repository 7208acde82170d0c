"""Pure rules of the vendor's indirect tier changes (DESIGN §1: the vendor grants the
indirect-provider tier; issue 7: "indirect provider tier changes by the vendor, with
their effect on existing partnerships shown before confirming").

- The target is ``indirect_provider`` (grant, to an active indirect reseller without
  providers: ``partners.rules.ensure_provider_grantable``) or ``indirect_reseller``
  (revoke, from an indirect provider). Asked without a target, the other one.
- Revoking is refused while the provider is still bill-to for active subscriptions
  (anything not ended, perpetual software aside): they would have no one to bill. The
  vendor moves them to another provider or they end first.
- The vendor confirms exactly what it was shown: the preview's ``fingerprint`` is a hash
  of its content; a confirmation carrying another (the world changed meanwhile) is
  refused and asks for a new preview."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from opencsp.core.actor import Tier
from opencsp.partners.errors import (
    NotAProviderForRevoke,
    ProviderStillBillsSubscriptions,
    TierPreviewRequired,
    TierPreviewStale,
    TierUnchanged,
    UnknownTargetTier,
)

TARGETS = (Tier.INDIRECT_PROVIDER, Tier.INDIRECT_RESELLER)
TIER_NAMES = {
    Tier.INDIRECT_PROVIDER: "indirect provider",
    Tier.INDIRECT_RESELLER: "indirect reseller",
}


def _fold(value: str) -> str:
    return value.replace("_", "").replace("-", "").replace(" ", "").lower()


def parse_target(value: str | None, current: Tier) -> Tier:
    """The tier asked for (``indirect_provider`` = ``IndirectProvider``; read
    case-insensitively); none given: the other indirect tier than ``current``."""
    if value is None or not value.strip():
        return (
            Tier.INDIRECT_RESELLER if current is Tier.INDIRECT_PROVIDER else Tier.INDIRECT_PROVIDER
        )
    for tier in TARGETS:
        if _fold(tier.value) == _fold(value):
            return tier
    raise UnknownTargetTier(tier=value)


def ensure_changes(current: Tier, target: Tier, *, name: str) -> None:
    if current is target:
        raise TierUnchanged(name=name, tier=TIER_NAMES[target])


def ensure_revocable(current: Tier, active_subscriptions: int, *, name: str) -> None:
    """Only an indirect provider loses the tier, and not while it is bill-to for active
    subscriptions (the count is in the error)."""
    if current is not Tier.INDIRECT_PROVIDER:
        raise NotAProviderForRevoke(name=name)
    if active_subscriptions:
        raise ProviderStillBillsSubscriptions(name=name, count=active_subscriptions)


def fingerprint(content: Mapping[str, Any]) -> str:
    """A stable hash of what a preview shows (keys sorted, ids as strings)."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def ensure_fingerprint(given: str | None, expected: str) -> None:
    """The confirmation carries the fingerprint of the preview now: absent → preview
    first; different → what it affects changed, preview again."""
    if given is None or not given.strip():
        raise TierPreviewRequired()
    if not hmac.compare_digest(given.strip().lower(), expected):
        raise TierPreviewStale()
