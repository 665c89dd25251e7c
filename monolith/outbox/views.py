"""The outbox read API: events after a sequence, and a keyset export for backfills."""

from datetime import datetime

from django.db.models import Max, Min
from django.http import Http404
from rest_framework.response import Response
from rest_framework.views import APIView

from monolith.core.utils import int_param
from monolith.outbox.models import OutboxEvent
from monolith.outbox.permissions import IsStaffOrServiceToken
from monolith.outbox.snapshots import AGGREGATE_ORDER, AGGREGATES, snapshot

MAX_LIMIT = 1000


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


class OutboxEventsView(APIView):
    """``?after=<sequence>&limit=<n>``: events in sequence order, plus the newest sequence."""

    permission_classes = [IsStaffOrServiceToken]

    def get(self, request):
        after = int_param(request, "after", minimum=0) or 0
        limit = min(int_param(request, "limit", minimum=1) or 100, MAX_LIMIT)
        events = list(OutboxEvent.objects.filter(sequence__gt=after).order_by("sequence")[:limit])
        bounds = OutboxEvent.objects.aggregate(newest=Max("sequence"))
        oldest_unread = OutboxEvent.objects.filter(sequence__gt=after).aggregate(
            at=Min("created_at")
        )
        return Response(
            {
                "after": after,
                "newest_sequence": bounds["newest"] or 0,
                "oldest_unread_at": _iso(oldest_unread["at"]),
                "events": [
                    {
                        "sequence": event.sequence,
                        "aggregate": event.aggregate,
                        "aggregate_id": event.aggregate_id,
                        "op": event.op,
                        "payload": event.payload,
                        "created_at": _iso(event.created_at),
                    }
                    for event in events
                ],
            }
        )


class OutboxExportView(APIView):
    """``<aggregate>/?after_id=<pk>&limit=<n>``: full rows by ascending id (keyset pages).

    Unlike the public catalog API this includes unpublished titles and every column, and
    its pages cannot shift under concurrent inserts.
    """

    permission_classes = [IsStaffOrServiceToken]

    def get(self, request, aggregate: str):
        if aggregate not in AGGREGATES:
            raise Http404(f"No aggregate {aggregate!r}; one of {', '.join(AGGREGATE_ORDER)}.")
        model, _ = AGGREGATES[aggregate]
        after_id = int_param(request, "after_id", minimum=0) or 0
        limit = min(int_param(request, "limit", minimum=1) or 200, MAX_LIMIT)
        queryset = model._default_manager.filter(pk__gt=after_id).order_by("pk")
        if aggregate == "title":
            queryset = queryset.prefetch_related("genres")
        rows = [snapshot(aggregate, row) for row in queryset[: limit + 1]]
        has_more = len(rows) > limit
        rows = rows[:limit]
        # The event high-water mark at the time of this page: sync resumes from the one
        # taken before the first page, so no change made during the copy is missed.
        newest = OutboxEvent.objects.aggregate(newest=Max("sequence"))["newest"] or 0
        return Response(
            {
                "aggregate": aggregate,
                "after_id": after_id,
                "has_more": has_more,
                "newest_sequence": newest,
                "rows": rows,
            }
        )
