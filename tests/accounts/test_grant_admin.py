"""Admins manage grants in the Django admin; every write goes through the grant services,
so the user's scope changes at once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts import services
from accounts.models import Grant, GrantRole
from committees.models import Unit
from tests.factories import UserFactory


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def spy(monkeypatch):
    """Which grant services were called, by name."""
    calls = []
    for name in ("grant_add", "grant_change", "grant_remove"):
        original = getattr(services, name)

        def wrapper(*args, _name=name, _original=original, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(services, name, wrapper)
    return calls


def test_adding_a_grant_in_the_admin_goes_through_the_service(tree, superuser, client_for, spy):
    user = UserFactory(username="can_bo")
    response = client_for(superuser).post(
        reverse("admin:accounts_grant_add"), {"user": user.pk, "role": GrantRole.VIEWER, "unit": tree.commune_b.pk}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert spy == ["grant_add"]
    grant = Grant.objects.get(user=user)
    assert grant.created_by == superuser
    user.refresh_from_db()
    assert set(Unit.objects.visible_to(user)) == {tree.commune_b}


def test_the_admin_refuses_a_secretary_grant_without_a_unit(superuser, client_for, spy):
    user = UserFactory(username="can_bo")
    response = client_for(superuser).post(reverse("admin:accounts_grant_add"), {"user": user.pk, "role": "secretary"})
    assert response.status_code == 200 and spy == [] and not Grant.objects.exists()


def test_deleting_grants_in_the_admin_goes_through_the_service(tree, superuser, client_for, spy):
    user = UserFactory(grants=[(GrantRole.VIEWER, tree.commune_a), (GrantRole.VIEWER, tree.commune_b)])
    client = client_for(superuser)
    one = user.grants.get(unit=tree.commune_a)
    assert client.post(reverse("admin:accounts_grant_delete", args=[one.pk]), {"post": "yes"}).status_code == 302
    rest = list(user.grants.values_list("pk", flat=True))
    response = client.post(reverse("admin:accounts_grant_changelist"),
                           {"action": "delete_selected", "_selected_action": rest, "post": "yes"})
    assert response.status_code == 302
    assert spy == ["grant_remove", "grant_remove"]
    user.refresh_from_db()
    assert not Unit.objects.visible_to(user).exists()


def test_the_user_page_edits_grants_inline_through_the_services(tree, superuser, client_for, spy):
    user = UserFactory(username="can_bo", grants=[(GrantRole.VIEWER, tree.commune_a)])
    client = client_for(superuser)
    url = reverse("admin:accounts_user_change", args=[user.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update({
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"), "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "is_active": "on", "groups": [], "user_permissions": [],
    })
    data = {k: v for k, v in data.items() if k not in ("date_joined", "last_login", "groups", "user_permissions")}
    existing = user.grants.get()
    prefix = "grants"
    data.update({
        f"{prefix}-TOTAL_FORMS": "2", f"{prefix}-INITIAL_FORMS": "1",
        f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-id": existing.pk, f"{prefix}-0-user": user.pk, f"{prefix}-0-role": "viewer",
        f"{prefix}-0-unit": tree.commune_a.pk, f"{prefix}-0-DELETE": "on",
        f"{prefix}-1-user": user.pk, f"{prefix}-1-role": "secretary", f"{prefix}-1-unit": tree.commune_b.pk,
    })
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    assert sorted(spy) == ["grant_add", "grant_remove"]
    user.refresh_from_db()
    assert list(user.grants.values_list("role", "unit")) == [("secretary", tree.commune_b.pk)]
    assert user.scope.edit_unit_ids == (tree.commune_b.pk,)


def test_the_admin_lists_users_with_their_roles_and_grants_with_filters(tree, superuser, client_for):
    UserFactory(username="can_bo", grants=[(GrantRole.SECRETARY, tree.commune_a), (GrantRole.VIEWER, tree.commune_b)])
    client = client_for(superuser)
    users = client.get(reverse("admin:accounts_user_changelist"), {"grants__role__exact": "secretary"})
    assert users.status_code == 200
    assert [u.username for u in users.context["cl"].result_list] == ["can_bo"]
    grants = client.get(reverse("admin:accounts_grant_changelist"), {"role__exact": "viewer"})
    assert [str(g.unit) for g in grants.context["cl"].result_list] == [tree.commune_b.name]
    assert client.get(reverse("admin:accounts_user_add")).status_code == 200


def test_the_admin_does_not_offer_or_remove_the_follows_role(tree, superuser, client_for):
    # Issue 11: "follows" is derived from a working-group member's assignments.
    client = client_for(superuser)
    form = client.get(reverse("admin:accounts_grant_add")).content.decode()
    assert 'value="follows"' not in form
    user = UserFactory(username="tu_dat")
    response = client.post(reverse("admin:accounts_grant_add"),
                           {"user": user.pk, "role": GrantRole.FOLLOWS, "unit": tree.commune_b.pk})
    assert response.status_code == 200 and not user.grants.exists()

    follows = services.grant_add(user=user, role=GrantRole.FOLLOWS, unit=tree.commune_b, by=superuser)
    assert client.get(reverse("admin:accounts_grant_delete", args=[follows.pk])).status_code == 403
    assert 'value="follows"' not in client.get(reverse("admin:accounts_user_add")).content.decode()
