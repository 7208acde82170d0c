"""Fixtures of the billing service tests: the commerce scene, and a subscription of the
direct-bill partner's customer and of the provider's, sold through its reseller."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from opencsp.subscriptions.models import Subscription
from tests.factories.commerce import Scene, scene, subscription


@pytest.fixture()
def sc(session: Session) -> Scene:
    return scene(session)


@pytest.fixture()
def direct_sub(session: Session, sc: Scene) -> Subscription:
    return subscription(session, sc.direct_customer, sc.direct, sc.offer, quantity=3)


@pytest.fixture()
def indirect_sub(session: Session, sc: Scene) -> Subscription:
    return subscription(
        session,
        sc.indirect_customer,
        sc.provider,
        sc.offer,
        quantity=4,
        reseller=sc.reseller,
        reseller_mpn_id=sc.reseller_mpn_id,
    )
