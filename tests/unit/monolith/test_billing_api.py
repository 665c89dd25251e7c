"""/api/billing/: public plans; the user's subscriptions, invoices and payments."""

import pytest

from monolith.core.models import Invoice, Payment, Subscription
from monolith.notifications.models import EmailMessage
from tests.unit.monolith.conftest import make_user

pytestmark = pytest.mark.django_db


def test_plans_are_public_and_ordered(api, plans):
    response = api.get("/api/billing/plans/")
    assert response.status_code == 200
    assert [p["code"] for p in response.json()["results"]] == ["trial", "basic", "premium"]
    assert response.json()["results"][1]["price"] == "$7.99"
    assert api.get("/api/billing/plans/?page_size=1").json()["next"] is not None
    assert api.get(f"/api/billing/plans/{plans['premium'].pk}/").json()["max_streams"] == 2
    assert api.get("/api/billing/plans/999/").status_code == 404
    assert api.post("/api/billing/plans/", {"code": "x"}).status_code == 405


@pytest.mark.parametrize(
    "url", ["/api/billing/subscriptions/", "/api/billing/invoices/", "/api/billing/payments/"]
)
def test_user_billing_needs_login(api, url):
    assert api.get(url).status_code == 401


def test_payment_creates_paid_invoice_renews_and_queues_receipt(viewer_api, viewer, plans):
    response = viewer_api.post("/api/billing/payments/", {"plan": "basic", "method": "card"})
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "succeeded" and body["amount_cents"] == 799
    invoice = Invoice.objects.get(pk=body["invoice"]["id"])
    assert invoice.status == Invoice.PAID and invoice.user == viewer
    subscription = Subscription.objects.get(user=viewer)
    assert subscription.current_period_end == invoice.period_end
    receipt = EmailMessage.objects.get(user=viewer, kind="receipt")
    assert receipt.status == EmailMessage.QUEUED
    assert invoice.number in receipt.subject and "$7.99" in receipt.body


def test_payment_for_another_plan_starts_a_new_subscription(viewer_api, viewer, plans):
    assert (
        viewer_api.post(
            "/api/billing/payments/", {"plan": "premium", "method": "paypal"}
        ).status_code
        == 201
    )
    assert (
        Subscription.objects.filter(user=viewer, plan=plans["premium"], status="active").count()
        == 1
    )


def test_payment_bad_input_is_400(viewer_api, plans):
    response = viewer_api.post("/api/billing/payments/", {"plan": "gold", "method": "cash"})
    assert response.status_code == 400
    assert response.json() == {
        "plan": ["Object with code=gold does not exist."],
        "method": ['"cash" is not a valid choice.'],
    }
    assert Payment.objects.count() == 0


def test_lists_show_only_own_rows_with_filters(viewer_api, viewer, plans):
    other = make_user("other", plan=plans["basic"])
    viewer_api.post("/api/billing/payments/", {"plan": "basic", "method": "card"})
    viewer_api.force_authenticate(other)
    viewer_api.post("/api/billing/payments/", {"plan": "basic", "method": "card"})
    viewer_api.force_authenticate(viewer)
    assert viewer_api.get("/api/billing/payments/").json()["count"] == 1
    assert viewer_api.get("/api/billing/invoices/?status=paid").json()["count"] == 1
    assert viewer_api.get("/api/billing/invoices/?status=open").json()["count"] == 0
    bad = viewer_api.get("/api/billing/invoices/?status=late")
    assert bad.status_code == 400 and bad.json() == {"status": ['"late" is not a valid choice.']}
    foreign = Invoice.objects.get(user=other)
    assert viewer_api.get(f"/api/billing/invoices/{foreign.pk}/").status_code == 404
    assert viewer_api.get(f"/api/billing/payments/{foreign.payments.get().pk}/").status_code == 404


def test_cancel_subscription_then_cannot_cancel_twice(viewer_api, viewer):
    subscription = Subscription.objects.get(user=viewer)
    response = viewer_api.post(f"/api/billing/subscriptions/{subscription.pk}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    again = viewer_api.post(f"/api/billing/subscriptions/{subscription.pk}/cancel/")
    assert again.status_code == 400
    assert again.json() == {"detail": "A cancelled subscription cannot be cancelled."}
    assert (
        viewer_api.get("/api/billing/subscriptions/").json()["results"][0]["status"] == "cancelled"
    )
    assert viewer_api.post("/api/billing/subscriptions/999/cancel/").status_code == 404
