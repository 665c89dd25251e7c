"""/api/accounts/: token login, me, profiles, and the two-domain sign-up transaction."""

import pytest

from monolith.core.models import Invoice, Profile, Subscription, User
from monolith.notifications.models import EmailMessage
from tests.unit.monolith.conftest import make_user

pytestmark = pytest.mark.django_db


def test_token_login_then_me(api, viewer):
    response = api.post("/api/accounts/token/", {"username": "viewer", "password": "pw-12345678"})
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/accounts/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "viewer"


def test_token_login_bad_password_is_400(api, viewer):
    response = api.post("/api/accounts/token/", {"username": "viewer", "password": "wrong"})
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Unable to log in with provided credentials."]}


def test_me_requires_login_and_rejects_bad_token(api):
    assert api.get("/api/accounts/me/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = api.get("/api/accounts/me/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_me_update_and_validation(viewer_api):
    assert viewer_api.patch("/api/accounts/me/", {"country": "FR"}).json()["country"] == "FR"
    response = viewer_api.patch("/api/accounts/me/", {"email": "not-an-email"})
    assert response.status_code == 400
    assert response.json() == {"email": ["Enter a valid email address."]}


def test_session_authentication_works_too(client, viewer):
    client.force_login(viewer)
    assert client.get("/api/accounts/me/").json()["username"] == "viewer"


def test_profiles_are_private_and_paginated(viewer_api, viewer):
    other = make_user("other")
    response = viewer_api.get("/api/accounts/profiles/")
    assert response.status_code == 200
    assert [p["name"] for p in response.json()["results"]] == [
        "viewer"
    ]  # made by the accounts signal
    foreign = Profile.objects.get(user=other)
    assert viewer_api.get(f"/api/accounts/profiles/{foreign.pk}/").status_code == 404
    assert (
        viewer_api.post("/api/accounts/profiles/", {"name": "Kids", "is_kids": True}).status_code
        == 201
    )
    assert viewer_api.get("/api/accounts/profiles/?page_size=1").json()["next"] is not None


def test_profile_duplicate_name_is_400(viewer_api):
    response = viewer_api.post("/api/accounts/profiles/", {"name": "viewer"})
    assert response.status_code == 400
    assert response.json() == {"name": ["You already have a profile with this name."]}


def test_profiles_need_login(api):
    assert api.get("/api/accounts/profiles/").status_code == 401


def test_signup_creates_user_trial_subscription_invoice_and_welcome(api, plans):
    response = api.post(
        "/api/accounts/signup/",
        {
            "username": "newbie",
            "email": "newbie@example.com",
            "password": "a-long-pass-phrase",
            "plan": "trial",
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["user"]["username"] == "newbie"
    assert body["subscription"]["status"] == "trialing"
    user = User.objects.get(username="newbie")
    assert Subscription.objects.filter(user=user, plan=plans["trial"]).count() == 1
    assert Invoice.objects.filter(user=user).count() == 1
    assert EmailMessage.objects.filter(user=user, kind="welcome").count() == 1


def test_signup_bad_input_is_400(api, plans, viewer):
    response = api.post(
        "/api/accounts/signup/",
        {"username": "viewer", "email": "x", "password": "password", "plan": "gold"},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["username"] == ["This username is taken."]
    assert body["email"] == ["Enter a valid email address."]
    assert body["plan"] == ["Object with code=gold does not exist."]
    assert body["password"] == ["This password is too common."]


def test_signup_rolls_back_both_domains_when_billing_fails(api, plans):
    # Invoice numbers follow the row count (legacy): a row already holding the next number makes
    # the invoice INSERT fail after the user and the subscription were written in the same block.
    squatter = make_user("squatter")
    Invoice.objects.create(
        number="INV-000002",
        user=squatter,
        amount_cents=1,
        period_start="2025-01-01T00:00Z",
        period_end="2025-02-01T00:00Z",
    )
    users, subscriptions, emails = (
        User.objects.count(),
        Subscription.objects.count(),
        EmailMessage.objects.count(),
    )

    response = api.post(
        "/api/accounts/signup/",
        {
            "username": "unlucky",
            "email": "unlucky@example.com",
            "password": "a-long-pass-phrase",
            "plan": "basic",
        },
    )

    assert response.status_code == 409
    assert "nothing was saved" in response.json()["detail"]
    assert User.objects.count() == users and not User.objects.filter(username="unlucky").exists()
    assert Subscription.objects.count() == subscriptions
    assert EmailMessage.objects.count() == emails
