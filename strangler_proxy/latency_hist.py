"""A fixed log-scale latency histogram: bucket numbers that any store can sum.

Bucket ``i`` holds latencies up to ``BASE_MS * GROWTH**i``; with ``GROWTH = 1.1`` a
percentile read back is at most 10% above the true value, and counters from several
processes simply add up (no samples to merge).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

BASE_MS = 0.1
GROWTH = 1.1
LAST_BUCKET = 150  # 0.1 ms * 1.1**150 is about 16 minutes: everything slower lands here


def bucket_of(latency_ms: float) -> int:
    if latency_ms <= BASE_MS:
        return 0
    return min(math.ceil(math.log(latency_ms / BASE_MS, GROWTH) - 1e-9), LAST_BUCKET)


def upper_bound(bucket: int) -> float:
    return BASE_MS * GROWTH**bucket


def percentile(counts: Mapping[int, int], fraction: float) -> float | None:
    """The upper bound of the bucket holding the ``fraction`` quantile (None if empty)."""
    total = sum(counts.values())
    if total == 0:
        return None
    rank = math.ceil(total * fraction)
    seen = 0
    for bucket in sorted(counts):
        seen += counts[bucket]
        if seen >= rank:
            return upper_bound(bucket)
    return upper_bound(max(counts))
