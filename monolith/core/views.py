"""API views for accounts, catalog and billing."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import generics, mixins, status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from monolith.core import services
from monolith.core.models import (
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
from monolith.core.serializers import (
    EpisodeSerializer,
    GenreSerializer,
    InvoiceSerializer,
    PaymentCreateSerializer,
    PaymentSerializer,
    PersonSerializer,
    PlanSerializer,
    ProfileSerializer,
    SeasonSerializer,
    SignupSerializer,
    SubscriptionSerializer,
    TitleDetailSerializer,
    TitleListSerializer,
    UserSerializer,
)
from monolith.core.utils import (
    IsStaffOrReadOnly,
    choice_param,
    int_param,
    period_after,
    unique_slug,
)

# --------------------------------------------------------------------------- accounts


class LoginView(ObtainAuthToken):
    """POST username + password, get ``{"token": ...}`` for ``Authorization: Token <key>``."""


class MeView(generics.RetrieveUpdateAPIView):
    """GET/PATCH the signed-in user."""

    serializer_class = UserSerializer
    permission_classes = [IsAuthenticated]

    def get_object(self) -> User:
        return self.request.user


class ProfileViewSet(viewsets.ModelViewSet):
    """The signed-in user's viewer profiles."""

    serializer_class = ProfileSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return Profile.objects.filter(user=self.request.user).order_by("name", "pk")

    def perform_create(self, serializer) -> None:
        serializer.save(user=self.request.user)


class SignupView(generics.GenericAPIView):
    """Create an account and its trial subscription together: both or neither."""

    serializer_class = SignupSerializer
    permission_classes = [AllowAny]

    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        plan: Plan = data["plan"]
        now = timezone.now()
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    username=data["username"], email=data["email"], password=data["password"]
                )
                subscription = Subscription.objects.create(
                    user=user,
                    plan=plan,
                    status=Subscription.TRIALING if plan.trial_days else Subscription.ACTIVE,
                    started_at=now,
                    current_period_end=now + timedelta(days=plan.trial_days)
                    if plan.trial_days
                    else period_after(now),
                )
                services.issue_invoice(user, subscription, plan, now)
        except IntegrityError:
            return Response(
                {"detail": "The account could not be created; nothing was saved. Try again."},
                status=status.HTTP_409_CONFLICT,
            )
        body = {
            "user": UserSerializer(user).data,
            "subscription": SubscriptionSerializer(subscription).data,
        }
        return Response(body, status=status.HTTP_201_CREATED)


# --------------------------------------------------------------------------- catalog


class TitleViewSet(viewsets.ModelViewSet):
    """Titles: ``?genre=<slug>&year=<int>&kind=movie|series&search=<text>``."""

    permission_classes = [IsStaffOrReadOnly]

    def get_queryset(self):
        queryset = Title.objects.filter(is_published=True).prefetch_related("genres")
        if self.action != "list":
            return queryset.prefetch_related("seasons", "credits__person")
        return services.filter_titles(
            queryset,
            genre=self.request.query_params.get("genre"),
            year=int_param(self.request, "year"),
            kind=choice_param(self.request, "kind", [Title.MOVIE, Title.SERIES]),
            search=self.request.query_params.get("search"),
        ).order_by("name", "pk")

    def get_serializer_class(self):
        return TitleListSerializer if self.action == "list" else TitleDetailSerializer

    def perform_create(self, serializer) -> None:
        serializer.save(
            slug=unique_slug(
                Title, f"{serializer.validated_data['name']}-{serializer.validated_data['year']}"
            )
        )


class GenreViewSet(viewsets.ModelViewSet):
    """Genres, public to read."""

    queryset = Genre.objects.order_by("name", "pk")
    serializer_class = GenreSerializer
    permission_classes = [IsStaffOrReadOnly]


class SeasonViewSet(viewsets.ModelViewSet):
    """Seasons: ``?title=<id>``."""

    serializer_class = SeasonSerializer
    permission_classes = [IsStaffOrReadOnly]

    def get_queryset(self):
        queryset = Season.objects.order_by("title_id", "number", "pk")
        title = int_param(self.request, "title")
        return queryset if title is None else queryset.filter(title_id=title)


class EpisodeViewSet(viewsets.ModelViewSet):
    """Episodes: ``?season=<id>`` or ``?title=<id>``."""

    serializer_class = EpisodeSerializer
    permission_classes = [IsStaffOrReadOnly]

    def get_queryset(self):
        queryset = Episode.objects.order_by("season_id", "number", "pk")
        season = int_param(self.request, "season")
        title = int_param(self.request, "title")
        if season is not None:
            queryset = queryset.filter(season_id=season)
        if title is not None:
            queryset = queryset.filter(season__title_id=title)
        return queryset


class PersonViewSet(viewsets.ModelViewSet):
    """People: ``?search=<name>``."""

    serializer_class = PersonSerializer
    permission_classes = [IsStaffOrReadOnly]

    def get_queryset(self):
        queryset = Person.objects.order_by("name", "pk")
        search = self.request.query_params.get("search")
        return queryset.filter(name__icontains=search) if search else queryset


# --------------------------------------------------------------------------- billing


class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    """Plans on sale, public."""

    queryset = Plan.objects.filter(is_active=True).order_by("tier", "price_cents", "pk")
    serializer_class = PlanSerializer
    permission_classes = [AllowAny]


class SubscriptionViewSet(viewsets.ReadOnlyModelViewSet):
    """The user's subscriptions; POST ``<id>/cancel/`` cancels one."""

    serializer_class = SubscriptionSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return (
            Subscription.objects.filter(user=self.request.user)
            .select_related("plan")
            .order_by("-started_at", "pk")
        )

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        subscription = self.get_object()
        if subscription.status not in Subscription.PLAYABLE:
            return Response(
                {"detail": f"A {subscription.status} subscription cannot be cancelled."}, status=400
            )
        return Response(self.get_serializer(services.cancel_subscription(subscription)).data)


class InvoiceViewSet(viewsets.ReadOnlyModelViewSet):
    """Invoices: ``?status=open|paid|void``."""

    serializer_class = InvoiceSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        queryset = Invoice.objects.filter(user=self.request.user).order_by("-issued_at", "pk")
        wanted = choice_param(self.request, "status", [Invoice.OPEN, Invoice.PAID, Invoice.VOID])
        return queryset.filter(status=wanted) if wanted else queryset


class PaymentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """POST ``{"plan": "<code>", "method": "card"|"paypal"}`` pays one period."""

    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return (
            Payment.objects.filter(user=self.request.user)
            .select_related("invoice")
            .order_by("-created_at", "pk")
        )

    def get_serializer_class(self):
        return PaymentCreateSerializer if self.action == "create" else PaymentSerializer

    def create(self, request, *args, **kwargs):
        serializer = PaymentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment = services.take_payment(
            request.user, serializer.validated_data["plan"], serializer.validated_data["method"]
        )
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)
