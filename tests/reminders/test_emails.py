"""The reminder email: plain text and HTML, in the recipient's language (the portal's,
Vietnamese, as users have no language of their own), with absolute links."""

from __future__ import annotations

import pytest
from django.core import mail

from reminders.models import Kind
from reminders.selectors import EMAIL_WEEKLY_UNITS_SHOWN

from .conftest import days, emails_to, milestones_of, set_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def dated(setup, congress_a, congress_cell):
    set_due(milestones_of(congress_a)[0], days(7))
    set_due(milestones_of(congress_a)[1], days(-1))
    set_due(milestones_of(congress_cell)[0], days(-3))


def test_the_email_is_in_vietnamese_by_default(dated, congress_a, secretary_a, run_scan, english):
    # Even from code running in English (a request, a worker), the recipient's language wins.
    run_scan()

    [email] = emails_to(secretary_a)
    html = email.alternatives[0][0]
    assert email.subject.startswith("[Cổng Đại hội] ")
    assert "Hạn hoàn thành: 30/06/2025" in email.body
    assert "Cổng Đại hội" in email.body
    assert '<html lang="vi">' in html
    assert "Hạn hoàn thành: 22/06/2025" in html
    assert "Due date" not in email.body


def test_the_email_is_in_english_when_the_portal_is(dated, congress_a, secretary_a, run_scan, settings):
    settings.LANGUAGE_CODE = "en"

    run_scan()

    [email] = emails_to(secretary_a)
    html = email.alternatives[0][0]
    assert email.subject == "[Congress portal] Escalation: 1 overdue milestone in units under yours"
    assert "Dear Lê Văn An," in email.body
    assert "Due date: 30/06/2025 (due in 7 days)" in email.body
    assert "Due date: 22/06/2025 (1 day overdue)" in email.body
    assert "Due date: 20/06/2025 (3 days overdue)" in email.body
    assert '<html lang="en">' in html
    assert "<strong style=\"color:#b3261e;\">3 days overdue</strong>" in html


def test_the_email_has_text_and_html_with_absolute_links(dated, congress_a, secretary_a, run_scan, settings):
    settings.PORTAL_BASE_URL = "https://daihoi.example.vn"
    milestone = milestones_of(congress_a)[0]

    run_scan()

    [email] = emails_to(secretary_a)
    link = f"https://daihoi.example.vn/congresses/{congress_a.pk}/#milestone-{milestone.pk}"
    assert link in email.body
    assert email.alternatives[0][1] == "text/html"
    assert f'href="{link}"' in email.alternatives[0][0]
    assert "https://daihoi.example.vn/notifications/settings/" in email.body
    assert email.extra_headers["Message-ID"].endswith("@daihoi.example.vn>")


def test_names_are_escaped_in_html_but_not_in_text(setup, tree, congress_a, secretary_a, run_scan):
    tree.commune_a.name = "Đảng bộ <Xã> & Phường"
    tree.commune_a.save()
    set_due(milestones_of(congress_a)[0], days(1))

    run_scan()

    [email] = emails_to(secretary_a)
    assert "Đảng bộ <Xã> & Phường" in email.body
    assert "Đảng bộ &lt;Xã&gt; &amp; Phường" in email.alternatives[0][0]


def test_the_weekly_digest_email_lists_the_units_most_overdue_first(setup, tree, congress_a, congress_cell, viewer,
                                                                  run_scan, settings):
    settings.LANGUAGE_CODE = "en"
    for milestone in milestones_of(congress_a, 3):
        set_due(milestone, days(-2))
    set_due(milestones_of(congress_cell)[0], days(-9))

    run_scan(Kind.WEEKLY)

    [email] = emails_to(viewer)
    assert email.subject == "[Congress portal] Weekly digest: 2 units with overdue milestones"
    assert "2 units in your scope have milestones past their due date: 4 milestones in all." in email.body
    body = email.body
    assert body.index("Đảng bộ xã An Phú: 3 overdue milestones") < body.index("Chi bộ thôn 1: 1 overdue milestone")
    assert "oldest due 14/06/2025 (9 days overdue)" in body
    assert f"/units/{tree.province.pk}/dashboard/" in body


def test_a_long_weekly_digest_email_shows_the_first_units_and_counts_the_rest(setup, tree, term, viewer, run_scan,
                                                                             settings):
    from congresses.models import Milestone
    from tests.factories import CongressFactory, UnitFactory

    settings.LANGUAGE_CODE = "en"
    extra = 3
    for n in range(EMAIL_WEEKLY_UNITS_SHOWN + extra):
        CongressFactory(unit=UnitFactory(parent=tree.commune_b, name=f"Chi bộ {n:03d}"), term=term)
    Milestone.objects.update(due_date=None)
    Milestone.objects.filter(step__code="plan").update(due_date=days(-5))

    run_scan(Kind.WEEKLY)

    [email] = emails_to(viewer)
    units = EMAIL_WEEKLY_UNITS_SHOWN + extra + 2  # + the congresses of commune A and cell A1
    assert f"Weekly digest: {units} units with overdue milestones" in email.subject
    assert email.body.count("1 overdue milestone,") == EMAIL_WEEKLY_UNITS_SHOWN
    assert f"… and {units - EMAIL_WEEKLY_UNITS_SHOWN} more units: see the dashboard." in email.body
    assert len(mail.outbox) == 1
