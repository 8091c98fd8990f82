"""Corpus changes under a search load: operators upload, replace, retire and re-index through
/v1/admin while clients search and ask, against `assistant serve --workers 2`.

    .venv/bin/python benchmarks/corpus_changes.py [--seconds 60] [--clients 4] [--operators 2] [--postgres]

One host by default: an SQLite store and an embedded Chroma folder shared by the two workers.
With --postgres: a Postgres database and a Chroma server (tests/servers.py starts both on
loopback), as several hosts share them. Dense retrieval is on (the bundled model), so every
change builds a Chroma collection while the other worker follows it.

What must hold (tests/system/test_corpus_changes_load.py runs a short round): no 5xx at all;
every change either applied or answered 409 `corpus_busy` (two operators at once); the change
log, replayed over the shipped corpus, gives the corpus folder's documents; and after the last
change both workers answer from the final corpus. Printed: requests, req/s, latencies, the
changes by kind with their latencies, and those checks.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.console.workers import QINGHAI_QUESTION, assert_log_tells_the_corpus, notice_lines  # noqa: E402
from tests.interfaces.api.test_admin import docx_bytes  # noqa: E402
from tests.servers import AssistantServer, ChromaServer, PostgresServer  # noqa: E402

OPERATOR_KEY = "bench-operator"
OP = {"Authorization": f"Bearer {OPERATOR_KEY}"}
QUERIES = ["卓越级智能工厂申报条件", "申报材料寄到哪里", "每个省最多推荐几个项目？", "奖补标准是多少万元"]
PROVINCES = ["青海省", "甘肃省", "宁夏回族自治区", "云南省", "贵州省", "海南省"]
#: The servers' log level (INFO shows each change's lock wait, build and commit times).
LOG_LEVEL = "WARNING"


@dataclass
class Report:
    seconds: float = 0.0
    requests: Counter[str] = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    other_errors: list[str] = field(default_factory=list)
    busy: int = 0
    log_matches: bool = False
    log_problem: str = ""
    converged: float = 0.0

    def note(self, kind: str, response: httpx.Response | None, seconds: float, what: str = "") -> None:
        self.requests[kind] += 1
        if response is None:
            self.other_errors.append(f"{kind} {what}: no response")
            return
        self.statuses[response.status_code] += 1
        self.latencies.setdefault(kind, []).append(seconds)
        if response.status_code >= 500:
            self.server_errors.append(f"{kind} {what}: {response.status_code} {response.text[:300]}")

    def line(self, kind: str) -> str:
        values = sorted(self.latencies.get(kind, []))
        if not values:
            return f"| {kind} | 0 | | | |"
        p95 = statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]
        return (
            f"| {kind} | {len(values)} | {len(values) / self.seconds:.1f} | {statistics.median(values) * 1000:.0f} "
            f"| {p95 * 1000:.0f} |"
        )


def searcher(base: str, number: int, stop_at: float, report: Report, lock: threading.Lock) -> None:
    turn = 0
    while time.perf_counter() < stop_at:
        # A new connection per request: the kernel spreads them over both workers.
        with httpx.Client(base_url=base, timeout=120, trust_env=False) as client:
            started = time.perf_counter()
            try:
                if turn % 2:
                    kind = "ask"
                    question = QINGHAI_QUESTION if turn % 4 == 1 else QUERIES[(number + turn) % len(QUERIES)]
                    response = client.post("/v1/ask", json={"question": question})
                else:
                    kind = "search"
                    response = client.get("/v1/search", params={"q": QUERIES[(number + turn) % len(QUERIES)]})
            except httpx.HTTPError as exc:
                response, kind = None, "search/ask"
                error = repr(exc)
            else:
                error = ""
        with lock:
            report.note(kind, response, time.perf_counter() - started, error)
        turn += 1


def _change(client: httpx.Client, kind: str, report: Report, lock: threading.Lock, **request: Any) -> bool:
    """One operator request; True when applied, False when busy (to be tried again)."""
    started = time.perf_counter()
    try:
        response = client.request(**request)
    except httpx.HTTPError as exc:
        with lock:
            report.note(kind, None, 0.0, repr(exc))
        return True
    with lock:
        report.note(kind, response, time.perf_counter() - started, request["url"])
        if response.status_code == 409 and response.json()["error"]["code"] == "corpus_busy":
            report.busy += 1
            return False
        if response.status_code >= 400 and response.status_code < 500:
            report.other_errors.append(f"{kind}: {response.status_code} {response.text[:300]}")
    return True


def operator(base: str, number: int, stop_at: float, report: Report, lock: threading.Lock) -> None:
    """Rounds of: upload a notice, replace it, retire it, and every second round re-index."""
    client = httpx.Client(base_url=base, timeout=300, trust_env=False, headers=OP)
    rounds = 0
    while time.perf_counter() < stop_at:
        doc_id, province = f"op{number}r{rounds}", PROVINCES[(number + rounds) % len(PROVINCES)]
        amount = 100 + 10 * number + rounds
        files = {"file": (f"{doc_id}.docx", docx_bytes(notice_lines(province, amount)))}
        form = {"doc_id": doc_id, "edition": "2025", "region": province, "status": "official"}
        steps: list[tuple[str, dict[str, Any]]] = [
            ("upload", {"method": "POST", "url": "/v1/admin/documents", "files": files, "data": form}),
            (
                "replace",
                {
                    "method": "PUT",
                    "url": f"/v1/admin/documents/{doc_id}",
                    "files": {"file": (f"{doc_id}.docx", docx_bytes(notice_lines(province, amount + 1)))},
                },
            ),
            (
                "retire",
                {"method": "POST", "url": f"/v1/admin/documents/{doc_id}/retire", "json": {"note": "到期"}},
            ),
        ]
        if rounds % 2:
            steps.append(("reindex", {"method": "POST", "url": "/v1/admin/reindex"}))
        for kind, request in steps:
            while not _change(client, kind, report, lock, **request):
                time.sleep(0.2)  # busy: another operator's change; try again
        rounds += 1
    client.close()


def converged(base: str, corpus_dir: Path, tries: int = 20) -> float:
    """Share of fresh connections (spread over both workers) that answer from the final corpus."""
    from assistant.knowledge.corpus import load_corpus

    clauses = len(load_corpus(corpus_dir).clauses)
    good = 0
    for _ in range(tries):
        with httpx.Client(base_url=base, timeout=60, trust_env=False) as client:
            client.get("/v1/search", params={"q": "奖补"})  # the corpus check comes round
            ready = client.get("/readyz").json()
            good += ready.get("clauses") == clauses
    return good / tries


def run(seconds: float, clients: int, operators: int, postgres: bool, root: Path) -> Report:
    corpus_dir = root / "corpus"
    shutil.copytree(REPO / "corpus", corpus_dir)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(
        ASSISTANT_CORPUS_DIR=str(corpus_dir),
        ASSISTANT_DATA_DIR=str(root / "data"),
        ASSISTANT_OPERATOR_KEYS=OPERATOR_KEY,
        ASSISTANT_RATE_LIMIT="",
        ASSISTANT_LOG_LEVEL=LOG_LEVEL,
        PYTHONPATH=str(REPO),
    )
    servers: list[Any] = []
    server: AssistantServer | None = None
    report = Report()
    try:
        if postgres:
            database, chroma = PostgresServer(), ChromaServer()
            servers += [database, chroma]
            env.update(ASSISTANT_DATABASE_URL=database.create_database(), ASSISTANT_CHROMA_URL=chroma.url)
            subprocess.run(
                [sys.executable, "-m", "assistant", "db", "upgrade"], env=env, cwd=root, check=True
            )
        store_url = env.get("ASSISTANT_DATABASE_URL") or f"sqlite:///{root / 'data' / 'sessions.db'}"
        # Built once before the workers start, as docs/operations.md says.
        subprocess.run(
            [sys.executable, "-m", "assistant", "index"], env=env, cwd=root, check=True, capture_output=True
        )
        server = AssistantServer(env, root, root / "server.log", "--workers", "2")
        server.wait_ready()
        lock = threading.Lock()
        stop_at = time.perf_counter() + seconds
        started = time.perf_counter()
        threads = [
            threading.Thread(target=searcher, args=(server.base, i, stop_at, report, lock))
            for i in range(clients)
        ] + [
            threading.Thread(target=operator, args=(server.base, i, stop_at, report, lock))
            for i in range(operators)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        report.seconds = time.perf_counter() - started
        time.sleep(2.5)  # one corpus-check interval
        report.converged = converged(server.base, corpus_dir)
        from assistant.store import Store

        store = Store.open(store_url)
        try:
            assert_log_tells_the_corpus(store.changes.recent(limit=100_000), corpus_dir)
            report.log_matches = True
        except AssertionError as exc:
            report.log_problem = str(exc) or "the change log does not tell the corpus's story"
        finally:
            store.dispose()
    finally:
        if server is not None:
            server.stop()
        for started_server in servers:
            started_server.close()
    return report


def print_report(report: Report, setup: str, clients: int, operators: int) -> None:
    print(f"{setup}; {clients} search/ask clients, {operators} operators, {report.seconds:.0f} s")
    print("| requests | n | per s | p50 ms | p95 ms |\n|---|---|---|---|---|")
    for kind in ("search", "ask", "upload", "replace", "retire", "reindex"):
        print(report.line(kind))
    print(f"statuses: {dict(sorted(report.statuses.items()))}; busy (409 corpus_busy): {report.busy}")
    print(f"5xx: {len(report.server_errors)}; other failures: {len(report.other_errors)}")
    for line in (report.server_errors + report.other_errors)[:10]:
        print("  ", line)
    print(f"change log tells the corpus: {report.log_matches} {report.log_problem}")
    print(f"fresh connections answering from the final corpus: {report.converged:.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--operators", type=int, default=2)
    parser.add_argument("--postgres", action="store_true", help="Postgres and a Chroma server")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="corpus-changes-"))
    try:
        report = run(args.seconds, args.clients, args.operators, args.postgres, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    setup = "2 workers, Postgres + Chroma server" if args.postgres else "2 workers, SQLite + Chroma folder"
    print_report(report, setup, args.clients, args.operators)
    sys.exit(0 if not report.server_errors and report.log_matches else 1)


if __name__ == "__main__":
    main()
