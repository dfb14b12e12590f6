"""Prometheus metrics: requests and latency per route, answered vs abstained, index size."""

from __future__ import annotations

import time

from fastapi import Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    """One registry per app, so several apps (tests) never share counters."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("citeqa_requests_total", "HTTP requests", ("route", "method", "status"),
                                registry=self.registry)
        self.latency = Histogram("citeqa_request_seconds", "HTTP request latency", ("route",),
                                 buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
                                 registry=self.registry)
        self.answers = Counter("citeqa_answers_total", "Questions by outcome", ("outcome",), registry=self.registry)
        self.index_size = Gauge("citeqa_index_units", "Indexed units", ("unit",), registry=self.registry)

    async def middleware(self, request: Request, call_next):
        """Count and time every request under its route template (not the raw path)."""
        start = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        name = getattr(route, "path", "unmatched")
        self.requests.labels(name, request.method, str(response.status_code)).inc()
        self.latency.labels(name).observe(time.perf_counter() - start)
        return response

    def render(self, counts: dict[str, int] | None) -> Response:
        """The exposition text, with the index size read now."""
        for unit, n in (counts or {}).items():
            self.index_size.labels(unit).set(n)
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)
