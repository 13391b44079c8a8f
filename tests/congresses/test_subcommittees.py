"""Subcommittees of a congress (issue 11, point 7): entered by the unit's secretary on a
page reached from the congress page, each from the unit's decision, with a head and
members; entering them completes the "set up subcommittees" milestone with the decision as
its evidence, and counts the congress as "subcommittees set up" along its ancestors."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from congresses import services
from congresses.models import MilestoneStatus, Subcommittee, SubcommitteeCount, SubcommitteeKind
from congresses.services import Person
from progress import rollups

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 5, 20, 9, tzinfo=dt.UTC)
DECIDED = dt.date(2025, 5, 2)


def _set_up(congress, user, kind=SubcommitteeKind.DOCUMENTS, **extra):
    return services.subcommittee_create(
        congress=congress, user=user, kind=kind, decision_number="12-QĐ/ĐU", decision_date=DECIDED,
        head=Person("Nguyễn Văn Trưởng", "Bí thư Đảng ủy"),
        members=[Person("Lê Thị Một", "Phó Bí thư"), Person("Trần Văn Hai")], **extra,
    )



@time_machine.travel(NOW, tick=False)
def test_the_first_subcommittee_completes_the_milestone_with_its_decision(congress_a, secretary_a):
    subcommittee = _set_up(congress_a, secretary_a)

    milestone = congress_a.milestones.get(step__code="subcommittees")
    assert (milestone.status, milestone.done_on, milestone.evidence_number) == (
        MilestoneStatus.DONE, DECIDED, "12-QĐ/ĐU")
    assert milestone.history.order_by("-history_id").first().history_user == secretary_a
    assert [(m.role, m.full_name) for m in subcommittee.members.all()] == [
        ("head", "Nguyễn Văn Trưởng"), ("member", "Lê Thị Một"), ("member", "Trần Văn Hai")]
    assert rollups.differences() == []


@time_machine.travel(NOW, tick=False)
def test_subcommittees_set_up_count_once_per_congress_and_leave_with_the_last(congress_a, secretary_a, province, term):
    first = _set_up(congress_a, secretary_a)
    second = _set_up(congress_a, secretary_a, kind=SubcommitteeKind.OTHER, name="Tiểu ban An ninh")
    assert SubcommitteeCount.objects.get(unit=province, term=term, level="upper").set_up == 1

    services.subcommittee_delete(subcommittee=first, user=secretary_a)
    assert SubcommitteeCount.objects.get(unit=province, term=term, level="upper").set_up == 1
    services.subcommittee_delete(subcommittee=second, user=secretary_a)

    assert SubcommitteeCount.objects.get(unit=province, term=term, level="upper").set_up == 0
    # The decision that completed the milestone is gone: the milestone is open again.
    assert congress_a.milestones.get(step__code="subcommittees").status == MilestoneStatus.NOT_STARTED
    assert rollups.differences() == []


@time_machine.travel(NOW, tick=False)
def test_deleting_a_congress_takes_its_subcommittees_out_of_the_count(congress_a, secretary_a, province, term):
    _set_up(congress_a, secretary_a)
    services.congress_delete(congress=congress_a, user=secretary_a)
    assert not Subcommittee.objects.exists()
    assert rollups.differences() == []


@time_machine.travel(NOW, tick=False)
def test_a_decision_after_today_or_a_second_subcommittee_of_a_kind_is_refused(congress_a, secretary_a):
    with pytest.raises(ValidationError) as error:
        services.subcommittee_create(congress=congress_a, user=secretary_a, kind=SubcommitteeKind.PERSONNEL,
                                     decision_number="1", decision_date=dt.date(2025, 6, 1), head=Person("A"))
    assert "decision_date" in error.value.message_dict
    _set_up(congress_a, secretary_a)
    with pytest.raises(ValidationError):
        _set_up(congress_a, secretary_a)
    with pytest.raises(ValidationError):  # another subcommittee needs its name
        _set_up(congress_a, secretary_a, kind=SubcommitteeKind.OTHER)


@time_machine.travel(NOW, tick=False)
def test_the_secretary_enters_them_from_the_congress_page_and_every_reader_sees_them(
    congress_a, secretary_a, viewer, client_for,
):
    client = client_for(secretary_a)
    page = client.get(congress_a.get_absolute_url()).content.decode()
    url = reverse("congresses:congress_subcommittees", args=[congress_a.pk])
    assert url in page
    response = client.post(url, {
        "kind": "propaganda", "decision_number": "15-QĐ/ĐU", "decision_date": "02/05/2025",
        "head_name": "Phạm Văn Ban", "head_position": "Trưởng Ban Tuyên giáo",
        "members": "Đỗ Thị Ba, Ủy viên\nVũ Văn Bốn",
    })
    assert response.status_code == 302

    page = client_for(viewer).get(congress_a.get_absolute_url()).content.decode()
    assert "Propaganda" in page and "Phạm Văn Ban" in page and "Đỗ Thị Ba" in page and "15-QĐ/ĐU" in page
    assert url not in page  # a viewer reads them but does not enter them
    assert client_for(viewer).get(url).status_code == 404
