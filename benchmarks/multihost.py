"""The cost of the shared store: one host on SQLite vs two hosts sharing Postgres and Redis.

    .venv/bin/python benchmarks/multihost.py [--seconds 30] [--clients 32] [--dense]

Both phases run on the same machine, one after the other: `assistant serve --workers 1` on an
SQLite file with in-memory rate limits, then two such processes (two "hosts") sharing a Postgres
database (sessions, answer log) and Redis (rate limits), plus a Chroma server with --dense.
Clients each keep one session and ask turn after turn; in the two-host phase successive turns
of a session alternate hosts, as behind a load balancer without sticky sessions. An API key and
a high rate limit make every request go through the limiter (and so through Redis).

The cores are shared, so this measures what the shared store costs, not what scale-out gains.
Postgres and Redis come from Debian (tests/servers.py starts them on loopback ports).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.servers import AssistantServer, ChromaServer, PostgresServer, RedisServer  # noqa: E402

QUESTIONS = [
    "我们是内蒙古自治区的有色金属企业，成熟度三级，能申报卓越级吗？",
    "还缺什么条件？",
    "申报截止时间是哪天？",
    "每个省最多推荐几个项目？",
    "材料要交几份？",
    "先进级要覆盖哪些环节？",
]
KEY = "bench-key"


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    @property
    def p95_ms(self) -> float:
        if len(self.latencies) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies, n=20)[-1] * 1000


class Host(AssistantServer):
    """One `assistant serve --workers 1` in a temp folder of its own."""

    def __init__(self, env: dict[str, str]) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="mh-host-"))
        env = {**env, "ASSISTANT_DATA_DIR": str(self.tmp / "data"), "ASSISTANT_LOG_LEVEL": "WARNING"}
        super().__init__(env, self.tmp, self.tmp / "server.log", "--workers", "1")

    def wait_ready(self, timeout: float = 300, interval: float = 0.3) -> None:
        super().wait_ready(timeout, interval)


async def drive(phase: Phase, bases: list[str], clients: int, seconds: float) -> None:
    headers = {"Authorization": f"Bearer {KEY}"}
    pools = [httpx.AsyncClient(base_url=b, timeout=60, headers=headers, trust_env=False) for b in bases]
    # Warm-up, not measured: one question per host.
    for pool in pools:
        await pool.post("/v1/ask", json={"question": QUESTIONS[0]})
    stop_at = time.perf_counter() + seconds

    async def client(number: int) -> None:
        session: str | None = None
        turn = 0
        while time.perf_counter() < stop_at:
            pool = pools[(number + turn) % len(pools)]
            body = {"question": QUESTIONS[(number + turn) % len(QUESTIONS)], "session": session}
            started = time.perf_counter()
            try:
                response = await pool.post("/v1/ask", json=body)
            except httpx.HTTPError:
                phase.errors += 1
                continue
            if response.status_code == 200:
                phase.latencies.append(time.perf_counter() - started)
                session = response.json()["session"]
            else:
                phase.errors += 1
            turn += 1

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    phase.seconds = time.perf_counter() - started
    for pool in pools:
        await pool.aclose()


def base_env(dense: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(
        ASSISTANT_API_KEYS=KEY,
        ASSISTANT_RATE_LIMIT="1000000/minute",
        ASSISTANT_DENSE_WEIGHT="0.3" if dense else "0",
        OMP_NUM_THREADS="1",
    )
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="per phase, at most 60")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--dense", action="store_true", help="hybrid retrieval, Chroma server when shared")
    args = parser.parse_args()
    seconds = min(args.seconds, 60.0)

    single = Phase("1 host × 1 worker, SQLite, memory limits")
    host = Host(base_env(args.dense))
    try:
        host.wait_ready()
        asyncio.run(drive(single, [host.base], args.clients, seconds))
    finally:
        host.stop()

    shared = Phase("2 hosts × 1 worker, Postgres + Redis" + (" + Chroma server" if args.dense else ""))
    postgres, redis = PostgresServer(), RedisServer()
    chroma = ChromaServer() if args.dense else None
    hosts: list[Host] = []
    try:
        url = postgres.create_database()
        env = base_env(args.dense)
        env.update(ASSISTANT_DATABASE_URL=url, ASSISTANT_RATE_LIMIT_STORAGE=redis.url)
        if chroma is not None:
            env["ASSISTANT_CHROMA_URL"] = chroma.url
        subprocess.run(
            [str(Path(sys.executable).with_name("assistant")), "db", "upgrade"], env=env, check=True
        )
        hosts = [Host(env)]
        hosts[0].wait_ready()  # the first host builds any shared collection alone
        hosts.append(Host(env))
        hosts[1].wait_ready()
        asyncio.run(drive(shared, [h.base for h in hosts], args.clients, seconds))
    finally:
        for h in hosts:
            h.stop()
        for server in (postgres, redis, chroma):
            if server is not None:
                server.close()

    print(
        f"{args.clients} clients with sessions, {seconds:.0f} s per phase, dense={'on' if args.dense else 'off'}"
    )
    print("| setup | req/s | p95 ms | errors |\n|---|---|---|---|")
    for phase in (single, shared):
        print(f"| {phase.name} | {phase.rps:.1f} | {phase.p95_ms:.0f} | {phase.errors} |")
    ratio = shared.rps / single.rps if single.rps else 0.0
    print(f"shared-store throughput = {ratio:.0%} of single host (target ≥ 80 %, zero errors)")


if __name__ == "__main__":
    main()
