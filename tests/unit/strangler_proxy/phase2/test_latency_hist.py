from strangler_proxy.latency_hist import LAST_BUCKET, bucket_of, percentile, upper_bound


def test_bucket_upper_bound_brackets_the_value():
    for ms in (0.05, 0.1, 0.5, 1.0, 3.3, 47.0, 999.0, 30_000.0):
        b = bucket_of(ms)
        assert upper_bound(b) >= ms
        if b:
            assert upper_bound(b - 1) < ms
            assert upper_bound(b) <= ms * 1.1 + 1e-9


def test_huge_values_land_in_the_last_bucket():
    assert bucket_of(1e12) == LAST_BUCKET


def test_percentile_from_counts():
    counts = {}
    for ms in [1.0] * 98 + [50.0, 200.0]:
        counts[bucket_of(ms)] = counts.get(bucket_of(ms), 0) + 1
    assert percentile(counts, 0.5) >= 1.0 and percentile(counts, 0.5) <= 1.1
    assert 50.0 <= percentile(counts, 0.99) <= 55.0
    assert 200.0 <= percentile(counts, 1.0) <= 220.0
    assert percentile({}, 0.99) is None
