"""Data for the deployment test, written through the services (tests.factories) into the
deployment's own database, under the deployment's own (production) settings:

    python -m tests.deployment.seed OUT.json

- a province with a provincial viewer (the readers sign in as them);
- commune "W" with WRITERS cells, each with its secretary and a congress far ahead: the
  writers tick its milestones (never "register" or "hold", which move the congress date);
- commune "R" with REMINDED cells, each with its secretary (an email address) and a
  congress whose first step ("plan", 90 days before) is due in 3 days: the daily scan owes
  each of them exactly one email (the policy reminds 7, 3 and 1 days before), and nobody
  else anything (nothing is overdue, no other step is 7, 3 or 1 day ahead).

Only the users who sign in get a password: hashing one costs the production hasher
about half a second.

Writes OUT.json: the logins, the ids the load uses, and the addresses owed a reminder.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys

import django

WRITERS = 3
REMINDED = 48
PASSWORD = "Trien-khai-thu-2026!"
TICKABLE = ("plan", "subcommittees", "drafts", "comments", "personnel", "petitions", "approval")


def main(out: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congress_portal.settings.production")
    django.setup()
    from django.utils import timezone

    from committees.models import Level
    from congresses.models import Milestone
    from tests.factories import CongressFactory, SecretaryFactory, TermFactory, UnitFactory, ViewerFactory

    today = timezone.localdate()
    TermFactory(start_year=today.year, deadlines={})
    province = UnitFactory(code="P", name="Tỉnh ủy Triển khai", level=Level.PROVINCE, kind="province")
    commune_w = UnitFactory(code="W", name="Đảng bộ xã Ghi", level=Level.UPPER, kind="commune", parent=province)
    commune_r = UnitFactory(code="R", name="Đảng bộ xã Nhắc", level=Level.UPPER, kind="commune", parent=province)
    ViewerFactory(username="xem.tinh", unit=province, password=PASSWORD)

    writers = []
    for i in range(WRITERS):
        cell = UnitFactory(code=f"W{i}", name=f"Chi bộ ghi {i}", level=Level.GRASSROOTS, kind="cell", parent=commune_w)
        SecretaryFactory(username=f"ghi.{i}", unit=cell, password=PASSWORD)
        congress = CongressFactory(unit=cell, planned_date=today + dt.timedelta(days=200))
        ids = list(Milestone.objects.filter(congress=congress, step__code__in=TICKABLE)
                   .order_by("step__order").values_list("pk", flat=True))
        writers.append({"username": f"ghi.{i}", "milestones": ids})

    emails = []
    for i in range(REMINDED):
        cell = UnitFactory(code=f"R{i}", name=f"Chi bộ nhắc {i}", level=Level.GRASSROOTS, kind="cell", parent=commune_r)
        email = f"nhac.{i}@example.vn"
        SecretaryFactory(username=f"nhac.{i}", email=email, unit=cell, password=None)
        # "plan" is due 90 days before the congress: in 3 days.
        CongressFactory(unit=cell, planned_date=today + dt.timedelta(days=93))
        emails.append(email)

    with open(out, "w") as fh:
        json.dump({
            "today": today.isoformat(), "password": PASSWORD, "viewer": "xem.tinh",
            "province": province.pk, "communes": [commune_w.pk, commune_r.pk],
            "writers": writers, "reminded": emails,
        }, fh)


if __name__ == "__main__":
    main(sys.argv[1])
