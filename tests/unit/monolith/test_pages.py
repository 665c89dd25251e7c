"""Server-rendered pages, static CSS, the admin and /healthz."""

import pytest

from monolith.ratings.models import Review
from tests.unit.monolith.conftest import make_user

pytestmark = pytest.mark.django_db


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_browse_lists_titles_with_genre_filter(client, catalog):
    page = client.get("/browse/").content.decode()
    assert "Alpha River" in page and "Beta Kingdom" in page and "Hidden Draft" not in page
    assert "/static/core/reelbox.css" in page
    comedy = client.get("/browse/?genre=comedy").content.decode()
    assert "Beta Kingdom" in comedy and "Alpha River" not in comedy
    assert "Page 1 of 1" in client.get("/browse/?page=nonsense").content.decode()


def test_title_page_shows_reviews_and_price(client, catalog, plans):
    movie = catalog["movie"]
    Review.objects.create(
        user=make_user("critic"), title=movie, headline="Wet and wonderful", body="Yes."
    )
    page = client.get(f"/titles/{movie.pk}/").content.decode()
    assert "Alpha River" in page and "Wet and wonderful" in page and "Ana Alves" in page
    assert "Watch from $0.00 a month." in page
    assert client.get(f"/titles/{catalog['hidden'].pk}/").status_code == 404
    assert client.post(f"/titles/{movie.pk}/").status_code == 405


def test_static_css_is_found():
    from django.contrib.staticfiles import finders

    path = finders.find("core/reelbox.css")
    assert path is not None
    with open(path, encoding="utf-8") as css:
        assert ".site-header" in css.read()


def test_admin_needs_a_superuser_and_lists_titles(client, catalog):
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/login/").status_code == 200
    root = make_user("root", staff=True)
    root.is_superuser = True
    root.save()
    client.force_login(root)
    response = client.get("/admin/core/title/")
    assert response.status_code == 200
    assert "Alpha River" in response.content.decode()
    assert client.get("/admin/core/user/").status_code == 200
