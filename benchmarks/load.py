"""HTTP load benchmark: throughput and latency percentiles per route, against 127.0.0.1 only.

By default it starts the server itself (`assistant serve --workers 2` in grounded mode: no LLM
configured) on a free loopback port, with a private copy of the built index under a temporary
data folder (so benchmark sessions do not land in data/sessions.db), waits for /readyz, then
drives each route with N concurrent keep-alive clients (httpx, asyncio) for a fixed time:

    .venv/bin/python benchmarks/load.py                        # 10 s per route, 32 clients
    .venv/bin/python benchmarks/load.py --duration 60          # the issue's 60 s run
    .venv/bin/python benchmarks/load.py --dense-weight 0       # BM25 only (no query embedding)
    .venv/bin/python benchmarks/load.py --url http://127.0.0.1:8000 --routes search

Requests rotate through the eval sets (evals/retrieval_gold.yaml questions for search, the same
questions each with a new number appended for search-distinct, so no query repeats,
evals/answers_gold.yaml questions and profiles for ask, evals/checker_gold.yaml profiles for
check), so no route is measured on one cached input. The client runs on the same two cores as
the server and takes its share of them: the figures are what this machine serves to itself,
a lower bound for a server with its own cores. Bounded: at most --max-requests per route and
--duration ≤ 300 s; only loopback URLs are accepted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.servers import AssistantServer  # noqa: E402

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
ROUTES = ("search", "search-distinct", "ask", "check")
#: Variants of each gold question for search-distinct: more than a 60 s run sends.
DISTINCT_VARIANTS = 200


@dataclass
class RouteResult:
    route: str
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def ok(self) -> int:
        return len(self.latencies)

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------


def requests_for(route: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, httpx kwargs) to cycle through for a route."""
    if route == "search":
        gold = yaml.safe_load((REPO / "evals" / "retrieval_gold.yaml").read_text(encoding="utf-8"))
        return [
            ("GET", "/v1/search", {"params": {"q": g["question"], "k": 5}}) for g in gold if g.get("question")
        ]
    if route == "search-distinct":
        # Every request a new string (the question plus a number), so each one embeds its query:
        # the figure for questions nobody asked before, where "search" measures a helpdesk mix.
        gold = yaml.safe_load((REPO / "evals" / "retrieval_gold.yaml").read_text(encoding="utf-8"))
        asked = [g["question"] for g in gold if g.get("question")]
        return [
            ("GET", "/v1/search", {"params": {"q": f"{q} {n}", "k": 5}})
            for n in range(DISTINCT_VARIANTS)
            for q in asked
        ]
    if route == "ask":
        gold = yaml.safe_load((REPO / "evals" / "answers_gold.yaml").read_text(encoding="utf-8"))
        out = []
        for g in gold:
            body: dict[str, Any] = {"question": g["question"], "as_of": "2024-11-01"}
            if g.get("profile"):
                body["profile"] = g["profile"]
            out.append(("POST", "/v1/ask", {"json": body}))
        return out
    if route == "check":
        gold = yaml.safe_load((REPO / "evals" / "checker_gold.yaml").read_text(encoding="utf-8"))
        return [
            ("POST", "/v1/check", {"params": {"as_of": "2024-11-01"}, "json": base})
            for base in gold["bases"].values()
        ]
    raise SystemExit(f"unknown route {route!r}; choose from {', '.join(ROUTES)}")


# ---------------------------------------------------------------------------------------------
# Load
# ---------------------------------------------------------------------------------------------


class RawConnection:
    """One keep-alive HTTP/1.1 connection speaking just enough of the protocol for these routes.

    Why not httpx here: on this 2-core machine httpx's async client spends ~0.8 ms of CPU per
    request, so at a few hundred requests per second it takes most of a core from the server it
    is measuring (and its shared connection pool caps near 250 req/s with 32 clients). This
    client costs ~0.2 ms per request; `--client httpx` measures with httpx anyway.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b""))
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        fields = {}
        for line in head.split(b"\r\n")[1:]:
            if b":" in line:
                key, value = line.split(b":", 1)
                fields[key.strip().lower()] = value.strip().lower()
        if b"content-length" in fields:
            await self.reader.readexactly(int(fields[b"content-length"]))
        elif fields.get(b"transfer-encoding") == b"chunked":
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        if fields.get(b"connection") == b"close":
            self.close()
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def encode(method: str, path: str, kwargs: dict[str, Any]) -> tuple[str, str, bytes | None]:
    url = httpx.URL(path, params=kwargs.get("params"))
    target = url.raw_path.decode()
    body = json.dumps(kwargs["json"], ensure_ascii=False).encode() if "json" in kwargs else None
    return method, target, body


async def drive(
    base: str,
    route: str,
    concurrency: int,
    duration: float,
    max_requests: int,
    headers: dict[str, str],
    client: str = "raw",
) -> RouteResult:
    calls = requests_for(route)
    result = RouteResult(route)
    sent = 0
    parsed = urlparse(base)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 80
    encoded = [encode(*call) for call in calls]

    # Warm-up: one pass over distinct inputs (caches, lazy imports), not measured.
    async with httpx.AsyncClient(base_url=base, timeout=60, headers=headers, trust_env=False) as warm:
        for method, path, kwargs in calls[: min(len(calls), 20)]:
            await warm.request(method, path, **kwargs)
    stop_at = time.perf_counter() + duration

    def record(status: int, elapsed: float) -> None:
        result.statuses[status] = result.statuses.get(status, 0) + 1
        if status < 400:
            result.latencies.append(elapsed)
        else:
            result.errors += 1

    async def loop(offset: int, send: Callable[[int], Awaitable[int | None]]) -> None:
        """Send call offset, offset + concurrency, ... (send gives its status, None on a
        transport error) until the time or the request budget runs out."""
        nonlocal sent
        index = offset
        while time.perf_counter() < stop_at and sent < max_requests:
            sent += 1
            started = time.perf_counter()
            status = await send(index)
            index += concurrency
            if status is None:
                result.errors += 1
            else:
                record(status, time.perf_counter() - started)

    async def raw_worker(offset: int) -> None:
        connection = RawConnection(host, port)

        async def send(index: int) -> int | None:
            method, target, body = encoded[index % len(encoded)]
            try:
                return await connection.request(method, target, body, headers)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                connection.close()
                return None

        try:
            await loop(offset, send)
        finally:
            connection.close()

    async def httpx_worker(offset: int) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60, headers=headers, trust_env=False) as http:

            async def send(index: int) -> int | None:
                method, path, kwargs = calls[index % len(calls)]
                try:
                    return (await http.request(method, path, **kwargs)).status_code
                except httpx.HTTPError:
                    return None

            await loop(offset, send)

    worker = raw_worker if client == "raw" else httpx_worker
    started = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    result.seconds = time.perf_counter() - started
    return result


# ---------------------------------------------------------------------------------------------
# The server under test
# ---------------------------------------------------------------------------------------------


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def worker_pids(pid: int) -> list[int]:
    """uvicorn's supervisor spawns the workers (multiprocessing may add a resource tracker,
    which serves no requests and is left out by its tiny RSS)."""
    return [p for p in children(pid) if rss_mb(p) > 50]


class Server(AssistantServer):
    """`assistant serve` in a subprocess with a private data folder holding a copy of the index."""

    def __init__(
        self, workers: int, dense_weight: str | None, data_dir: Path | None, omp: str | None = None
    ) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="load-"))
        data = data_dir or self.tmp / "data"
        if data_dir is None:
            data.mkdir()
            source = REPO / "data"
            for name in ("chroma", "index_manifest.json"):
                if (source / name).is_dir():
                    shutil.copytree(source / name, data / name)
                elif (source / name).exists():
                    shutil.copy2(source / name, data / name)
        env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_LLM_")}
        env["ASSISTANT_DATA_DIR"] = str(data)
        env["ASSISTANT_LOG_LEVEL"] = env.get("ASSISTANT_LOG_LEVEL", "INFO")
        if dense_weight is not None:
            env["ASSISTANT_DENSE_WEIGHT"] = dense_weight
        if omp is not None:
            env["OMP_NUM_THREADS"] = omp
        super().__init__(env, self.tmp, self.tmp / "server.log", "--workers", str(workers))
        self.workers = workers

    def wait_all_ready(self, timeout: float = 180.0, interval: float = 0.1) -> tuple[float, float]:
        """Seconds to the first green /readyz, and to every worker having logged `ready`."""
        deadline = time.perf_counter() + timeout
        self.wait_ready(timeout, interval)
        first = time.perf_counter() - self.started
        while self.ready_workers() < self.workers:
            if self.process.poll() is not None:
                raise SystemExit(f"server exited during start-up; log: {self.log_path}")
            if time.perf_counter() > deadline:
                raise SystemExit(f"server not ready after {timeout:.0f} s; log: {self.log_path}")
            time.sleep(interval)
        return first, time.perf_counter() - self.started

    def ready_workers(self) -> int:
        count = 0
        for line in self.log_path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("{") and '"message": "ready"' in line:
                count += 1
        return count

    def stop(self) -> None:
        super().stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.system()}"


def table(results: list[RouteResult], markdown: bool) -> str:
    header = ["route", "requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms"]
    rows = [
        [
            r.route,
            str(r.ok + r.errors),
            str(r.errors),
            f"{r.ok / r.seconds:.0f}" if r.seconds else "-",
            f"{r.pct(0.50):.1f}",
            f"{r.pct(0.95):.1f}",
            f"{r.pct(0.99):.1f}",
        ]
        for r in results
    ]
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    fmt = "  ".join(f"{{:>{w}}}" for w in widths)
    return "\n".join([fmt.format(*header), *(fmt.format(*row) for row in rows)])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="an already running server (loopback only); default: start one")
    parser.add_argument("--routes", default=",".join(ROUTES), help="comma-separated: search,ask,check")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per route (≤ 300)")
    parser.add_argument("--concurrency", type=int, default=32, help="concurrent clients")
    parser.add_argument("--max-requests", type=int, default=200_000, help="cap per route")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers of the started server")
    parser.add_argument(
        "--dense-weight", help="ASSISTANT_DENSE_WEIGHT for the started server (0 = BM25 only)"
    )
    parser.add_argument("--data-dir", type=Path, help="use this data folder instead of a copy of data/")
    parser.add_argument("--api-key", help="sent as Bearer when the server requires keys")
    parser.add_argument(
        "--client", choices=("raw", "httpx"), default="raw", help="load generator (see RawConnection)"
    )
    parser.add_argument(
        "--omp-threads", help="OMP_NUM_THREADS for the started server (torch threads per worker)"
    )
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = parser.parse_args()
    if not 0 < args.duration <= 300:
        raise SystemExit("--duration must be in (0, 300] seconds")
    routes = [r.strip() for r in args.routes.split(",") if r.strip()]

    server = None
    if args.url:
        host = urlparse(args.url).hostname or ""
        if host not in LOOPBACK:
            raise SystemExit(f"refusing {args.url}: this benchmark only targets loopback addresses")
        base = args.url.rstrip("/")
    else:
        server = Server(args.workers, args.dense_weight, args.data_dir, args.omp_threads)
        base = server.base
    try:
        if server is not None:
            first, all_ready = server.wait_all_ready()
            print(
                f"/readyz green after {first:.1f} s; all {args.workers} workers ready after {all_ready:.1f} s"
            )
        headers = {"Authorization": f"Bearer {args.api_key}"} if args.api_key else {}
        ready = httpx.get(f"{base}/readyz", headers=headers, timeout=5, trust_env=False).json()
        results = []
        for route in routes:
            outcome = drive(
                base, route, args.concurrency, args.duration, args.max_requests, headers, args.client
            )
            results.append(asyncio.run(outcome))
            print(f"  {route}: done ({results[-1].ok + results[-1].errors} requests)", file=sys.stderr)
        print(f"machine: {machine()}")
        print(
            f"server: {base}, workers {args.workers if server else '?'}, dense retrieval "
            f"{'on' if ready.get('dense') else 'off'}, llm {'on' if ready.get('llm') else 'off (grounded mode)'}; "
            f"{args.concurrency} {args.client} clients, {args.duration:.0f} s per route"
        )
        print(table(results, args.markdown))
        for r in results:
            if r.errors:
                print(f"  {r.route}: statuses {json.dumps(r.statuses)}")
        if server is not None:
            pids = worker_pids(server.process.pid)
            rss = ", ".join(f"{rss_mb(p):.0f} MB" for p in pids)
            print(f"RSS per worker after the run: {rss} (supervisor {rss_mb(server.process.pid):.0f} MB)")
        load1, load5, _ = os.getloadavg()
        print(f"load average at the end (1 / 5 min): {load1:.2f} / {load5:.2f}")
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
