"""core.startup: a web process, once loaded, keeps its objects out of the garbage
collector's later passes (wsgi.py)."""

import os
import subprocess
import sys

from django.conf import settings


def test_the_wsgi_application_freezes_what_it_loaded():
    # In a process of its own: freezing here would freeze the test run's objects too.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "congress_portal.settings.test"}
    code = ("import gc; assert gc.get_freeze_count() == 0; import congress_portal.wsgi as w; "
            "from django.urls import get_resolver; "
            "print(gc.get_freeze_count(), callable(w.application), len(get_resolver().url_patterns) > 0)")
    out = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True,
                         text=True, timeout=120, check=True).stdout.split()
    frozen, app, urls = int(out[-3]), out[-2], out[-1]
    assert frozen > 10_000 and app == "True" and urls == "True"
