"""A real Celery worker for the integration tests: a separate process on the real broker
(Redis) and the test database, started, killed with SIGKILL and restarted by the test.

    with CeleryWorker(outbox=tmp_path) as worker:
        ...enqueue tasks from the test (eager mode is off inside the block)...
        worker.wait_until(lambda: ..., timeout=30)
        worker.kill()      # SIGKILL to the whole process group: main process and pool
        worker.start()

The test must use a transactional database (`transactional_db` or
`django_db(transaction=True)`): the worker reads only committed rows.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from congress_portal.celery import app

ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    """The URL of the database the tests run on (the test_ copy), for the worker."""
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
        return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    raise RuntimeError("The worker integration tests need PostgreSQL (a file database shared by two processes).")


class CeleryWorker:
    def __init__(self, *, outbox: Path, concurrency: int = 2, visibility_timeout: int = 5, log: Path | None = None,
                 env: dict[str, str] | None = None):
        self.extra_env = env or {}
        self.outbox = Path(outbox)
        self.outbox.mkdir(parents=True, exist_ok=True)
        self.concurrency = concurrency
        self.visibility_timeout = visibility_timeout
        self.log = log or self.outbox.parent / "worker.log"
        self.process: subprocess.Popen | None = None
        self._eager = None

    # --- lifecycle -----------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "DJANGO_SETTINGS_MODULE": "congress_portal.settings.test",
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "CELERY_VISIBILITY_TIMEOUT": str(self.visibility_timeout),
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.outbox),
        })
        env.update(self.extra_env)
        return env

    def start(self) -> CeleryWorker:
        log = open(self.log, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "congress_portal", "worker", "--pool", "prefork",
             "--concurrency", str(self.concurrency), "--loglevel", "INFO", "--without-gossip",
             "--without-mingle", "--hostname", f"itest-{os.getpid()}-{time.monotonic_ns()}@%h"],
            cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.wait_until(self._ready, timeout=60, what="the worker to start")
        return self

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"The worker exited with {self.process.returncode}: see {self.log}")
        return b"ready." in self.log.read_bytes()

    def kill(self) -> None:
        """SIGKILL the worker and its pool, as a power cut would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> CeleryWorker:
        # The test process publishes to the real broker instead of running tasks inline.
        self._eager = app.conf.task_always_eager
        app.conf.task_always_eager = False
        app.control.purge()
        self.log.write_bytes(b"")
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
        app.conf.task_always_eager = self._eager
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge("celery")

    # --- observing ---------------------------------------------------------------------

    def recipients(self) -> list[str]:
        """The To: address of every email sent, one entry per message."""
        return [line[4:].strip() for m in self.messages() for line in m.splitlines() if line.startswith("To: ")]

    def messages(self) -> list[str]:
        """The emails the worker sent: the file backend writes one file per connection,
        messages separated by a line of dashes."""
        out = []
        for path in sorted(self.outbox.glob("*.log")):
            out.extend(m for m in path.read_text().split("-" * 79 + "\n") if m.strip())
        return out

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    @staticmethod
    def wait_until(condition, *, timeout: float = 30, what: str = "the condition", interval: float = 0.2):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(interval)
        raise AssertionError(f"Timed out after {timeout}s waiting for {what}")
