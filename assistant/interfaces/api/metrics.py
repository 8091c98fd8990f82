"""Prometheus metrics for GET /metrics: request counts and latency per route, answers by mode,
LLM fallbacks, retrieval time, refused requests (auth, rate limit), and the rate-limit storage's
fallback to worker memory.

Routes are labelled by their template (`/v1/clauses/{clause_id}`), never the raw path, so a
scanner hitting random URLs cannot blow up the number of series. With several uvicorn workers
each process counts on its own; set PROMETHEUS_MULTIPROC_DIR (an empty, writable directory, the
same for all workers, cleared before start) and /metrics aggregates every worker's figures —
see docs/operations.md.
"""

from __future__ import annotations

import functools
import os
import time
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUESTS = Counter(
    "assistant_http_requests_total",
    "HTTP requests by method, route template and status",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "assistant_http_request_duration_seconds",
    "Time to the end of the response, by method and route template",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
ANSWERS = Counter("assistant_answers_total", "Answers given, by mode (llm or grounded)", ["mode"])
LLM_FALLBACKS = Counter(
    "assistant_llm_fallbacks_total",
    "Answers that fell back to grounded mode because the LLM failed or timed out",
)
RETRIEVAL = Histogram(
    "assistant_retrieval_seconds",
    "Time of one hybrid retrieval (BM25 + dense + fusion)",
    buckets=LATENCY_BUCKETS,
)
AUTH_FAILURES = Counter("assistant_auth_failures_total", "Requests refused for a missing or wrong API key")
RATE_LIMITED = Counter("assistant_rate_limited_total", "Requests refused by the per-key rate limit")
RATE_LIMIT_OUTAGES = Counter(
    "assistant_rate_limit_storage_outages_total",
    "Times the shared rate-limit storage (Redis) failed and limits fell back to worker memory",
)
RATE_LIMIT_LOCAL = Counter(
    "assistant_rate_limit_local_total",
    "Requests whose rate limit was counted in worker memory because the shared storage failed",
)
RATE_LIMIT_DEGRADED = Gauge(
    "assistant_rate_limit_storage_degraded",
    "1 while a worker counts rate limits in memory because the shared storage is down",
    multiprocess_mode="livemax",  # with several workers: 1 if any live worker is degraded
)


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(method, route).observe(seconds)


def observe_answer(mode: str, flags: list[str]) -> None:
    ANSWERS.labels(mode).inc()
    if "llm_fallback" in flags:
        LLM_FALLBACKS.inc()


def instrument_retriever(retriever: Any) -> None:
    """Time every `retriever.search` call (search route, grounded answers, the agent's tool).

    The retriever is shared by everything that searches, so wrapping its bound method once
    covers all callers without the core knowing about Prometheus. Idempotent: an app built twice
    on one retriever (tests) does not count twice.
    """
    search = retriever.search
    if getattr(search, "_timed", False):
        return

    @functools.wraps(search)
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return search(*args, **kwargs)
        finally:
            RETRIEVAL.observe(time.perf_counter() - started)

    timed._timed = True  # type: ignore[attr-defined]
    retriever.search = timed


def render() -> tuple[bytes, str]:
    """The exposition text, aggregated over workers in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
