"""Serializers for accounts, catalog and billing (one module, as core grew)."""

from django.contrib.auth.password_validation import validate_password
from rest_framework import serializers

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
from monolith.core.utils import format_money

# --------------------------------------------------------------------------- accounts


class UserSerializer(serializers.ModelSerializer):
    """The signed-in user's own account (``/api/accounts/me/``)."""

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "country",
            "marketing_opt_in",
            "is_staff",
        ]
        read_only_fields = ["id", "username", "is_staff"]


class ProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = Profile
        fields = ["id", "name", "is_kids", "avatar_color"]

    def validate_name(self, value: str) -> str:
        user = self.context["request"].user
        clash = Profile.objects.filter(user=user, name=value)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError("You already have a profile with this name.")
        return value


class SignupSerializer(serializers.Serializer):
    """Input of the sign-up view: account fields and the chosen plan's code."""

    username = serializers.RegexField(r"^[\w.@+-]{3,150}$")
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, min_length=8)
    plan = serializers.SlugRelatedField(
        slug_field="code", queryset=Plan.objects.filter(is_active=True)
    )

    def validate_username(self, value: str) -> str:
        if User.objects.filter(username__iexact=value).exists():
            raise serializers.ValidationError("This username is taken.")
        return value

    def validate_password(self, value: str) -> str:
        validate_password(value)
        return value


# --------------------------------------------------------------------------- catalog


class GenreSerializer(serializers.ModelSerializer):
    class Meta:
        model = Genre
        fields = ["id", "name", "slug"]


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "name", "slug"]


class CreditSerializer(serializers.ModelSerializer):
    person = PersonSerializer(read_only=True)

    class Meta:
        model = Credit
        fields = ["id", "person", "role", "character", "billing_order"]


class EpisodeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Episode
        fields = ["id", "season", "number", "name", "runtime_minutes"]


class SeasonSerializer(serializers.ModelSerializer):
    episode_count = serializers.IntegerField(source="episodes.count", read_only=True)

    class Meta:
        model = Season
        fields = ["id", "title", "number", "name", "episode_count"]


class TitleListSerializer(serializers.ModelSerializer):
    """A title in lists and nested in other apps' payloads."""

    genres = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Genre.objects.all(), required=False
    )

    class Meta:
        model = Title
        fields = [
            "id",
            "kind",
            "name",
            "slug",
            "year",
            "maturity_rating",
            "runtime_minutes",
            "genres",
            "min_plan_tier",
            "average_rating",
            "rating_count",
        ]
        read_only_fields = ["slug", "average_rating", "rating_count"]


class TitleDetailSerializer(TitleListSerializer):
    """A title with its seasons and credits."""

    seasons = SeasonSerializer(many=True, read_only=True)
    credits = CreditSerializer(many=True, read_only=True)

    class Meta(TitleListSerializer.Meta):
        fields = TitleListSerializer.Meta.fields + ["synopsis", "seasons", "credits"]


# --------------------------------------------------------------------------- billing


class PlanSerializer(serializers.ModelSerializer):
    price = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = [
            "id",
            "code",
            "name",
            "tier",
            "price_cents",
            "currency",
            "price",
            "max_streams",
            "trial_days",
        ]

    def get_price(self, plan: Plan) -> str:
        return format_money(plan.price_cents, plan.currency)


class SubscriptionSerializer(serializers.ModelSerializer):
    """A subscription with its plan nested."""

    plan = PlanSerializer(read_only=True)

    class Meta:
        model = Subscription
        fields = ["id", "plan", "status", "started_at", "current_period_end", "cancelled_at"]


class InvoiceSerializer(serializers.ModelSerializer):
    total = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "subscription",
            "amount_cents",
            "currency",
            "total",
            "status",
            "issued_at",
            "period_start",
            "period_end",
        ]

    def get_total(self, invoice: Invoice) -> str:
        return format_money(invoice.amount_cents, invoice.currency)


class PaymentSerializer(serializers.ModelSerializer):
    invoice = InvoiceSerializer(read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "invoice",
            "amount_cents",
            "currency",
            "method",
            "status",
            "reference",
            "created_at",
        ]


class PaymentCreateSerializer(serializers.Serializer):
    """Input of ``POST /api/billing/payments/``."""

    plan = serializers.SlugRelatedField(
        slug_field="code", queryset=Plan.objects.filter(is_active=True)
    )
    method = serializers.ChoiceField(choices=Payment.METHOD_CHOICES)
