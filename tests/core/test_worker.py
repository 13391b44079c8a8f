"""A real worker process takes tasks from the real broker (the harness of the reminder
integration tests, tests/worker.py)."""

import pytest

from core.tasks import ping
from tests.worker import CeleryWorker

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_a_real_worker_runs_a_task_from_redis_and_survives_sigkill(transactional_db, tmp_path):
    with CeleryWorker(outbox=tmp_path / "outbox", concurrency=1) as worker:
        ping.delay()
        worker.wait_until(lambda: "core.ping" in worker.log_text() and "succeeded" in worker.log_text(),
                          timeout=30, what="core.ping to run")
        worker.kill()
        assert worker.process.poll() is not None
        worker.start()
        before = worker.log_text().count("succeeded")
        ping.delay()
        worker.wait_until(lambda: worker.log_text().count("succeeded") > before, timeout=30, what="the restarted worker")
