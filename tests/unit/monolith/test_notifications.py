"""The outbox: receivers on accounts/billing signals, delivery, the API and the nightly jobs."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from monolith.core.models import Subscription, Title
from monolith.notifications.models import EmailMessage
from monolith.notifications.services import deliver_outbox
from monolith.playback.models import ViewingSession
from tests.unit.monolith.conftest import make_user

pytestmark = pytest.mark.django_db


def test_new_user_gets_one_welcome_email(viewer):
    message = EmailMessage.objects.get(user=viewer)
    assert (message.kind, message.to_address, message.status) == (
        "welcome",
        "viewer@example.com",
        "queued",
    )
    viewer.save()  # not "created": no second e-mail
    assert EmailMessage.objects.filter(user=viewer).count() == 1


def test_deliver_outbox_sends_through_django_mail(viewer, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliver_outbox() == 1
    assert [m.to for m in mail.outbox] == [["viewer@example.com"]]
    assert EmailMessage.objects.get(user=viewer).status == EmailMessage.SENT
    assert deliver_outbox() == 0


def test_messages_api_lists_own_mail_with_kind_filter(api, viewer_api, viewer):
    make_user("other")
    assert api.get("/api/notifications/messages/").status_code == 401
    response = viewer_api.get("/api/notifications/messages/?kind=welcome")
    assert [m["subject"] for m in response.json()["results"]] == ["Welcome to Reelbox"]
    assert viewer_api.get("/api/notifications/messages/?kind=receipt").json()["count"] == 0
    bad = viewer_api.get("/api/notifications/messages/?kind=spam")
    assert bad.status_code == 400 and bad.json() == {"kind": ['"spam" is not a valid choice.']}
    foreign = EmailMessage.objects.exclude(user=viewer).get()
    assert viewer_api.get(f"/api/notifications/messages/{foreign.pk}/").status_code == 404


def test_expire_subscriptions_touches_billing_playback_and_notifications(viewer, plans, catalog):
    subscription = Subscription.objects.get(user=viewer)
    Subscription.objects.filter(pk=subscription.pk).update(
        current_period_end=timezone.now() - timedelta(hours=1)
    )
    session = ViewingSession.objects.create(
        user=viewer, profile=viewer.profiles.get(), title=catalog["movie"]
    )
    keeper = make_user("keeper", plan=plans["basic"])

    dry = StringIO()
    call_command("expire_subscriptions", "--dry-run", stdout=dry)
    assert dry.getvalue().strip() == "would expire 1 subscription(s); closed 0 open stream(s)"
    assert Subscription.objects.get(pk=subscription.pk).status == "active"

    out = StringIO()
    call_command("expire_subscriptions", stdout=out)
    assert out.getvalue().strip() == "expired 1 subscription(s); closed 1 open stream(s)"
    assert Subscription.objects.get(pk=subscription.pk).status == "expired"
    session.refresh_from_db()
    assert session.ended_at is not None
    assert EmailMessage.objects.filter(user=viewer, kind="expired").count() == 1
    assert Subscription.objects.get(user=keeper).status == "active"


def test_nightly_digest_queues_once_per_opted_in_subscriber(viewer, plans, catalog):
    viewer.marketing_opt_in = True
    viewer.save()
    make_user("quiet", plan=plans["basic"])  # not opted in
    Title.objects.filter(pk=catalog["movie"].pk).update(
        created_at=timezone.now() - timedelta(days=5)
    )
    out = StringIO()
    call_command("nightly_digest", stdout=out)
    assert out.getvalue().strip() == "queued 1 digest e-mail(s)"
    digest = EmailMessage.objects.get(kind="digest")
    assert digest.user == viewer
    assert "Beta Kingdom (2010)" in digest.body.split("Picked for you:")[0]
    assert "Alpha River" not in digest.body.split("Picked for you:")[0]
    call_command("nightly_digest", stdout=StringIO())
    assert EmailMessage.objects.filter(kind="digest").count() == 1
