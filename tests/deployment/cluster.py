"""A production-shaped deployment on this machine, for tests/deployment: its own
PostgreSQL (initdb into a temporary folder, on a free port) and its own Redis (a free
port), never the shared servers on 5432 and 6379, which other suites use; the web and
worker processes started with the commands of the README's deployment section; a small
SMTP server that counts what the workers send; an HTTP client that goes through the login
form like a browser behind the README's proxy.

Everything here is started by the test and stopped by it, whole process groups at a time.
"""

from __future__ import annotations

import email
import glob
import os
import pwd
import re
import secrets
import shlex
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http import client as http_client
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_bin() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin with initdb and pg_ctl."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


def missing_tools() -> list[str]:
    missing = []
    if postgres_bin() is None:
        missing.append("PostgreSQL's server programs (/usr/lib/postgresql/<version>/bin: apt-get install postgresql)")
    if not shutil.which("redis-server"):
        missing.append("redis-server (apt-get install redis-server)")
    return missing


def wait_until(condition, *, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


# --- README --------------------------------------------------------------------------------


def readme_commands() -> dict[str, list[str]]:
    """The commands of the README's deployment section ("## Deploying …"), by what they
    start: web (gunicorn), worker and beat (celery). The test runs exactly these, with the
    bind address and the worker's name adapted to one machine."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## Deploying", 1)[1].split("\n## ", 1)[0]
    commands = {}
    for line in re.findall(r"^\s*((?:gunicorn|celery) .+)$", section, flags=re.M):
        argv = shlex.split(line.split("  #", 1)[0])
        kind = "web" if argv[0] == "gunicorn" else ("beat" if "beat" in argv else "worker")
        commands.setdefault(kind, argv)
    missing = {"web", "worker", "beat"} - set(commands)
    assert not missing, f"the README's deployment section gives no command for {sorted(missing)}"
    return commands


# --- PostgreSQL and Redis of our own --------------------------------------------------------


def _as_postgres_user() -> list[str]:
    """initdb and postgres refuse to run as root: as root, run them as the postgres user."""
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", "postgres", "--"]


class PrivatePostgres:
    def __init__(self):
        self.bin = postgres_bin()
        self.port = free_port()
        # Not under pytest's tmp_path: the postgres user must be able to reach it.
        self.dir = Path(__import__("tempfile").mkdtemp(prefix="portal-deploy-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self.dir.chmod(0o755)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def _run(self, *argv: str) -> None:
        subprocess.run([*_as_postgres_user(), *argv], check=True, capture_output=True, timeout=120, cwd="/")

    def init(self) -> PrivatePostgres:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "-E", "UTF8", "--locale", "C.UTF-8", "--no-sync")
        return self.start()

    def start(self) -> PrivatePostgres:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")
        return self

    def crash(self) -> None:
        """Stop as a crash would (immediate: no checkpoint); the next start recovers
        from the write-ahead log, so only committed transactions survive."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def createdb(self, name: str) -> None:
        subprocess.run([str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name],
                       check=True, capture_output=True, timeout=60)

    def query(self, db: str, sql: str) -> list[tuple]:
        import psycopg2

        with psycopg2.connect(self.url(db)) as conn, conn.cursor() as cursor:
            cursor.execute(sql)
            rows = cursor.fetchall()
        conn.close()
        return rows

    def destroy(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateRedis:
    """A Redis of our own. It keeps an append-only file, as the README asks of the broker's
    Redis: queued tasks survive a restart."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.dir = folder
        self.dir.mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> PrivateRedis:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
             "--appendfsync", "everysec", "--dir", str(self.dir), "--logfile", str(self.dir / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True,
        )
        wait_until(self.ping, timeout=20, what="Redis to answer")
        return self

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        """SIGTERM: Redis flushes its append-only file and exits."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


# --- The portal's processes ----------------------------------------------------------------


@dataclass
class Service:
    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen | None = None

    def start(self) -> Service:
        argv = [str(BIN / self.argv[0]), *self.argv[1:]]
        handle = open(self.log, "ab")
        handle.write(f"---- {time.strftime('%H:%M:%S')} {shlex.join(argv)}\n".encode())
        handle.flush()
        # Its own session: killing the group kills the master and its workers (gunicorn)
        # or the main process and its pool (Celery), as a host that dies would.
        self.process = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=handle, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        handle.close()
        return self

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=20)

    def stop(self, timeout: float = 15) -> None:
        if not self.alive():
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        try:  # the group's stragglers (a pool process the main one did not wait for)
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def production_env(*, database_url: str, redis_url: str, smtp_port: int, var: Path, web_port: int) -> dict[str, str]:
    """The environment of every process, as the README's deployment section lists it."""
    from cryptography.fernet import Fernet

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTAL_", "CELERY_", "EMAIL_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "congress_portal.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{web_port}",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "EMAIL_TIMEOUT": "10",
        "PORTAL_BASE_URL": "https://127.0.0.1",
        "PORTAL_VAR_DIR": str(var),
        "MEDIA_ROOT": str(var / "media"),
        "WEB_CONCURRENCY": "2",
        # Small, so that the test sees a killed worker's batch come back within seconds
        # (production: an hour, longer than any task runs).
        "CELERY_VISIBILITY_TIMEOUT": "8",
        "REMINDERS_BATCH_SIZE": "6",
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": str(ROOT),
    })
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 300, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


# --- Mail -----------------------------------------------------------------------------------


class SmtpSink:
    """An SMTP server that keeps every message it accepted (250 after DATA), with the
    latency of a real server before it answers RCPT.

    `hold()` stops answering RCPT until `release()`, as a server that stalls: once the
    senders that already had their 250 have committed, every sender waits on the server.
    A worker killed then is not between the server's 250 and its own commit, the one window
    for a duplicate that reminders.services names (milliseconds in real life; a test that
    killed on seeing a message arrive would aim right at it)."""

    def __init__(self, rcpt_delay: float = 0.12):
        self.rcpt_delay = rcpt_delay
        self.messages: list[email.message.Message] = []
        self.lock = threading.Lock()
        self.answering = threading.Event()
        self.answering.set()
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                try:
                    self.converse()
                except ConnectionError:  # the worker was killed
                    pass

            def converse(self):
                self.wfile.write(b"220 sink ESMTP\r\n")
                while line := self.rfile.readline():
                    verb = line[:4].upper()
                    if verb in (b"EHLO", b"HELO"):
                        self.wfile.write(b"250 sink\r\n")
                    elif verb == b"RCPT":
                        time.sleep(sink.rcpt_delay)
                        sink.answering.wait(timeout=60)
                        self.wfile.write(b"250 ok\r\n")
                    elif verb == b"DATA":
                        self.wfile.write(b"354 go on\r\n")
                        lines = []
                        while (data := self.rfile.readline()) not in (b".\r\n", b""):
                            lines.append(data[1:] if data.startswith(b"..") else data)
                        with sink.lock:
                            sink.messages.append(email.message_from_bytes(b"".join(lines)))
                        self.wfile.write(b"250 queued\r\n")
                    elif verb == b"QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:  # MAIL, RSET, NOOP
                        self.wfile.write(b"250 ok\r\n")

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def hold(self) -> None:
        self.answering.clear()

    def release(self) -> None:
        self.answering.set()

    def count(self) -> int:
        with self.lock:
            return len(self.messages)

    def recipients(self) -> list[str]:
        with self.lock:
            return [m["To"] for m in self.messages]

    def message_ids(self) -> list[str]:
        with self.lock:
            return [m["Message-ID"] for m in self.messages]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- HTTP, as a browser behind the proxy ---------------------------------------------------


@dataclass
class Answer:
    status: int  # 0: no answer (refused, reset, timed out)
    location: str = ""
    body: bytes = b""
    error: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 400


@dataclass
class Browser:
    """Cookies kept by name, whatever their Secure flag: the proxy in front of the portal
    speaks HTTPS to the browser and plain HTTP to gunicorn, with X-Forwarded-Proto."""

    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 15

    def request(self, port: int, method: str, path: str, data: dict | None = None) -> Answer:
        headers = {"Host": f"127.0.0.1:{port}", "X-Forwarded-Proto": "https", "Accept-Language": "vi"}
        body = None
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            body = urlencode(data or {})
            headers.update({"Content-Type": "application/x-www-form-urlencoded",
                            "Origin": f"https://127.0.0.1:{port}", "Referer": f"https://127.0.0.1:{port}{path}",
                            "X-CSRFToken": self.cookies.get("csrftoken", "")})
        conn = http_client.HTTPConnection("127.0.0.1", port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            payload = response.read()
            for value in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(value).items():
                    self.cookies[name] = morsel.value
            return Answer(response.status, response.headers.get("Location", ""), payload)
        except (OSError, http_client.HTTPException) as exc:
            return Answer(0, error=f"{type(exc).__name__}: {exc}")
        finally:
            conn.close()

    def login(self, port: int, username: str, password: str) -> Answer:
        page = self.request(port, "GET", "/login/")
        if page.status != 200:
            return page
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body).group(1).decode()
        return self.request(port, "POST", "/login/", {"csrfmiddlewaretoken": token, "username": username,
                                                      "password": password})
