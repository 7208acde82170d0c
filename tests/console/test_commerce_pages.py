"""The commerce pages without a browser: the buy flow (offers of the customer's country
→ cart with prices and line errors → checkout → order), order history, subscriptions with
their windows, timeline and actions, order requests between a reseller and its provider —
per role (direct-bill partner, provider choosing the reseller of record, read-only
Helpdesk agent, reseller without subscriptions or prices), in English and Korean, with
refused actions showing their documented code."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.auth.rules import Role
from opencsp.catalog.rules import BillingPlan
from opencsp.orders import checkout, requests
from opencsp.orders.models import Order, OrderLine, OrderRequest
from opencsp.subscriptions.models import SeatBatch, Subscription, SubscriptionEvent
from tests.conftest import NOW
from tests.factories import member
from tests.factories.commerce import Scene, line, scene, sign_partner_agreement, subscription
from tests.factories.console_pricing import HTML, sign_in
from tests.factories.parties import customer, partner

pytestmark = pytest.mark.usefixtures("client")


@pytest.fixture
def sc(session: Session) -> Scene:
    found = scene(session)
    sign_partner_agreement(session, found.direct)
    sign_partner_agreement(session, found.provider)
    session.flush()
    return found


def item_fields(html: str, item: str, term: str = "P1Y", plan: str = "monthly") -> str:
    """The form field name of the seat input of one offer row of the buy page."""
    row = re.search(
        rf'data-item="{re.escape(item)}" data-term="{term}" data-plan="{plan}">(.*?)</tr>',
        html,
        re.S,
    )
    assert row, f"no offer row {item} {term} {plan}"
    found = re.search(r'name="(item_[^"]+)"', row.group(1))
    assert found
    return found.group(1)


def add_to_cart(
    client: TestClient, csrf: str, customer_id: uuid.UUID, item: str, seats: int, **extra: str
):
    page = client.get(f"/customers/{customer_id}/buy", headers=HTML).text
    field = item_fields(page, item)
    value = re.search(rf'name="{field}" value="([^"]+)"', page)
    assert value
    data = {
        "csrf_token": csrf,
        field: value.group(1).replace("&#124;", "|"),
        "quantity_" + field.removeprefix("item_"): str(seats),
        **extra,
    }
    return client.post(
        f"/customers/{customer_id}/carts", data=data, headers=HTML, follow_redirects=False
    )


def test_a_direct_partner_buys_and_sees_the_order_and_the_subscription(
    client: TestClient, session: Session, sc: Scene
):
    csrf = sign_in(client, sc.direct)
    cid = sc.direct_customer.id
    buy = client.get(f"/customers/{cid}/buy", headers=HTML)
    assert buy.status_code == 200
    assert 'id="buy-form"' in buy.text and 'id="agreement-missing"' not in buy.text
    added = add_to_cart(client, csrf, cid, sc.offer.catalog_item_id, 10)
    assert added.status_code == 303, added.text
    cart_url = added.headers["location"]
    cart = client.get(cart_url, headers=HTML).text
    assert 'data-field="unit-price">$120.00<' in cart
    assert 'data-field="extended-price">$1,200.00<' in cart
    assert "data-error=" not in cart
    out = client.post(
        cart_url + "/checkout", data={"csrf_token": csrf}, headers=HTML, follow_redirects=False
    )
    assert out.status_code == 303, out.text
    order_page = client.get(out.headers["location"], headers=HTML)
    assert order_page.status_code == 200
    order = session.scalars(select(Order).where(Order.customer_id == cid)).one()
    assert f'id="order-id">{order.id}<' in order_page.text
    assert "The order was placed." in order_page.text
    sub = session.scalars(select(Subscription).where(Subscription.order_id == order.id)).one()
    assert f'data-subscription="{sub.id}"' in order_page.text
    detail = client.get(f"/customers/{cid}/subscriptions/{sub.id}", headers=HTML).text
    assert 'data-event="new"' in detail
    assert 'data-window="open"' in detail
    assert 'id="actions"' in detail
    listed = client.get(f"/customers/{cid}/orders", headers=HTML).text
    assert f'data-order="{order.id}"' in listed
    subs = client.get(f"/customers/{cid}/subscriptions", headers=HTML).text
    assert f'data-subscription="{sub.id}"' in subs


@pytest.mark.parametrize(("seats", "error"), [(1, None), (300, None), (301, True)])
def test_cart_lines_show_their_documented_error_at_the_seat_limits(
    client: TestClient, session: Session, sc: Scene, seats: int, error: bool | None
):
    csrf = sign_in(client, sc.direct)
    added = add_to_cart(client, csrf, sc.direct_customer.id, sc.offer.catalog_item_id, seats)
    assert added.status_code == 303, added.text
    cart = client.get(added.headers["location"], headers=HTML).text
    found = re.search(r'data-error="(\d+)"', cart)
    if error:
        assert found, "the line's error is shown with its code"
        assert f"{found.group(1)} · " in cart
        assert re.search(r"<button[^>]*disabled[^>]*>Place the order", cart)
    else:
        assert found is None
        assert re.search(r"<button[^>]*>Place the order", cart)


def test_no_seats_at_all_is_refused_on_the_buy_page(client, session, sc):
    csrf = sign_in(client, sc.direct)
    r = client.post(
        f"/customers/{sc.direct_customer.id}/carts", data={"csrf_token": csrf}, headers=HTML
    )
    assert r.status_code == 400
    assert "Give a number of seats for at least one offer." in r.text
    assert 'id="buy-form"' in r.text


def test_without_the_customer_agreement_the_buy_page_links_to_it(client, session, sc):
    sign_in(client, sc.direct)
    unaccepted = customer(session, sc.direct.org)
    session.flush()
    page = client.get(f"/customers/{unaccepted.id}/buy", headers=HTML).text
    assert 'id="agreement-missing"' in page
    assert f'href="/customers/{unaccepted.id}/agreement"' in page
    assert 'id="buy-form"' not in page


def test_a_provider_chooses_the_reseller_of_record_by_name(client, session, sc):
    csrf = sign_in(client, sc.provider)
    cid = sc.indirect_customer.id
    page = client.get(f"/customers/{cid}/buy", headers=HTML).text
    assert f'<option value="{sc.reseller_mpn_id}"' in page
    assert sc.reseller.org.name in page
    added = add_to_cart(client, csrf, cid, sc.offer.catalog_item_id, 5, reseller=sc.reseller_mpn_id)
    assert added.status_code == 303, added.text
    out = client.post(
        added.headers["location"] + "/checkout",
        data={"csrf_token": csrf},
        headers=HTML,
        follow_redirects=False,
    )
    assert out.status_code == 303, out.text
    line = session.scalars(select(OrderLine).join(Order).where(Order.customer_id == cid)).one()
    assert line.partner_id_on_record == sc.reseller_mpn_id
    assert line.reseller_organization_id == sc.reseller.org.id


@pytest.mark.parametrize(
    ("age", "refused"),
    [
        (timedelta(days=1), False),
        (timedelta(days=6, hours=23), False),
        (timedelta(days=7, seconds=1), True),
        (timedelta(days=30), True),
    ],
)
def test_cancel_inside_the_window_refunds_and_after_it_shows_900117(
    client, session, sc, age, refused
):
    csrf = sign_in(client, sc.direct)
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, quantity=4)
    started = NOW - age
    sub.created_at = started
    session.flush()
    for row in session.scalars(select(SeatBatch).where(SeatBatch.subscription_id == sub.id)):
        row.added_at, row.allowed_until = started, started + timedelta(days=7)
    for ev in session.scalars(
        select(SubscriptionEvent).where(SubscriptionEvent.subscription_id == sub.id)
    ):
        ev.at = started
    sub.cancellable_until = started + timedelta(days=7)
    session.flush()
    url = f"/customers/{sc.direct_customer.id}/subscriptions/{sub.id}"
    page = client.get(url, headers=HTML).text
    assert ('data-window="closed"' in page) is refused
    r = client.post(
        url + "/cancel",
        data={"csrf_token": csrf, "version": str(sub.version)},
        headers=HTML,
        follow_redirects=False,
    )
    if refused:
        assert r.status_code == 400, r.text
        assert "(code 900117)" in r.text
        assert 'id="subscription-facts"' in r.text  # shown again with the message
    else:
        assert r.status_code == 303, r.text
        after = client.get(r.headers["location"], headers=HTML).text
        assert 'data-status="deleted"' in after
        assert 'data-event="cancelImmediate"' in after


def test_seat_change_and_auto_renew_and_rename(client, session, sc):
    csrf = sign_in(client, sc.direct)
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, quantity=4)
    url = f"/customers/{sc.direct_customer.id}/subscriptions/{sub.id}"

    def post(action: str, **data: str):
        session.expire_all()
        version = str(session.get(Subscription, sub.id).version)  # type: ignore[union-attr]
        body = {"csrf_token": csrf, "version": version, **data}
        return client.post(f"{url}/{action}", data=body, headers=HTML, follow_redirects=False)

    assert post("quantity", quantity="6").status_code == 303
    assert post("auto-renew", on="0").status_code == 303
    assert post("rename", friendly_name="Sales team").status_code == 303
    page = client.get(url, headers=HTML).text
    assert 'data-field="quantity">6<' in page
    assert 'data-field="auto-renew">Off<' in page
    assert 'id="subscription-name">Sales team<' in page
    assert 'data-event="addQuantity"' in page and 'data-event="rename"' in page


def test_a_stale_version_is_refused_with_2055(client, session, sc):
    csrf = sign_in(client, sc.direct)
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, quantity=4)
    url = f"/customers/{sc.direct_customer.id}/subscriptions/{sub.id}"
    body = {"csrf_token": csrf, "version": str(sub.version + 5), "quantity": "5"}
    r = client.post(f"{url}/quantity", data=body, headers=HTML)
    assert r.status_code == 400, r.text
    assert "(code 2055)" in r.text


def test_a_read_only_agent_sees_no_action_and_cannot_act(client, session, sc):
    helpdesk = member(session, sc.direct.org, roles=(Role.HELPDESK_AGENT,))
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, quantity=4)
    csrf = sign_in(client, helpdesk)
    url = f"/customers/{sc.direct_customer.id}/subscriptions/{sub.id}"
    page = client.get(url, headers=HTML)
    assert page.status_code == 200
    assert 'id="timeline"' in page.text and 'id="actions"' not in page.text
    r = client.post(f"{url}/cancel", data={"csrf_token": csrf}, headers=HTML)
    assert r.status_code == 403
    assert client.get(f"/customers/{sc.direct_customer.id}/buy", headers=HTML).status_code == 403


def test_a_reseller_reads_subscriptions_without_prices_and_requests_an_order(client, session, sc):
    """Resellers see their customers' subscriptions and orders read-only (issue 5), never
    their provider's prices (rules.md §1.4), and cannot buy: they request orders."""
    sub = subscription(
        session,
        sc.indirect_customer,
        sc.provider,
        sc.offer,
        unit_price="123.45",
        reseller=sc.reseller,
        reseller_mpn_id=sc.reseller_mpn_id,
    )
    csrf = sign_in(client, sc.reseller)
    cid = sc.indirect_customer.id
    assert client.get(f"/customers/{cid}/buy", headers=HTML).status_code == 403
    detail = client.get(f"/customers/{cid}/subscriptions/{sub.id}", headers=HTML)
    assert detail.status_code == 200
    assert "123.45" not in detail.text
    assert "<form" not in detail.text.split("<main", 1)[-1].split("</main>", 1)[0]
    assert f'/subscriptions/{sub.id}"' in client.get(f"/customers/{cid}/subscriptions").text
    order = client.get(f"/customers/{cid}/orders/{sub.order_id}", headers=HTML)
    assert order.status_code == 200 and "123.45" not in order.text
    r = client.post(
        f"/customers/{cid}/subscriptions/{sub.id}/cancel", data={"csrf_token": csrf}, headers=HTML
    )
    assert r.status_code == 403
    page = client.get(f"/customers/{cid}/order-requests", headers=HTML)
    assert page.status_code == 200
    assert 'id="request-form"' in page.text
    assert 'data-field="unit-price"' not in page.text  # resellers see no prices
    field = item_fields(page.text, sc.offer.catalog_item_id)
    value = re.search(rf'name="{field}" value="([^"]+)"', page.text)
    assert value
    data = {
        "csrf_token": csrf,
        field: value.group(1),
        "quantity_" + field.removeprefix("item_"): "3",
        "note": "For the new office",
    }
    r = client.post(
        f"/customers/{cid}/order-requests", data=data, headers=HTML, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    row = session.scalars(select(OrderRequest).where(OrderRequest.customer_id == cid)).one()
    assert row.status == "open"
    assert row.lines[0]["partnerIdOnRecord"] == sc.reseller_mpn_id
    listed = client.get(f"/customers/{cid}/order-requests", headers=HTML).text
    assert f'data-request="{row.id}" data-status="open"' in listed
    assert "/convert" not in listed  # the reseller cannot act on its request
    assert f'data-request="{row.id}"' in client.get("/order-requests", headers=HTML).text


def _request(session: Session, sc: Scene, seats: int = 3) -> OrderRequest:
    row = requests.submit_request(
        session,
        sc.reseller.actor,
        sc.indirect_customer.id,
        [line(sc.offer, seats, partner_id_on_record=sc.reseller_mpn_id)],
    )
    session.flush()
    return row


def test_the_provider_turns_a_request_into_a_cart_or_declines_it(client, session, sc):
    first, second = _request(session, sc), _request(session, sc, 2)
    csrf = sign_in(client, sc.provider)
    cid = sc.indirect_customer.id
    page = client.get(f"/customers/{cid}/order-requests", headers=HTML).text
    assert f"/order-requests/{first.id}/convert" in page
    assert 'id="request-form"' not in page
    r = client.post(
        f"/customers/{cid}/order-requests/{first.id}/convert",
        data={"csrf_token": csrf},
        headers=HTML,
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    cart = client.get(r.headers["location"], headers=HTML).text
    assert "The order request is now a cart." in cart
    assert 'data-field="unit-price">$120.00<' in cart
    declined = client.post(
        f"/customers/{cid}/order-requests/{second.id}/decline",
        data={"csrf_token": csrf, "reason": "Budget"},
        headers=HTML,
        follow_redirects=False,
    )
    assert declined.status_code == 303
    session.expire_all()
    assert session.get(OrderRequest, second.id).status == "declined"  # type: ignore[union-attr]
    again = client.post(
        f"/customers/{cid}/order-requests/{second.id}/decline",
        data={"csrf_token": csrf, "reason": "Twice"},
        headers=HTML,
    )
    assert again.status_code == 409


def test_another_partner_gets_404_everywhere(client, session, sc):
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, quantity=4)
    other = partner(session)
    csrf = sign_in(client, other)
    cid = sc.direct_customer.id
    for path in (
        f"/customers/{cid}/buy",
        f"/customers/{cid}/orders",
        f"/customers/{cid}/orders/{sub.order_id}",
        f"/customers/{cid}/subscriptions",
        f"/customers/{cid}/subscriptions/{sub.id}",
        f"/customers/{uuid.uuid4()}/subscriptions",
        f"/customers/{cid}/subscriptions/not-a-guid",
    ):
        assert client.get(path, headers=HTML).status_code == 404, path
    r = client.post(
        f"/customers/{cid}/subscriptions/{sub.id}/cancel",
        data={"csrf_token": csrf},
        headers=HTML,
    )
    assert r.status_code == 404
    session.expire_all()
    assert session.get(Subscription, sub.id).status == "active"  # type: ignore[union-attr]


def test_actions_need_the_form_token(client, session, sc):
    sign_in(client, sc.direct)
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, quantity=4)
    url = f"/customers/{sc.direct_customer.id}/subscriptions/{sub.id}/cancel"
    assert client.post(url, data={"csrf_token": "forged"}, headers=HTML).status_code == 403


def test_the_customer_page_links_to_commerce_by_role(client, session, sc):
    sign_in(client, sc.direct)
    page = client.get(f"/customers/{sc.direct_customer.id}", headers=HTML).text
    for path in ("buy", "orders", "subscriptions"):
        assert f'href="/customers/{sc.direct_customer.id}/{path}"' in page
    assert "order-requests" not in page
    client.cookies.clear()
    sign_in(client, sc.reseller)
    page = client.get(f"/customers/{sc.indirect_customer.id}", headers=HTML).text
    assert f'href="/customers/{sc.indirect_customer.id}/order-requests"' in page
    assert f'href="/customers/{sc.indirect_customer.id}/buy"' not in page
    assert 'data-area="order-requests"' in page


def _pages(sc: Scene, sub: Subscription) -> list[str]:
    cid = sc.direct_customer.id
    return [
        f"/customers/{cid}/buy",
        f"/customers/{cid}/orders",
        f"/customers/{cid}/orders/{sub.order_id}",
        f"/customers/{cid}/subscriptions",
        f"/customers/{cid}/subscriptions/{sub.id}",
    ]


@pytest.mark.parametrize("language", ["en", "ko"])
def test_every_page_renders_in_both_languages(client, session, sc, language):
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, quantity=4)
    sign_in(client, sc.direct, language=language)
    for path in _pages(sc, sub):
        page = client.get(path, headers=HTML)
        assert page.status_code == 200, path
        assert f'<html lang="{language}">' in page.text
        assert page.headers["content-language"] == language
    detail = client.get(_pages(sc, sub)[-1], headers=HTML).text
    assert 'id="timeline"' in detail and 'data-event="new"' in detail
    client.cookies.clear()
    _request(session, sc)
    sign_in(client, sc.provider, language=language)
    requests_page = client.get(f"/customers/{sc.indirect_customer.id}/order-requests", headers=HTML)
    assert requests_page.status_code == 200 and 'id="order-requests"' in requests_page.text


def _perpetual_order(session: Session, sc: Scene) -> Order:
    order = checkout.place_order(
        session,
        sc.direct.actor,
        sc.direct_customer.id,
        [line(sc.perpetual, 2, term=None, plan=BillingPlan.ONE_TIME)],
    )
    session.flush()
    return order


@pytest.mark.parametrize("language", ["en", "ko"])
def test_cancel_a_perpetual_purchase_in_its_window(client, session, sc, language):
    csrf = sign_in(client, sc.direct, language=language)
    order = _perpetual_order(session, sc)
    url = f"/customers/{sc.direct_customer.id}/orders/{order.id}"
    page = client.get(url, headers=HTML).text
    assert 'data-cancel="0"' in page
    if language == "en":
        assert "Cancel purchase" in page and "Full refund of" in page
    r = client.post(
        url + "/cancel",
        data={"csrf_token": csrf, "line": "0"},
        headers=HTML,
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert r.headers["location"].endswith("?done=purchase_cancelled")
    after = client.get(r.headers["location"], headers=HTML).text
    assert 'data-cancel="0"' not in after
    assert 'data-cancelled="0"' in after and 'data-refund="0"' in after
    if language == "en":
        assert "The purchase was cancelled and its refund recorded." in after
    session.expire_all()
    ln = session.scalars(select(OrderLine).where(OrderLine.order_id == order.id)).one()
    assert ln.refund == ln.charge and ln.cancelled_at == NOW
    assert session.get(Order, order.id).status == "cancelled"


def test_after_thirty_days_no_cancel_and_a_post_shows_900117(client, session, sc):
    csrf = sign_in(client, sc.direct)
    order = _perpetual_order(session, sc)
    order.created_at = NOW - timedelta(days=31)
    session.flush()
    url = f"/customers/{sc.direct_customer.id}/orders/{order.id}"
    assert 'data-cancel="0"' not in client.get(url, headers=HTML).text
    r = client.post(
        url + "/cancel",
        data={"csrf_token": csrf, "line": "0"},
        headers=HTML,
        follow_redirects=False,
    )
    assert r.status_code == 400, r.text
    assert "(code 900117)" in r.text and 'id="order-lines"' in r.text


def test_a_read_only_agent_sees_no_cancel(client, session, sc):
    order = _perpetual_order(session, sc)
    agent = member(session, sc.direct.org, roles=(Role.HELPDESK_AGENT,))
    sign_in(client, agent)
    page = client.get(f"/customers/{sc.direct_customer.id}/orders/{order.id}", headers=HTML)
    assert page.status_code == 200
    assert 'data-cancel="0"' not in page.text
