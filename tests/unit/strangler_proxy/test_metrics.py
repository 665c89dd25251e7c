"""The Prometheus text rendering."""

from __future__ import annotations

from strangler_proxy.metrics import Metrics

PREFIX = "strangler_proxy_"


def test_metrics_render_counters_histogram_and_errors() -> None:
    metrics = Metrics()
    metrics.observe("catalog", "catalog", 200, 0.003)
    metrics.observe("catalog", "catalog", 200, 0.2)
    metrics.observe("default", "monolith", 502, 7.0)
    metrics.error("catalog", "catalog", "connect")
    metrics.reload(ok=False)
    metrics.state_error("shadow")
    metrics.state_error("shadow", 2)
    text = metrics.render()
    assert PREFIX + 'requests_total{route="catalog",upstream="catalog",status="200"} 2' in text
    assert PREFIX + 'requests_total{route="default",upstream="monolith",status="502"} 1' in text
    bucket = PREFIX + 'request_duration_seconds_bucket{route="catalog",upstream="catalog",le='
    assert bucket + '"0.0025"} 0' in text
    assert bucket + '"0.005"} 1' in text
    assert bucket + '"0.25"} 2' in text
    assert bucket + '"+Inf"} 2' in text
    assert PREFIX + 'request_duration_seconds_count{route="default",upstream="monolith"} 1' \
        in text
    assert PREFIX + 'upstream_errors_total{route="catalog",upstream="catalog",kind="connect"} 1' \
        in text
    assert 'strangler_proxy_reloads_total{result="error"} 1' in text
    assert 'strangler_proxy_state_errors_total{store="shadow"} 3' in text
    assert "# TYPE strangler_proxy_state_errors_total counter" in text
    assert text.endswith("\n")


def test_metric_labels_are_escaped() -> None:
    metrics = Metrics()
    metrics.observe('we"ird', "u", 200, 0.1)
    assert 'route="we\\"ird"' in metrics.render()
