"""Scope on every page: an object out of the user's scope is a 404 (not a 403: its
existence is not disclosed), reading does not imply editing, and anonymous users are sent
to the login page."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from congresses.models import Congress, Milestone, MilestoneStatus
from congresses.services import milestone_update

VIEWS = ["congress", "congress_edit", "congress_edit_post", "milestone_post", "evidence", "unit", "congress_start"]


@pytest.fixture
def target(congress_a, secretary_a):
    """Congress A, with an evidence file on its first milestone."""
    milestone = Milestone.objects.get(congress=congress_a, step__code="plan")
    milestone_update(
        milestone=milestone, user=secretary_a, status=MilestoneStatus.DONE, done_on=dt.date(2025, 4, 1),
        evidence_file=SimpleUploadedFile("ke-hoach.pdf", b"%PDF-1.4", content_type="application/pdf"),
    )
    return congress_a, Milestone.objects.get(congress=congress_a, step__code="drafts"), milestone


def _request(client, view, congress, open_milestone, evidence):
    if view == "congress":
        return client.get(reverse("congresses:congress_detail", args=[congress.pk]))
    if view == "congress_edit":
        return client.get(reverse("congresses:congress_edit", args=[congress.pk]))
    if view == "congress_edit_post":
        return client.post(
            reverse("congresses:congress_edit", args=[congress.pk]),
            {"planned_date": "01/08/2025", "status": "preparing", "secretary_elected_directly": "unknown"},
        )
    if view == "milestone_post":
        prefix = f"m{open_milestone.pk}"
        return client.post(
            reverse("congresses:milestone_update", args=[open_milestone.pk]),
            {f"{prefix}-status": "done", f"{prefix}-done_on": "01/05/2025"},
        )
    if view == "evidence":
        return client.get(reverse("congresses:milestone_evidence", args=[evidence.pk]))
    if view == "unit":
        return client.get(reverse("committees:unit_detail", args=[congress.unit_id]))
    if view == "congress_start":
        return client.post(reverse("congresses:congress_start", args=[congress.unit_id]))
    raise AssertionError(view)


def _unchanged(congress, open_milestone):
    assert Congress.objects.get(pk=congress.pk).planned_date == dt.date(2025, 7, 15)
    assert Milestone.objects.get(pk=open_milestone.pk).status == MilestoneStatus.NOT_STARTED


@pytest.mark.parametrize("view", VIEWS)
def test_secretary_gets_404_on_another_units_congress(client_for, secretary_b, target, view):
    response = _request(client_for(secretary_b), view, *target)
    assert response.status_code == 404
    _unchanged(*target[:2])


@pytest.mark.parametrize("view", VIEWS)
def test_subordinate_secretary_gets_404_on_the_superiors_congress(client_for, secretary_cell, target, view):
    assert _request(client_for(secretary_cell), view, *target).status_code == 404
    _unchanged(*target[:2])


@pytest.mark.parametrize(
    ("view", "status"),
    [("congress", 200), ("evidence", 200), ("unit", 200),
     ("congress_edit", 404), ("congress_edit_post", 404), ("milestone_post", 404), ("congress_start", 404)],
)
def test_viewer_reads_but_cannot_edit(client_for, viewer, target, view, status):
    response = _request(client_for(viewer), view, *target)
    assert response.status_code == status
    _unchanged(*target[:2])


@pytest.mark.parametrize(
    ("view", "status"),
    [("congress", 200), ("unit", 200), ("congress_edit", 404), ("milestone_post", 404)],
)
def test_secretary_reads_a_subordinates_congress_but_cannot_edit_it(client_for, secretary_a, congress_cell, view,
                                                                    status):
    open_milestone = Milestone.objects.get(congress=congress_cell, step__code="plan")
    response = _request(client_for(secretary_a), view, congress_cell, open_milestone, None)
    assert response.status_code == status
    assert Milestone.objects.get(pk=open_milestone.pk).status == MilestoneStatus.NOT_STARTED


@pytest.mark.parametrize("view", ["congress", "congress_edit", "congress_edit_post", "milestone_post", "unit"])
def test_owner_and_admin_may_use_every_page(client_for, secretary_a, admin_user, target, view):
    for user in (secretary_a, admin_user):
        assert _request(client_for(user), view, *target).status_code in (200, 302)


@pytest.mark.parametrize("view", VIEWS)
def test_anonymous_is_sent_to_login(client_for, target, view):
    response = _request(client_for(), view, *target)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    _unchanged(*target[:2])


def test_out_of_scope_is_indistinguishable_from_missing(client_for, secretary_b, target):
    client = client_for(secretary_b)
    congress = target[0]
    missing_url = reverse("congresses:congress_detail", args=[congress.pk + 1000])
    hidden_url = reverse("congresses:congress_detail", args=[congress.pk])
    missing, hidden = client.get(missing_url), client.get(hidden_url)
    assert (missing.status_code, hidden.status_code) == (404, 404)
    # The portal's 404 page names the address asked for (the language switcher returns to
    # it) and carries a CSRF token (masked afresh on each response); nothing else differs.

    def page(response, path):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", response.content.decode()).replace(path, "URL")

    assert page(missing, missing_url) == page(hidden, hidden_url)


def test_breadcrumbs_link_only_to_units_in_scope(client, secretary_cell, commune_a, cell_a1):
    from django.urls import reverse

    client.force_login(secretary_cell)
    html = client.get(reverse("committees:unit_detail", args=[cell_a1.pk])).content.decode()
    assert commune_a.name in html
    assert reverse("committees:unit_detail", args=[commune_a.pk]) not in html
