"""Congress pages: the secretary's own unit, ticking milestones (with evidence files served
only through a scope check), editing the congress, and the audit history on the page."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from congresses.models import Congress, CongressStatus, Milestone, MilestoneStatus

PDF = b"%PDF-1.4\n% bien ban hop chi uy\n%%EOF\n"


def _milestone(congress, code="plan") -> Milestone:
    return Milestone.objects.get(congress=congress, step__code=code)


def _tick(client, milestone, **fields):
    """POST the milestone's form as the page would, with its field prefix."""
    data = {"status": MilestoneStatus.DONE, "done_on": "05/03/2025", "evidence_number": "05-KH/ĐU", "note": ""}
    data.update(fields)
    prefixed = {f"m{milestone.pk}-{name}": value for name, value in data.items() if value is not None}
    return client.post(reverse("congresses:milestone_update", args=[milestone.pk]), prefixed)


def _history_entries(page: str) -> list[str]:
    """The entries of the page's history section, newest first, as HTML."""
    section = page[page.index('id="history"'):]
    return section.split('<li><span class="when">')[1:]


def _files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- My unit --------------------------------------------------------------------------------


def test_my_unit_shows_the_secretarys_checklist_with_forms(client_for, secretary_a, congress_a):
    response = client_for(secretary_a).get(reverse("congresses:my_unit"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Đảng bộ xã An Phú" in content
    assert content.count('class="ms ms-') == 11
    assert content.count("Record progress") == 11
    assert '<span class="count">0/11</span>' in content


def test_my_unit_without_a_congress_goes_to_the_unit_page(client_for, secretary_b, commune_b, term):
    response = client_for(secretary_b).get(reverse("congresses:my_unit"))
    assert response.status_code == 302
    assert response["Location"] == reverse("committees:unit_detail", args=[commune_b.pk])


def test_my_unit_is_404_for_a_user_without_unit(client_for, admin_user, term):
    assert client_for(admin_user).get(reverse("congresses:my_unit")).status_code == 404


def test_viewer_reads_a_congress_without_forms(client_for, viewer, congress_a):
    response = client_for(viewer).get(reverse("congresses:congress_detail", args=[congress_a.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Record progress" not in content
    assert reverse("congresses:congress_edit", args=[congress_a.pk]) not in content


# --- Ticking a milestone --------------------------------------------------------------------


def test_ticking_a_milestone_marks_it_done(client_for, secretary_a, congress_a):
    milestone = _milestone(congress_a)
    client = client_for(secretary_a)

    response = _tick(client, milestone)

    assert response.status_code == 302
    assert response["Location"] == f"{congress_a.get_absolute_url()}#milestone-{milestone.pk}"
    milestone.refresh_from_db()
    assert (milestone.status, milestone.done_on) == (MilestoneStatus.DONE, dt.date(2025, 3, 5))
    assert milestone.evidence_number == "05-KH/ĐU"
    assert milestone.updated_by == secretary_a
    page = client.get(response["Location"]).content.decode()
    assert '<span class="count">1/11</span>' in page
    assert "05/03/2025" in page


def test_ticked_milestone_shows_on_the_parent_unit_page(client_for, secretary_cell, secretary_a, viewer, congress_a, congress_cell):
    _tick(client_for(secretary_cell), _milestone(congress_cell))

    for reader in (secretary_a, viewer):
        page = client_for(reader).get(reverse("committees:unit_detail", args=[congress_a.unit_id])).content.decode()
        row = page[page.index("Chi bộ thôn 1"):]
        row = row[: row.index("</tr>")]
        assert '<span class="num">1/11</span>' in row
        assert "10/06/2025" in row  # the cell's congress date


def test_ticking_the_hold_step_marks_the_congress_held(client_for, secretary_a, congress_a):
    _tick(client_for(secretary_a), _milestone(congress_a, "hold"), done_on="15/07/2025")
    congress = Congress.objects.get(pk=congress_a.pk)
    assert (congress.status, congress.held_on) == (CongressStatus.HELD, dt.date(2025, 7, 15))


def test_reopening_a_milestone_clears_its_date(client_for, secretary_a, congress_a):
    milestone = _milestone(congress_a)
    client = client_for(secretary_a)
    _tick(client, milestone)
    _tick(client, milestone, status=MilestoneStatus.IN_PROGRESS)
    milestone.refresh_from_db()
    assert (milestone.status, milestone.done_on) == (MilestoneStatus.IN_PROGRESS, None)


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"done_on": ""}, "Give the date the step was done."),
        ({"done_on": "31/02/2025"}, "Enter a valid date."),
        ({"evidence_file": SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")},
         "is not allowed"),
    ],
    ids=["done-without-date", "impossible-date", "disallowed-extension"],
)
def test_bad_milestone_post_is_400_with_the_error_and_saves_nothing(client_for, secretary_a, congress_a, settings,
                                                                   fields, error):
    milestone = _milestone(congress_a)
    history_before = milestone.history.count()

    response = _tick(client_for(secretary_a), milestone, **fields)

    assert response.status_code == 400
    content = response.content.decode()
    assert error in content
    assert "<details class=\"ms-edit\" open>" in content  # the failed form is shown, open
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.NOT_STARTED
    assert milestone.evidence_number == ""
    assert milestone.history.count() == history_before
    assert _files(settings) == []


def test_oversized_evidence_file_is_400_and_saves_nothing(client_for, secretary_a, congress_a, settings):
    settings.EVIDENCE_MAX_BYTES = 10
    milestone = _milestone(congress_a)

    upload = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 " + b"x" * 11, content_type="application/pdf")
    response = _tick(client_for(secretary_a), milestone, evidence_file=upload)

    assert response.status_code == 400
    assert "at most 10" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.NOT_STARTED
    assert not milestone.evidence_file
    assert _files(settings) == []


# --- Evidence files -------------------------------------------------------------------------


@pytest.fixture
def evidence(client_for, secretary_a, congress_a):
    """A milestone of congress A with an uploaded evidence file."""
    milestone = _milestone(congress_a)
    upload = SimpleUploadedFile("bien-ban.pdf", PDF, content_type="application/pdf")
    response = _tick(client_for(secretary_a), milestone, evidence_file=upload)
    assert response.status_code == 302
    milestone.refresh_from_db()
    return milestone


def _download(client, milestone):
    return client.get(reverse("congresses:milestone_evidence", args=[milestone.pk]))


def test_uploaded_evidence_is_stored_under_the_term_and_unit(evidence, settings):
    assert evidence.evidence_file.name.startswith(f"evidence/{evidence.congress.term_id}/{evidence.congress.unit_id}/")
    assert [p.read_bytes() for p in _files(settings)] == [PDF]


@pytest.mark.parametrize("reader", ["secretary_a", "viewer", "admin_user"])
def test_evidence_downloads_for_users_in_scope(request, client_for, evidence, reader):
    response = _download(client_for(request.getfixturevalue(reader)), evidence)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert "bien-ban" in response["Content-Disposition"]
    response.close()


@pytest.mark.parametrize("reader", ["secretary_b", "secretary_cell"])
def test_evidence_is_404_for_users_out_of_scope(request, client_for, evidence, reader):
    assert _download(client_for(request.getfixturevalue(reader)), evidence).status_code == 404


def test_evidence_is_not_served_from_a_public_url(client_for, evidence):
    assert client_for().get(f"/media/{evidence.evidence_file.name}").status_code == 404
    response = _download(client_for(), evidence)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_congress_page_links_the_evidence_through_the_scope_check(client_for, viewer, evidence):
    page = client_for(viewer).get(evidence.congress.get_absolute_url()).content.decode()
    assert reverse("congresses:milestone_evidence", args=[evidence.pk]) in page
    assert "/media/" not in page


def test_milestone_without_file_has_no_evidence_to_download(client_for, secretary_a, congress_a):
    assert _download(client_for(secretary_a), _milestone(congress_a)).status_code == 404


# --- Editing the congress -------------------------------------------------------------------


def _congress_form(**changes):
    data = {
        "ordinal": "", "planned_date": "15/07/2025", "registered_on": "", "status": CongressStatus.PREPARING,
        "held_on": "", "executive_seats_elected": "", "secretary_elected_directly": "unknown",
        "secretary_vote_share": "", "note": "",
    }
    data.update(changes)
    return data


def test_congress_edit_form_offers_the_browsers_date_picker(client_for, secretary_a, congress_a):
    # A native <input type="date"> (issue 10, point 9): its value is ISO whatever the
    # language, and the browser shows it as dd/mm/yyyy in Vietnamese.
    response = client_for(secretary_a).get(reverse("congresses:congress_edit", args=[congress_a.pk]))
    assert response.status_code == 200
    assert re.search(r'<input type="date" name="planned_date" value="2025-07-15"', response.content.decode())


def test_moving_the_congress_date_in_the_form_moves_the_due_dates(client_for, secretary_a, congress_a):
    url = reverse("congresses:congress_edit", args=[congress_a.pk])

    response = client_for(secretary_a).post(url, _congress_form(planned_date="05/08/2025", ordinal="9"), follow=True)

    assert response.redirect_chain == [(congress_a.get_absolute_url(), 302)]
    congress = Congress.objects.get(pk=congress_a.pk)
    assert (congress.planned_date, congress.ordinal) == (dt.date(2025, 8, 5), 9)
    assert _milestone(congress, "hold").due_date == dt.date(2025, 8, 5)
    content = response.content.decode()
    assert "11 due dates were moved with the congress date." in content
    assert "Congress no. IX of Đảng bộ xã An Phú" in content


def test_congress_form_warns_about_order_and_deadline_but_saves(client_for, secretary_a, congress_a, congress_cell):
    url = reverse("congresses:congress_edit", args=[congress_a.pk])

    response = client_for(secretary_a).post(url, _congress_form(planned_date="05/06/2025"), follow=True)

    assert Congress.objects.get(pk=congress_a.pk).planned_date == dt.date(2025, 6, 5)
    content = response.content.decode()
    assert "congresses go bottom-up" in content and "Chi bộ thôn 1" in content


def test_congress_form_with_date_held_marks_it_held(client_for, secretary_a, congress_a):
    url = reverse("congresses:congress_edit", args=[congress_a.pk])
    client_for(secretary_a).post(url, _congress_form(held_on="16/07/2025"))
    congress = Congress.objects.get(pk=congress_a.pk)
    assert (congress.status, congress.held_on) == (CongressStatus.HELD, dt.date(2025, 7, 16))
    assert _milestone(congress, "hold").status == MilestoneStatus.DONE


def test_congress_form_errors_are_shown_and_nothing_is_saved(client_for, secretary_a, congress_a):
    url = reverse("congresses:congress_edit", args=[congress_a.pk])

    response = client_for(secretary_a).post(
        url, _congress_form(planned_date="01/09/2025", status=CongressStatus.HELD)
    )

    assert response.status_code == 200
    assert "A congress that has been held needs the date it was held." in response.content.decode()
    assert Congress.objects.get(pk=congress_a.pk).planned_date == dt.date(2025, 7, 15)


# --- Opening a congress ---------------------------------------------------------------------


def test_secretary_opens_their_units_congress_from_the_unit_page(client_for, secretary_b, term, commune_b):
    client = client_for(secretary_b)
    page = client.get(reverse("committees:unit_detail", args=[commune_b.pk])).content.decode()
    start = reverse("congresses:congress_start", args=[commune_b.pk])
    assert start in page

    response = client.post(start)

    congress = Congress.objects.get(unit=commune_b, term=term)
    assert response["Location"] == congress.get_absolute_url()
    assert congress.milestones.count() == 11
    assert congress.history.get().history_user == secretary_b


def test_viewer_cannot_open_a_congress(client_for, viewer, term, commune_b):
    page = client_for(viewer).get(reverse("committees:unit_detail", args=[commune_b.pk])).content.decode()
    assert reverse("congresses:congress_start", args=[commune_b.pk]) not in page
    assert client_for(viewer).post(reverse("congresses:congress_start", args=[commune_b.pk])).status_code == 404
    assert not Congress.objects.filter(unit=commune_b).exists()


# --- Audit history --------------------------------------------------------------------------


def test_history_names_who_changed_which_field_from_what_to_what(english, client_for, secretary_a, viewer, congress_a):
    _tick(client_for(secretary_a), _milestone(congress_a))

    page = client_for(viewer).get(congress_a.get_absolute_url()).content.decode()

    first = _history_entries(page)[0]
    assert "Lê Văn An" in first
    assert "Issue the congress plan" in first
    assert 'Status: <span class="old">Not started</span> → <span class="new">Done</span>' in first
    assert 'Date done: <span class="old">—</span> → <span class="new">05/03/2025</span>' in first
    assert 'Document number: <span class="old">—</span> → <span class="new">05-KH/ĐU</span>' in first


def test_history_shows_congress_changes(client_for, secretary_a, congress_a):
    client = client_for(secretary_a)
    client.post(reverse("congresses:congress_edit", args=[congress_a.pk]), _congress_form(planned_date="05/08/2025"))

    entries = _history_entries(client.get(congress_a.get_absolute_url()).content.decode())
    change = next(e for e in entries if "Congress date:" in e)
    assert 'Congress date: <span class="old">15/07/2025</span> → <span class="new">05/08/2025</span>' in change
    assert "Lê Văn An" in change


def test_congress_page_costs_the_same_queries_however_long_the_history(
    client_for, secretary_a, congress_a, django_assert_max_num_queries
):
    client = client_for(secretary_a)
    url = congress_a.get_absolute_url()
    client.get(url)
    with django_assert_max_num_queries(13):  # 12, and the comment requests waiting for the unit (documents)
        client.get(url)
    for milestone in congress_a.milestones.all():
        _tick(client, milestone)
    with django_assert_max_num_queries(13):
        assert client.get(url).status_code == 200
