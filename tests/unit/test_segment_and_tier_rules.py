"""Pure rules of segment qualifications and indirect tier changes, as tables
(rules.md §9a; ``program.tier_rules``)."""

from __future__ import annotations

import pytest

from opencsp.catalog.rules import Segment
from opencsp.core.actor import Tier
from opencsp.customers.errors import QualificationAlreadyRequested, QualificationNotInReview
from opencsp.customers.qualification_rules import (
    Missing,
    Qualification,
    VettingStatus,
    ensure_in_review,
    ensure_requestable,
    missing_for_segment,
)
from opencsp.partners.errors import (
    NotAProviderForRevoke,
    ProviderStillBillsSubscriptions,
    TierPreviewRequired,
    TierPreviewStale,
    TierUnchanged,
    UnknownTargetTier,
)
from opencsp.program import tier_rules

ED, NP, GOV, COM = Segment.EDUCATION, Segment.NONPROFIT, Segment.GOVERNMENT, Segment.COMMERCIAL


@pytest.mark.parametrize(
    ("segment", "customer", "partner", "missing"),
    [
        (COM, set(), set(), None),
        (ED, set(), {"government"}, Missing.CUSTOMER),
        (ED, {"Education"}, set(), None),
        (ED, {"Nonprofit"}, set(), Missing.CUSTOMER),
        (NP, {"Nonprofit"}, set(), None),
        (NP, {"Education"}, set(), Missing.CUSTOMER),
        (GOV, {"GovernmentCommunityCloud"}, set(), Missing.PARTNER),
        (GOV, {"StateOwnedEntity"}, {"government"}, None),
        (GOV, {"GovernmentCommunityCloud"}, {"government"}, None),
        (GOV, set(), {"government"}, Missing.CUSTOMER),
        (GOV, {"Education", "Nonprofit"}, {"government"}, Missing.CUSTOMER),
    ],
)
def test_missing_for_segment(segment, customer, partner, missing):
    assert missing_for_segment(segment, customer, partner) is missing


@pytest.mark.parametrize(
    ("current", "allowed"),
    [
        (None, True),
        (VettingStatus.DENIED, True),
        (VettingStatus.IN_REVIEW, False),
        (VettingStatus.APPROVED, False),
    ],
)
def test_requestable_only_when_new_or_denied(current, allowed):
    if allowed:
        ensure_requestable(current, Qualification.EDUCATION)
    else:
        with pytest.raises(QualificationAlreadyRequested):
            ensure_requestable(current, Qualification.EDUCATION)


@pytest.mark.parametrize("status", [VettingStatus.APPROVED, VettingStatus.DENIED])
def test_decided_once(status):
    ensure_in_review(VettingStatus.IN_REVIEW, "Education")
    with pytest.raises(QualificationNotInReview):
        ensure_in_review(status, "Education")


@pytest.mark.parametrize(
    ("value", "current", "target"),
    [
        (None, Tier.INDIRECT_PROVIDER, Tier.INDIRECT_RESELLER),
        ("", Tier.INDIRECT_RESELLER, Tier.INDIRECT_PROVIDER),
        ("IndirectProvider", Tier.INDIRECT_RESELLER, Tier.INDIRECT_PROVIDER),
        ("indirect-reseller", Tier.INDIRECT_PROVIDER, Tier.INDIRECT_RESELLER),
        ("INDIRECT_RESELLER", Tier.DIRECT_BILL, Tier.INDIRECT_RESELLER),
    ],
)
def test_parse_target(value, current, target):
    assert tier_rules.parse_target(value, current) is target


@pytest.mark.parametrize("value", ["direct_bill", "vendor", "reseller"])
def test_parse_target_refuses_others(value):
    with pytest.raises(UnknownTargetTier):
        tier_rules.parse_target(value, Tier.INDIRECT_PROVIDER)


def test_unchanged_tier_is_refused():
    with pytest.raises(TierUnchanged):
        tier_rules.ensure_changes(Tier.INDIRECT_PROVIDER, Tier.INDIRECT_PROVIDER, name="X")


@pytest.mark.parametrize(
    ("tier", "subscriptions", "error"),
    [
        (Tier.INDIRECT_PROVIDER, 0, None),
        (Tier.INDIRECT_PROVIDER, 1, ProviderStillBillsSubscriptions),
        (Tier.INDIRECT_PROVIDER, 12, ProviderStillBillsSubscriptions),
        (Tier.DIRECT_BILL, 0, NotAProviderForRevoke),
        (Tier.INDIRECT_RESELLER, 0, NotAProviderForRevoke),
    ],
)
def test_revocable(tier, subscriptions, error):
    if error is None:
        tier_rules.ensure_revocable(tier, subscriptions, name="X")
        return
    with pytest.raises(error) as caught:
        tier_rules.ensure_revocable(tier, subscriptions, name="X")
    if subscriptions:
        assert f"{subscriptions} active subscription" in caught.value.message


def test_fingerprint_is_stable_and_order_free():
    a = tier_rules.fingerprint({"b": [1, 2], "a": "x"})
    assert a == tier_rules.fingerprint({"a": "x", "b": [1, 2]})
    assert a != tier_rules.fingerprint({"a": "y", "b": [1, 2]})
    tier_rules.ensure_fingerprint(a.upper(), a)
    with pytest.raises(TierPreviewRequired):
        tier_rules.ensure_fingerprint(" ", a)
    with pytest.raises(TierPreviewStale):
        tier_rules.ensure_fingerprint("0" * 64, a)
