"""Server-rendered pages (the site before the apps had an API) and the health check."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from monolith.core.models import Genre, Plan, Title
from monolith.core.utils import format_money
from monolith.ratings.models import Review

BROWSE_PAGE_SIZE = 24


@require_safe
def browse(request: HttpRequest) -> HttpResponse:
    """The catalog grid, ``?genre=<slug>&page=<n>``."""
    titles = (
        Title.objects.filter(is_published=True).prefetch_related("genres").order_by("name", "pk")
    )
    genre_slug = request.GET.get("genre") or ""
    if genre_slug:
        titles = titles.filter(genres__slug=genre_slug).distinct()
    page = Paginator(titles, BROWSE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "genres": Genre.objects.order_by("name", "pk"),
        "genre_slug": genre_slug,
    }
    return render(request, "core/browse.html", context)


@require_safe
def title_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One title with its seasons, cast and the latest reviews (read straight from ratings)."""
    title = get_object_or_404(
        Title.objects.prefetch_related("genres", "seasons", "credits__person"),
        pk=pk,
        is_published=True,
    )
    reviews = (
        Review.objects.filter(title=title).select_related("user").order_by("-created_at", "pk")[:10]
    )
    cheapest = (
        Plan.objects.filter(is_active=True, tier__gte=title.min_plan_tier)
        .order_by("price_cents", "pk")
        .first()
    )
    price_from = format_money(cheapest.price_cents, cheapest.currency) if cheapest else None
    context = {"title": title, "reviews": reviews, "price_from": price_from}
    return render(request, "core/title_detail.html", context)


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})
