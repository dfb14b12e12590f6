"""Prometheus metrics: requests and latency per route, answered vs abstained, index size."""

from __future__ import annotations

from fastapi import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    """One registry per app, so several apps (tests) never share counters.

    Requests are counted and timed by `api.middleware.Observe`.
    """

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("citeqa_requests_total", "HTTP requests", ("route", "method", "status"),
                                registry=self.registry)
        self.latency = Histogram("citeqa_request_seconds", "HTTP request latency", ("route",),
                                 buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
                                 registry=self.registry)
        self.answers = Counter("citeqa_answers_total", "Questions by outcome", ("outcome",), registry=self.registry)
        self.index_size = Gauge("citeqa_index_units", "Indexed units", ("unit",), registry=self.registry)

    def render(self, counts: dict[str, int] | None) -> Response:
        """The exposition text, with the index size read now."""
        for unit, n in (counts or {}).items():
            self.index_size.labels(unit).set(n)
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)
