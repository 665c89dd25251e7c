from django.contrib import admin

from monolith.ratings.models import Rating, Review


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["user", "title", "score", "created_at"]
    list_select_related = ["user", "title"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["headline", "user", "title", "contains_spoilers", "created_at"]
    search_fields = ["headline", "body"]
