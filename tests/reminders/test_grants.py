"""The scan's recipients follow grants (accounts.access): a user who is secretary of
commune A and viewer of commune B gets A's reminders and B's digest lines, nothing of the
other hat's units; overlapping viewer grants give each unit once."""

from __future__ import annotations

import pytest

from accounts import services as account_services
from accounts.models import GrantRole
from reminders.models import Channel, Kind, Reason
from tests.factories import CongressFactory, UserFactory

from .conftest import days, items_for, milestones_of, set_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def congress_b(setup, tree, term):
    congress = CongressFactory(unit=tree.commune_b, term=term)
    congress.milestones.update(due_date=None)
    return congress


@pytest.fixture
def two_hats(setup, tree):
    return UserFactory(username="two_hats", email="two.hats@example.vn",
                       grants=[(GrantRole.SECRETARY, tree.commune_a), (GrantRole.VIEWER, tree.commune_b)])


def test_the_secretary_hat_gets_its_units_reminders_not_the_viewed_units(two_hats, congress_a, congress_b, run_scan):
    mine = set_due(milestones_of(congress_a)[0], days(3))
    set_due(milestones_of(congress_b)[0], days(3))  # commune B's: its (absent) secretary's, not a viewer's

    run_scan()

    assert items_for(two_hats, Channel.INAPP) == [(Reason.DUE_SOON, mine.pk, congress_a.unit_id)]


def test_the_secretary_hat_gets_escalations_of_the_units_below(two_hats, congress_cell, run_scan):
    late = set_due(milestones_of(congress_cell)[0], days(-3))

    run_scan()

    assert items_for(two_hats, Channel.INAPP) == [(Reason.ESCALATION, late.pk, congress_cell.unit_id)]


def test_the_viewer_hat_gets_the_digest_lines_of_the_viewed_subtree(two_hats, congress_a, congress_b, tree, run_scan):
    set_due(milestones_of(congress_a)[0], days(-5))
    set_due(milestones_of(congress_b)[0], days(-5))

    run_scan(Kind.WEEKLY)

    assert items_for(two_hats, Channel.INAPP) == [(Reason.WEEKLY_DIGEST, None, tree.commune_b.pk)]


def test_overlapping_viewer_grants_give_each_unit_once(setup, tree, congress_a, congress_cell, run_scan):
    user = UserFactory(grants=[(GrantRole.VIEWER, tree.commune_a), (GrantRole.VIEWER, tree.cell_a1)])
    set_due(milestones_of(congress_a)[0], days(-5))
    set_due(milestones_of(congress_cell)[0], days(-5))

    result = run_scan(Kind.WEEKLY)

    assert result.deliveries >= 2
    assert items_for(user, Channel.INAPP) == sorted([
        (Reason.WEEKLY_DIGEST, None, tree.commune_a.pk), (Reason.WEEKLY_DIGEST, None, tree.cell_a1.pk)],
        key=lambda t: t[2])


def test_a_secretary_whose_grant_is_removed_gets_nothing(setup, congress_a, secretary_a, run_scan):
    set_due(milestones_of(congress_a)[0], days(3))
    account_services.grant_remove(grant=secretary_a.grants.get())

    assert run_scan().deliveries == 0


def test_the_preferences_offer_the_reasons_of_every_hat(two_hats, client_for):
    from reminders.forms import NotificationPreferenceForm

    form = NotificationPreferenceForm(user=two_hats)
    assert [f.name for f in form.reason_fields] == ["due_soon", "overdue", "weekly_digest"]
    viewer_only = UserFactory(grants=[(GrantRole.VIEWER, two_hats.grants.get(role=GrantRole.VIEWER).unit)])
    assert [f.name for f in NotificationPreferenceForm(user=viewer_only).reason_fields] == ["weekly_digest"]


def test_a_batch_of_emails_loads_its_recipients_scopes_with_one_query(django_assert_num_queries, tree):
    from accounts import access
    from accounts.models import User
    from tests.factories import SecretaryFactory

    users = [SecretaryFactory(unit=unit) for unit in (tree.commune_a, tree.commune_b, tree.cell_a1)]
    fresh = list(User.objects.filter(pk__in=[u.pk for u in users]).order_by("pk"))
    with django_assert_num_queries(1):
        access.prime(fresh)
    with django_assert_num_queries(0):
        homes = [access.scope_for(u).home_unit_id for u in fresh]
    assert homes == [tree.commune_a.pk, tree.commune_b.pk, tree.cell_a1.pk]
