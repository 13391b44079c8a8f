"""The demo data of `make run`: a whole province, consistent roll-ups, something in every
page (the provincial viewer's notification centre included), and a second load refused."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from committees.models import Unit
from congresses.models import Congress, Milestone
from progress import rollups


@pytest.mark.django_db
def test_load_demo_builds_a_consistent_province_once():
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert Unit.objects.count() > 500
    assert Congress.objects.count() == Unit.objects.count()
    assert Milestone.objects.filter(status="done").exists() and Milestone.objects.exclude(status="done").exists()
    assert rollups.differences() == []
    viewer = User.objects.get(username="tinhuy")
    assert viewer.unread_notifications == 1  # the weekly digest of the overdue units in scope
    assert "Reminders (weekly): 1 messages" in out.getvalue()

    again = StringIO()
    call_command("load_demo", stdout=again)
    assert "nothing loaded" in again.getvalue()
