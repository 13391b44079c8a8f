"""Every role of the demo follows the links of its pages without reaching a dead end: on
the demo province (every part of the product filled in), each demo login walks the pages
its links lead to, breadth first, and no link answers 404 or a server error. A link to a
page the user may not open is a broken promise, whoever the user is."""

from __future__ import annotations

import collections
import re
from urllib.parse import urljoin, urlparse

import pytest
from django.core.management import call_command

from accounts.models import User

pytestmark = pytest.mark.django_db

PAGES_PER_ROLE = 400
# Not followed: leaving the session, the admin (its own links), the language switch,
# downloads and exports (checked elsewhere), and further pages of long lists.
SKIP = re.compile(r"/logout|^/admin/|/i18n/|/static/|/media/|\.(docx|xlsx|csv|json)(\?|$)|download|evidence|"
                  r"/print/|[?&]page=\d{2,}|ordering=")
HREF = re.compile(r'href="([^"#]+)"')


def _walk(client, start: str = "/") -> tuple[int, list[tuple[str, str, int]]]:
    """(pages read, [(page, link, status)] for the links that answered 404 or 5xx)."""
    seen, queue, dead, read = {start}, collections.deque([(None, start)]), [], 0
    while queue and read < PAGES_PER_ROLE:
        origin, url = queue.popleft()
        response = client.get(url)
        read += 1
        if response.status_code in (301, 302):
            target = urlparse(response["Location"])
            path = target.path + (f"?{target.query}" if target.query else "")
            if target.netloc in ("", "testserver") and path not in seen and not SKIP.search(path):
                seen.add(path)
                queue.append((url, path))
            continue
        if response.status_code == 404 or response.status_code >= 500:
            dead.append((origin, url, response.status_code))
            continue
        if response.streaming or "html" not in response.get("Content-Type", ""):
            continue
        for href in HREF.findall(response.content.decode()):
            target = urlparse(urljoin(url, href.replace("&amp;", "&")))
            path = target.path + (f"?{target.query}" if target.query else "")
            if target.netloc not in ("", "testserver") or SKIP.search(path) or path in seen:
                continue
            seen.add(path)
            queue.append((url, path))
    return read, dead


def test_no_demo_role_meets_a_dead_link(client):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    report = {}
    for username in ("tinhuy", "bithu.xa", "bithu.chibo", "togiup", "kiemtra", "bantochuc", "admin"):
        client.force_login(User.objects.get(username=username))
        read, dead = _walk(client)
        assert read > 5, username  # the walk went somewhere
        if dead:
            report[username] = dead
        client.logout()
    assert report == {}
