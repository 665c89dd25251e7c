"""Ratings (your own) and reviews (everyone's, written by their author)."""

from rest_framework import permissions, status, viewsets
from rest_framework.response import Response

from monolith.core.utils import int_param
from monolith.ratings.models import Rating, Review
from monolith.ratings.serializers import RatingSerializer, ReviewSerializer


class IsAuthorOrReadOnly(permissions.BasePermission):
    def has_object_permission(self, request, view, obj) -> bool:
        return request.method in permissions.SAFE_METHODS or obj.user_id == request.user.pk


class RatingViewSet(viewsets.ModelViewSet):
    """The user's ratings, ``?title=<id>``; POST on an already rated title updates it."""

    serializer_class = RatingSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        queryset = Rating.objects.filter(user=self.request.user).order_by("-created_at", "pk")
        title = int_param(self.request, "title")
        return queryset if title is None else queryset.filter(title_id=title)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rating, created = Rating.objects.update_or_create(
            user=request.user,
            title=serializer.validated_data["title"],
            defaults={"score": serializer.validated_data["score"]},
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(self.get_serializer(rating).data, status=code)


class ReviewViewSet(viewsets.ModelViewSet):
    """All reviews, ``?title=<id>&user=<id>``; only the author edits or deletes."""

    serializer_class = ReviewSerializer
    permission_classes = [permissions.IsAuthenticated, IsAuthorOrReadOnly]

    def get_queryset(self):
        queryset = (
            Review.objects.select_related("user", "title", "rating")
            .prefetch_related("title__genres")
            .order_by("-created_at", "pk")
        )
        title = int_param(self.request, "title")
        user = int_param(self.request, "user")
        if title is not None:
            queryset = queryset.filter(title_id=title)
        if user is not None:
            queryset = queryset.filter(user_id=user)
        return queryset

    def perform_create(self, serializer) -> None:
        title = serializer.validated_data["title"]
        rating = Rating.objects.filter(user=self.request.user, title=title).first()
        serializer.save(user=self.request.user, rating=rating)
