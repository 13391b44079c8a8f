"""The README's production shape on PostgreSQL and Redis, under load, through faults.

Two gunicorn processes, two Celery workers and one beat, each started with the command
of the README's deployment section (tests.deployment.cluster.readme_commands), on a
PostgreSQL and a Redis of the test's own (the shared servers on 5432 and 6379 are never
touched). Reader threads open dashboards and their JSON as a provincial viewer, writer
threads tick milestones through the checklist's form as secretaries, alternating between
the two web processes as a load balancer would; a monitor polls /healthz on both. Then,
one after the other:

1. a web process (gunicorn's master and its workers) is SIGKILLed, and restarted;
2. the daily scan is published, and the worker with reminder batches in hand is SIGKILLed
   mid-batch (its main process and its pool), and restarted;
3. Redis is restarted;
4. PostgreSQL is crashed (immediate stop: no checkpoint) and restarted.

Checks: no write acknowledged to a client (a redirect after the form) is lost; every
reminder due is sent exactly once (the SMTP server's messages, by Message-ID); the
roll-ups equal a recomputation (`rebuild_rollups --check`); the cached dashboard agrees
with the database; /healthz answered non-200 during each outage and 200 again after it.
The figures are printed at the end of the run (tests/conftest.py).
"""

from __future__ import annotations

import json
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.deployment.cluster import (
    ROOT,
    Browser,
    PrivatePostgres,
    PrivateRedis,
    Service,
    SmtpSink,
    free_port,
    manage,
    production_env,
    readme_commands,
    wait_until,
)

pytestmark = [pytest.mark.deployment]

FIGURES = "deployment_figures"  # read by tests/conftest.py's terminal summary
PAUSE = 0.05  # seconds each load thread waits between requests: a bounded load


@dataclass
class Request:
    start: float
    end: float
    web: int
    kind: str  # read, write, login
    status: int  # 0: no answer


@dataclass
class Write:
    milestone: int
    note: str
    status: str
    acknowledged: bool


@dataclass
class Load:
    """Readers, writers and the /healthz monitor, in threads, until stopped."""

    ports: list[int]
    seed: dict
    readers: int = 3
    requests: list[Request] = field(default_factory=list)
    health: list[tuple[float, int, int]] = field(default_factory=list)  # (time, web, status)
    writes: dict[int, list[Write]] = field(default_factory=dict)
    logged_out: int = 0
    stopping: threading.Event = field(default_factory=threading.Event)
    lock: threading.RLock = field(default_factory=threading.RLock)
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> Load:
        targets = [(self._reader, i) for i in range(self.readers)]
        targets += [(self._writer, w) for w in self.seed["writers"]]
        targets.append((self._monitor, None))
        for target, arg in targets:
            thread = threading.Thread(target=target, args=(arg,), daemon=True)
            thread.start()
            self.threads.append(thread)
        return self

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def _record(self, web: int, kind: str, start: float, answer) -> None:
        with self.lock:
            self.requests.append(Request(start, time.monotonic(), web, kind, answer.status))

    def _signed_in(self, browser: Browser, username: str, turn: int) -> None:
        while not self.stopping.is_set():
            web = turn % len(self.ports)
            start = time.monotonic()
            answer = browser.login(self.ports[web], username, self.seed["password"])
            self._record(web, "login", start, answer)
            if answer.status == 302 and "/login/" not in answer.location:
                return
            turn += 1
            time.sleep(0.2)

    def _reader(self, index: int) -> None:
        browser = Browser()
        province, commune = self.seed["province"], self.seed["communes"][0]
        paths = [f"/units/{province}/dashboard/", f"/units/{province}/dashboard.json", f"/units/{commune}/dashboard/"]
        self._signed_in(browser, self.seed["viewer"], index)
        turn = index
        while not self.stopping.is_set():
            web = turn % len(self.ports)
            start = time.monotonic()
            answer = browser.request(self.ports[web], "GET", paths[turn % len(paths)])
            self._record(web, "read", start, answer)
            if answer.status == 302 and "/login/" in answer.location:
                with self.lock:
                    self.logged_out += 1
                self._signed_in(browser, self.seed["viewer"], turn)
            turn += 1
            time.sleep(PAUSE)

    def _writer(self, writer: dict) -> None:
        """Each milestone belongs to one writer, who writes it in turn, done and not done,
        every write with its own note: the note in the database says which write won."""
        browser = Browser()
        username, milestones = writer["username"], writer["milestones"]
        self._signed_in(browser, username, 0)
        seq = 0
        while not self.stopping.is_set():
            web = seq % len(self.ports)
            pk = milestones[seq % len(milestones)]
            status = "done" if (seq // len(milestones)) % 2 == 0 else "in_progress"
            note = f"{username}#{seq}"
            data = {f"m{pk}-status": status, f"m{pk}-done_on": self.seed["today"] if status == "done" else "",
                    f"m{pk}-evidence_number": "", f"m{pk}-note": note}
            start = time.monotonic()
            answer = browser.request(self.ports[web], "POST", f"/milestones/{pk}/", data)
            self._record(web, "write", start, answer)
            logged_out = answer.status == 302 and "/login/" in answer.location
            acknowledged = answer.status == 302 and f"#milestone-{pk}" in answer.location
            with self.lock:
                self.writes.setdefault(pk, []).append(Write(pk, note, status, acknowledged))
            if logged_out:
                with self.lock:
                    self.logged_out += 1
                self._signed_in(browser, username, seq)
            seq += 1
            time.sleep(PAUSE)

    def _monitor(self, _arg) -> None:
        browser = Browser(timeout=5)
        while not self.stopping.is_set():
            for web, port in enumerate(self.ports):
                answer = browser.request(port, "GET", "/healthz")
                with self.lock:
                    self.health.append((time.monotonic(), web, answer.status))
            time.sleep(0.2)

    # --- reading the records ---------------------------------------------------------------

    def errors_between(self, start: float, end: float, web: int | None = None) -> int:
        """Failed requests that were under way at some time in [start, end]."""
        with self.lock:
            return sum(1 for r in self.requests if r.start <= end and r.end >= start and not 200 <= r.status < 400
                       and (web is None or r.web == web))

    def errors_outside(self, windows: list[tuple[float, float]]) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if not 200 <= r.status < 400
                    and not any(r.start <= end and r.end >= start for start, end in windows)]

    def served_between(self, start: float, end: float, web: int) -> int:
        with self.lock:
            return sum(1 for r in self.requests if start <= r.start <= end and r.web == web and 200 <= r.status < 400)

    def health_between(self, start: float, end: float, web: int) -> list[int]:
        with self.lock:
            return [status for t, w, status in self.health if start <= t <= end and w == web]


def _healthy(port: int) -> bool:
    return Browser(timeout=3).request(port, "GET", "/healthz").status == 200


def _in_flight_sends(worker: Service) -> set[str]:
    """Ids of the reminder batches this worker received and has not finished (its log)."""
    log = worker.log_text()
    received = set(re.findall(r"Task reminders\.send_deliveries\[([\w-]+)\] received", log))
    finished = set(re.findall(r"Task reminders\.send_deliveries\[([\w-]+)\] (?:succeeded|failed|retry)", log))
    return received - finished


def test_deployment_survives_a_dead_web_process_a_killed_worker_and_restarts_of_redis_and_postgresql(record_property):
    commands = readme_commands()
    figures: dict = {}
    started = time.monotonic()
    var = Path(tempfile.mkdtemp(prefix="portal-deploy-"))
    sink = SmtpSink()
    pg = PrivatePostgres()
    redis = PrivateRedis(var / "redis")
    services: list[Service] = []
    load: Load | None = None
    passed = False
    # A CI timeout's SIGTERM still runs the `finally` below: nothing of ours outlives the test.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        # --- The deployment, as the README says ---------------------------------------------
        pg.init()
        redis.start()
        pg.createdb("portal")
        ports = [free_port(), free_port()]
        env = production_env(database_url=pg.url("portal"), redis_url=redis.url(0), smtp_port=sink.port, var=var,
                             web_port=ports[0])
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        subprocess.run([sys.executable, "-m", "tests.deployment.seed", str(var / "seed.json")], cwd=ROOT, env=env,
                       check=True, capture_output=True, timeout=300)
        seed = json.loads((var / "seed.json").read_text())

        def web(i: int) -> Service:
            argv = [a.replace("0.0.0.0:8000", f"127.0.0.1:{ports[i]}") for a in commands["web"]]
            return Service(f"web{i + 1}", argv, env, var / f"web{i + 1}.log")

        def worker(i: int) -> Service:
            argv = [a.replace("worker1@", f"worker{i + 1}@") for a in commands["worker"]]
            return Service(f"worker{i + 1}", argv, env, var / f"worker{i + 1}.log")

        webs = [web(0).start(), web(1).start()]
        workers = [worker(0).start(), worker(1).start()]
        beat = Service("beat", commands["beat"], env, var / "beat.log").start()
        services = [*webs, *workers, beat]
        for i, port in enumerate(ports):
            wait_until(lambda port=port: _healthy(port), timeout=90, what=f"web{i + 1}'s /healthz")
        for w in workers:
            wait_until(lambda w=w: "ready." in w.log_text(), timeout=90, what=f"{w.name} to be ready")
        figures["setup_s"] = round(time.monotonic() - started, 1)

        load = Load(ports=ports, seed=seed).start()
        outages: list[tuple[float, float]] = []
        time.sleep(4)

        # --- 1. A web process dies; the other keeps serving; it is started again -------------
        down = time.monotonic()
        webs[0].kill()
        time.sleep(3)
        webs[0].start()
        restarted = time.monotonic()
        wait_until(lambda: _healthy(ports[0]), timeout=60, what="web1 to come back")
        up = time.monotonic()
        assert load.served_between(down, restarted, 1) > 0, "web2 served nothing while web1 was down"
        assert load.errors_between(down, up, web=1) == 0, "web2 failed requests while web1 was down"
        assert 0 in load.health_between(down, restarted, 0), "web1's /healthz answered while it was dead"
        outages.append((down, up))
        figures["web"] = {"errors": load.errors_between(down, up), "served_by_other": load.served_between(down, up, 1),
                          "recovery_s": round(up - restarted, 2)}

        # --- 2. A worker is SIGKILLed in the middle of a batch of reminders ------------------
        from celery import Celery

        reminded = seed["reminded"]
        publisher = Celery(broker=redis.url(0))
        publisher.send_task("reminders.daily_scan", args=[seed["today"]])
        wait_until(lambda: sink.count() >= 3, timeout=90, what="the first reminders")
        # The SMTP server stalls; the senders that had their 250 commit; then the kill, of a
        # worker with batches in hand.
        sink.hold()
        time.sleep(0.5)
        victim = next((w for w in workers if _in_flight_sends(w)), None)
        assert victim is not None, "no worker had a batch of reminders in hand"
        in_flight = _in_flight_sends(victim)
        victim.kill()
        sent_at_kill = sink.count()
        sink.release()
        assert sent_at_kill < len(reminded), "every reminder was sent before the kill: slow the SMTP server down"
        victim.start()
        sent_rows = ("SELECT count(*) FROM reminders_delivery WHERE channel = 'email' AND state = 'sent' "
                     f"AND day = '{seed['today']}'")
        wait_until(lambda: pg.query("portal", sent_rows)[0][0] >= len(reminded) and sink.count() >= len(reminded),
                   timeout=120, what="every reminder to be sent")
        time.sleep(1)  # a duplicate, if any, would arrive now
        # The victim's log keeps both of its lives: a batch it had in hand is received twice.
        redelivered = {i for i in in_flight
                       if sum(w.log_text().count(f"send_deliveries[{i}] received") for w in workers) >= 2}
        figures["worker"] = {"emails": len(reminded), "sent_at_kill": sent_at_kill, "batches_in_hand": len(in_flight),
                             "batches_redelivered": len(redelivered)}

        # --- 3. Redis restarts ----------------------------------------------------------------
        down = time.monotonic()
        redis.stop()
        time.sleep(2)
        redis.start()
        restarted = time.monotonic()
        wait_until(lambda: all(_healthy(p) for p in ports), timeout=60, what="/healthz after Redis came back")
        up = time.monotonic()
        redis_health = load.health_between(down, restarted, 0) + load.health_between(down, restarted, 1)
        outages.append((down, up))
        figures["redis"] = {"errors": load.errors_between(down, up), "healthz_non_200": sum(s != 200 for s in redis_health),
                            "recovery_s": round(up - restarted, 2)}

        # --- 4. PostgreSQL crashes and restarts -----------------------------------------------
        down = time.monotonic()
        pg.crash()
        time.sleep(2)
        pg.start()
        restarted = time.monotonic()
        wait_until(lambda: all(_healthy(p) for p in ports), timeout=60, what="/healthz after PostgreSQL came back")
        up = time.monotonic()
        pg_health = load.health_between(down, restarted, 0) + load.health_between(down, restarted, 1)
        outages.append((down, up))
        figures["postgres"] = {"errors": load.errors_between(down, up), "healthz_non_200": sum(s != 200 for s in pg_health),
                               "recovery_s": round(up - restarted, 2)}

        time.sleep(3)
        load.stop()
        end = time.monotonic()

        # --- The checks -----------------------------------------------------------------------
        # Every process still runs (beat and the other worker went through both restarts).
        assert all(s.alive() for s in services), [s.name for s in services if not s.alive()]

        # /healthz said so during each outage, on both web processes.
        assert redis_health.count(503) >= 2, f"/healthz did not report Redis down: {redis_health}"
        assert pg_health.count(503) >= 2, f"/healthz did not report PostgreSQL down: {pg_health}"

        # No acknowledged write is lost: each milestone holds its last acknowledged write, or
        # a later one whose answer never came back (it may have committed).
        rows = dict(pg.query("portal", "SELECT id, note || '|' || status FROM congresses_milestone"))
        acknowledged = lost = 0
        for pk, writes in load.writes.items():
            acked = [i for i, w in enumerate(writes) if w.acknowledged]
            acknowledged += len(acked)
            if not acked:
                continue
            possible = {f"{w.note}|{w.status}" for w in writes[acked[-1]:]}
            lost += rows[pk] not in possible
        assert acknowledged >= 30, f"too few acknowledged writes to judge ({acknowledged})"
        assert lost == 0, f"{lost} milestones lost an acknowledged write"
        assert load.logged_out == 0, "a signed-in client was sent to the login page"

        # Every reminder exactly once: one message per Message-ID, one per secretary owed one.
        ids = Counter(sink.message_ids())
        assert not [m for m, n in ids.items() if n > 1], f"sent twice: {[m for m, n in ids.items() if n > 1]}"
        assert sorted(sink.recipients()) == sorted(reminded)
        states = dict(pg.query("portal", "SELECT state, count(*) FROM reminders_delivery WHERE channel = 'email' "
                                         "GROUP BY state"))
        assert states == {"sent": len(reminded)}, states
        assert redelivered, "the killed worker's batches were not delivered again"

        # The roll-ups equal a recomputation, and the cached dashboard the database.
        check = manage(env, "rebuild_rollups", "--check", check=False)
        assert check.returncode == 0, check.stdout + check.stderr
        viewer = Browser()
        assert viewer.login(ports[1], seed["viewer"], seed["password"]).status == 302
        dashboard = json.loads(viewer.request(ports[1], "GET", f"/units/{seed['province']}/dashboard.json").body)
        done = pg.query("portal", "SELECT count(*) FROM congresses_milestone WHERE status = 'done'")[0][0]
        assert dashboard["subtree"]["steps_done"] == done

        faults = [figures[k] for k in ("web", "redis", "postgres")]
        with load.lock:
            figures.update({
                "requests": len(load.requests),
                "reads": sum(r.kind == "read" for r in load.requests),
                "writes": sum(r.kind == "write" for r in load.requests),
                "writes_acknowledged": acknowledged,
                "errors": sum(not 200 <= r.status < 400 for r in load.requests),
                "errors_in_outages": sum(f["errors"] for f in faults),
                "errors_outside_outages": len(load.errors_outside(outages)),
                "load_s": round(end - load.requests[0].start, 1),
                "total_s": round(time.monotonic() - started, 1),
            })
        # Outside the outages every request succeeds.
        outside = load.errors_outside(outages)
        assert not outside, [(round(r.start - started, 2), round(r.end - started, 2), r.web, r.kind, r.status)
                             for r in outside] + [(round(a - started, 2), round(b - started, 2)) for a, b in outages]
        passed = True
    finally:
        if load is not None:
            load.stop()
        for service in services:
            service.stop()
        redis.stop()
        pg.destroy()
        sink.close()
        signal.signal(signal.SIGTERM, previous)
        if passed:
            shutil.rmtree(var, ignore_errors=True)
        else:
            figures["logs"] = str(var)
        record_property(FIGURES, figures)


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")
