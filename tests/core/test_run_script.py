"""`make run` (bin/run): DEBUG off as in production, and every child stopped on SIGTERM.

Starting the real bin/run takes a migrate and the demo load; these tests check the two
behaviours on the pieces that carry them: the environment bin/run exports, loaded in a
fresh interpreter as gunicorn would, and bin/supervise.sh (which bin/run sources) driving
small stand-in processes.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="bash and process groups")


def _run_env(tmp_path) -> dict:
    """The environment bin/run gives its processes: its own `export` lines."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(PORTAL_VAR_DIR=str(tmp_path / "var"), PYTHONPATH=str(ROOT))
    exports = subprocess.run(
        ["bash", "-c", 'eval "$(grep -E "^export [A-Z_]+=" bin/run)"; env -0'],
        cwd=ROOT, env=env, capture_output=True, check=True,
    ).stdout.decode()
    return dict(item.split("=", 1) for item in exports.split("\0") if "=" in item)


PROBE = """
import django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
print("DEBUG", settings.DEBUG)
print("STATIC", client.get("/static/css/portal.css").status_code)
missing = client.get("/no-such-page/")
print("404", missing.status_code, "Không tìm thấy trang" in missing.content.decode())
"""


def test_make_run_serves_without_debug_and_finds_static_files(tmp_path):
    env = _run_env(tmp_path)
    assert env["DJANGO_SETTINGS_MODULE"] == "congress_portal.settings.local"
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert "DEBUG False" in lines
    assert "STATIC 200" in lines  # WhiteNoise from the app folders, no collectstatic
    assert "404 404 True" in lines  # the portal's page, not Django's debug page


HARNESS = """
set -euo pipefail
LOG=$1
say() { echo "==> $*"; }
. bin/supervise.sh
supervise_traps
# A leader that dies of SIGTERM and leaves a child that ignores it, as a pool process may.
start stubborn sh -c 'sh -c "trap \\"\\" TERM; while :; do sleep 0.2; done" & wait'
start plain sleep 300
echo "groups ${PIDS[*]}"
while :; do sleep 1 & wait $! || true; done
"""


def _live_members(pgids: set[int]) -> list[str]:
    """Processes of those groups still running (zombies waiting for init are dead)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text.rsplit(")", 1)[1].split()
        state, pgid = fields[0], int(fields[2])
        if pgid in pgids and state != "Z":
            alive.append(text)
    return alive


@pytest.mark.skipif(not Path("/proc").exists() or not __import__("shutil").which("setsid"), reason="Linux")
def test_sigterm_stops_every_process_of_every_group(tmp_path):
    script = tmp_path / "harness.sh"
    script.write_text(HARNESS)
    proc = subprocess.Popen(
        ["bash", str(script), str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "STOP_TIMEOUT": "1"},
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("groups "), line
        pgids = {int(pid) for pid in line.split()[1:]}
        time.sleep(0.5)  # the stubborn child is up
        assert len(_live_members(pgids)) >= 3
        proc.send_signal(signal.SIGTERM)  # what `timeout` and systemd send
        assert proc.wait(timeout=15) == 143
        deadline = time.monotonic() + 5
        while _live_members(pgids) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _live_members(pgids) == []
    finally:
        if proc.poll() is None:
            proc.kill()
        for pgid in locals().get("pgids", ()):
            try:
                os.killpg(pgid, signal.SIGKILL)
            except ProcessLookupError:
                pass
