"""Real servers on loopback for the multi-host tests: Postgres (Debian's postgresql: initdb and
pg_ctl in a temp folder), Redis (Debian's redis-server), a Chroma server (`chroma run`, which
ships with chromadb) and `assistant serve` itself (AssistantServer, also used by benchmarks/). Each starts on a free 127.0.0.1 port; a test needing one is skipped only
when its binary is truly absent (.ci/system-packages.sh installs them, so CI runs these tests).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx
import sqlalchemy as sa

REPO_ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


def log_tail(path: Path | None, chars: int = 3000) -> str:
    if path is None or not path.exists():
        return ""
    return path.read_text("utf-8", "replace")[-chars:]


def wait_http_ok(
    url: str,
    process: subprocess.Popen[bytes],
    *,
    timeout: float,
    interval: float = 0.2,
    request_timeout: float = 1.0,
    log_path: Path | None = None,
    what: str = "server",
) -> None:
    """Until GET url answers 200; fails at once if the process exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited during start-up\n{log_tail(log_path)}")
        try:
            if httpx.get(url, timeout=request_timeout, trust_env=False).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(interval)
    raise TimeoutError(f"{what} not ready after {timeout:.0f} s\n{log_tail(log_path)}")


def stop_process(process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """Terminate, and kill if it will not stop."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def pg_bin(name: str) -> str | None:
    """Debian keeps the server binaries out of PATH, under /usr/lib/postgresql/<v>/bin."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def have_postgres() -> bool:
    return pg_bin("initdb") is not None and pg_bin("pg_ctl") is not None


def have_redis() -> bool:
    return shutil.which("redis-server") is not None


def chroma_cli() -> str | None:
    beside = Path(sys.executable).with_name("chroma")
    return str(beside) if beside.exists() else shutil.which("chroma")


class PostgresServer:
    """A throwaway cluster. Postgres refuses to run as root, so as root it runs as `postgres`
    (the user Debian's package creates) through runuser."""

    def __init__(self) -> None:
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="mh-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.root, "postgres", "postgres")
        self._run(
            [
                pg_bin("initdb") or "initdb",
                "-D",
                str(self.data),
                "-U",
                "assistant",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        )
        self.start()

    def _run(self, argv: list[str]) -> None:
        subprocess.run(self.as_user + argv, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = f"-p {self.port} -h 127.0.0.1 -k {self.root} -F -c max_connections=200"
        self._run(
            [
                pg_bin("pg_ctl") or "pg_ctl",
                "-D",
                str(self.data),
                "-o",
                options,
                "-l",
                str(self.log),
                "-w",
                "start",
            ]
        )

    def stop(self) -> None:
        self._run([pg_bin("pg_ctl") or "pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop"])

    def pids(self) -> list[int]:
        """The postmaster and every process it forked (backends, checkpointer, walwriter …)."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                # comm may hold spaces: the fields after the last ")" are state, ppid, …
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == postmaster:
                    children.append(int(stat.parent.name))
        return [postmaster, *children]

    @contextlib.contextmanager
    def frozen(self) -> Iterator[None]:
        """SIGSTOP the whole server for the block: its kernel still accepts and acknowledges TCP,
        so clients see a server that never answers (no reset, no refusal). SIGCONT always follows."""
        pids = self.pids()
        try:
            for pid in pids:
                os.kill(pid, signal.SIGSTOP)
            yield
        finally:
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://assistant@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A fresh, empty database; its URL."""
        name = "t_" + uuid.uuid4().hex[:12]
        engine = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        engine.dispose()
        return self.url(name)

    def close(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


class RedisServer:
    """redis-server on a free port; `kill` and `start` take it down and bring it back on the same
    port (nothing is persisted: it comes back empty)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}"
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_port(self.port)

    def kill(self) -> None:
        """SIGKILL: clients' connections are reset and new ones refused, as in a crash."""
        self.process.kill()
        self.process.wait(timeout=10)

    def close(self) -> None:
        stop_process(self.process, timeout=10)


class ChromaServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="mh-chroma-"))
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = (self.root / "server.log").open("wb")
        env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
        self.process = subprocess.Popen(
            [
                chroma_cli() or "chroma",
                "run",
                "--path",
                str(self.root / "db"),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        heartbeat = f"{self.url}/api/v2/heartbeat"
        wait_http_ok(
            heartbeat, self.process, timeout=60, log_path=self.root / "server.log", what="chroma run"
        )

    def close(self) -> None:
        stop_process(self.process, timeout=15)
        self.log.close()
        shutil.rmtree(self.root, ignore_errors=True)


class AssistantServer:
    """`assistant serve` (options such as --workers 2 passed on) on a free loopback port, run in
    cwd with env as its whole environment; its output goes to log_path."""

    def __init__(self, env: Mapping[str, str], cwd: Path, log_path: Path, *options: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.log = log_path.open("wb")
        # `python -m assistant` with this checkout first on the path: the venv's console script
        # would import whichever checkout the venv was installed from (another worktree's code).
        path = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "assistant",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                *options,
            ],
            env={**env, "PYTHONPATH": path},
            cwd=cwd,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 240.0, interval: float = 0.2) -> None:
        """Until /readyz is green; fails with the log's tail if the server exits or times out."""
        wait_http_ok(
            f"{self.base}/readyz",
            self.process,
            timeout=timeout,
            interval=interval,
            request_timeout=2.0,
            log_path=self.log_path,
            what="assistant serve",
        )

    def stop(self) -> None:
        stop_process(self.process)
        self.log.close()
