"""Admin for every core model: support staff, the content team and finance share it."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from monolith.core.models import (
    Credit,
    Episode,
    Genre,
    Invoice,
    Payment,
    Person,
    Plan,
    Profile,
    Season,
    Subscription,
    Title,
    User,
)


class ProfileInline(admin.TabularInline):
    model = Profile
    extra = 0


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [ProfileInline, SubscriptionInline]
    list_display = ["username", "email", "country", "is_staff", "date_joined"]
    fieldsets = DjangoUserAdmin.fieldsets + (
        ("Reelbox", {"fields": ["country", "marketing_opt_in"]}),
    )


class SeasonInline(admin.TabularInline):
    model = Season
    extra = 0


@admin.register(Title)
class TitleAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "year", "average_rating", "rating_count", "is_published"]
    list_filter = ["kind", "is_published", "genres"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SeasonInline]


@admin.register(Episode)
class EpisodeAdmin(admin.ModelAdmin):
    list_display = ["name", "season", "number", "runtime_minutes"]
    list_select_related = ["season__title"]


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ["number", "user", "amount_cents", "status", "issued_at"]
    list_filter = ["status"]
    search_fields = ["number", "user__username"]


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["reference", "user", "amount_cents", "method", "status", "created_at"]
    list_filter = ["status", "method"]


admin.site.register([Genre, Person, Credit, Plan, Profile, Season, Subscription])
