"""The superior chooses its subordinates' pilot congresses (issue 9, point 11; seed 001: the
bloc chose its three): a secretary of the superior unit marks them on the unit's "pilot
congresses" page, the roll-ups and the history follow, and the subordinate's secretary can
no longer undo the choice from the congress form."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.urls import reverse

from congresses import services
from congresses.models import Congress
from progress import rollups
from progress.models import CongressCount
from tests.factories import CongressFactory, UnitFactory


def _pilots_below(unit) -> int:
    """The pilots counted under `unit` by the maintained roll-up."""
    return CongressCount.objects.filter(unit=unit).aggregate(n=Sum("pilots"))["n"] or 0


def _pilot(unit, term) -> bool:
    return Congress.objects.get(unit=unit, term=term).is_pilot


def test_superior_marks_pilots_and_the_rollups_follow(term, province, commune_a, cell_a1, cell_a2, congress_cell,
                                                      secretary_a):
    change = services.pilots_choose(superior=commune_a, unit_ids=[cell_a1.pk, cell_a2.pk], user=secretary_a)

    assert (change.marked, change.unmarked, change.opened) == (2, 0, 1)
    assert _pilot(cell_a1, term) and _pilot(cell_a2, term)  # cell_a2's congress opened as a pilot
    assert _pilots_below(commune_a) == 2 and _pilots_below(province) == 2
    assert rollups.differences() == []
    record = Congress.objects.get(pk=congress_cell.pk).history.first()
    assert (record.is_pilot, record.history_user) == (True, secretary_a)

    change = services.pilots_choose(superior=commune_a, unit_ids=[cell_a2.pk], user=secretary_a)

    assert (change.marked, change.unmarked, change.opened) == (0, 1, 0)
    assert not _pilot(cell_a1, term) and _pilot(cell_a2, term)
    assert _pilots_below(province) == 1
    assert rollups.differences() == []


def test_only_direct_subordinates_can_be_chosen(term, commune_a, commune_b, cell_a1, secretary_a, province, admin_user):
    with pytest.raises(ValidationError):
        services.pilots_choose(superior=commune_a, unit_ids=[commune_b.pk], user=secretary_a)
    with pytest.raises(ValidationError):  # a grandchild is its own superior's choice
        services.pilots_choose(superior=province, unit_ids=[cell_a1.pk], user=admin_user)
    assert not Congress.objects.exists()


def test_the_subordinates_secretary_cannot_choose_for_the_superior(term, commune_a, cell_a1, secretary_cell):
    with pytest.raises(PermissionDenied):
        services.pilots_choose(superior=commune_a, unit_ids=[cell_a1.pk], user=secretary_cell)


def test_pilots_page_lists_the_direct_subordinates_and_saves(client_for, secretary_a, commune_a, cell_a1, cell_a2,
                                                             congress_cell, term):
    url = reverse("congresses:unit_pilots", args=[commune_a.pk])
    client = client_for(secretary_a)

    page = client.get(url).content.decode()
    assert "Chi bộ thôn 1" in page and "Chi bộ thôn 2" in page
    assert f'name="pilots" value="{cell_a1.pk}"' in page

    response = client.post(url, {"pilots": [str(cell_a1.pk)]}, follow=True)

    assert response.redirect_chain == [(url, 302)]
    assert "The pilot congresses have been saved: 1 congress changed." in response.content.decode()
    assert _pilot(cell_a1, term)
    assert f'value="{cell_a1.pk}" id="pilot-{cell_a1.pk}" checked' in response.content.decode()


def test_unit_page_links_the_pilots_page_for_its_secretary_only(client_for, secretary_a, viewer, commune_a, cell_a1,
                                                                term):
    url = reverse("congresses:unit_pilots", args=[commune_a.pk])
    assert url in client_for(secretary_a).get(reverse("committees:unit_detail", args=[commune_a.pk])).content.decode()
    assert url not in client_for(viewer).get(reverse("committees:unit_detail", args=[commune_a.pk])).content.decode()


@pytest.mark.parametrize("who", ["secretary_cell", "secretary_b", "viewer"])
def test_pilots_page_is_404_for_anyone_who_does_not_edit_the_superior(request, client_for, who, commune_a, cell_a1,
                                                                      term):
    url = reverse("congresses:unit_pilots", args=[commune_a.pk])
    client = client_for(request.getfixturevalue(who))
    assert client.get(url).status_code == 404
    assert client.post(url, {"pilots": [str(cell_a1.pk)]}).status_code == 404
    assert not Congress.objects.exists()


def test_the_subordinate_cannot_undo_the_choice_from_its_congress_form(client_for, secretary_a, secretary_cell,
                                                                       commune_a, cell_a1, congress_cell, term):
    services.pilots_choose(superior=commune_a, unit_ids=[cell_a1.pk], user=secretary_a)
    url = reverse("congresses:congress_edit", args=[congress_cell.pk])

    assert 'name="is_pilot"' not in client_for(secretary_cell).get(url).content.decode()
    # The form as the page sends it, without the box: before, this unticked the pilot.
    client_for(secretary_cell).post(url, {
        "ordinal": "", "planned_date": "10/06/2025", "registered_on": "", "status": "preparing", "held_on": "",
        "executive_seats_elected": "", "secretary_elected_directly": "unknown", "secretary_vote_share": "",
        "note": "noted",
    })

    congress = Congress.objects.get(pk=congress_cell.pk)
    assert (congress.note, congress.is_pilot) == ("noted", True)


def test_a_pilot_of_another_level_goes_into_the_term_of_that_level(commune_a, secretary_a, db):
    """Terms per level: a sub-grassroots cell on its shorter term gets its pilot there."""
    from committees.models import Level
    from tests.factories import TermFactory

    main = TermFactory(start_year=2025, levels=[Level.PROVINCE, Level.UPPER, Level.GRASSROOTS])
    short = TermFactory(start_year=2025, end_year=2027, name="2025–2027", levels=[Level.SUB])
    sub = UnitFactory(code="A9", level=Level.SUB, parent=commune_a)
    CongressFactory(unit=commune_a, term=main, planned_date=dt.date(2025, 7, 15))

    services.pilots_choose(superior=commune_a, unit_ids=[sub.pk], user=secretary_a)

    assert Congress.objects.get(unit=sub).term == short
    assert rollups.differences() == []
