"""Users and their grants (accounts.models.Grant): the rules the database keeps."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.deletion import ProtectedError

from accounts import services
from accounts.models import Grant, GrantRole
from tests.factories import AdminFactory, SecretaryFactory, UnitFactory, UserFactory, ViewerFactory


def test_secretary_grant_without_unit_is_refused_by_the_database(db):
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Grant.objects.create(user=user, role=GrantRole.SECRETARY, unit=None)


def test_admin_grant_with_a_unit_is_refused_by_the_database(db):
    user, unit = UserFactory(), UnitFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Grant.objects.create(user=user, role=GrantRole.ADMIN, unit=unit)


def test_the_same_grant_twice_is_refused_by_the_database(db):
    user, unit = UserFactory(), UnitFactory()
    Grant.objects.create(user=user, role=GrantRole.VIEWER, unit=unit)
    with pytest.raises(IntegrityError), transaction.atomic():
        Grant.objects.create(user=user, role=GrantRole.VIEWER, unit=unit)
    Grant.objects.create(user=user, role=GrantRole.ADMIN)
    with pytest.raises(IntegrityError), transaction.atomic():
        Grant.objects.create(user=user, role=GrantRole.ADMIN)


def test_grant_service_validates_before_writing(db, english):
    user = UserFactory()
    with pytest.raises(ValidationError, match="Choose the unit"):
        services.grant_add(user=user, role=GrantRole.SECRETARY, unit=None)
    unit = UnitFactory()
    services.grant_add(user=user, role=GrantRole.SECRETARY, unit=unit)
    with pytest.raises(ValidationError, match="already holds"):
        services.grant_add(user=user, role=GrantRole.SECRETARY, unit=unit)
    assert Grant.objects.filter(user=user).count() == 1


def test_a_unit_with_grants_cannot_be_deleted(db):
    secretary = SecretaryFactory()
    unit = secretary.grants.get().unit
    with pytest.raises(ProtectedError):
        unit.delete()


def test_deleting_a_user_deletes_their_grants(db):
    secretary = SecretaryFactory()
    secretary.delete()
    assert not Grant.objects.exists()


def test_viewer_without_unit_and_admin_hold_what_they_should(db):
    assert not ViewerFactory(unit=None).grants.exists()
    assert list(AdminFactory().grants.values_list("role", "unit")) == [(GrantRole.ADMIN, None)]


@pytest.mark.parametrize(
    ("factory", "extra", "portal_admin", "keeps_a_unit"),
    [
        (ViewerFactory, {"unit": None}, False, False),
        (SecretaryFactory, {}, False, True),
        (AdminFactory, {}, True, False),
        (ViewerFactory, {"is_superuser": True}, True, False),
    ],
)
def test_scope_follows_the_grants(db, factory, extra, portal_admin, keeps_a_unit):
    user = factory(**extra)
    assert user.is_portal_admin is portal_admin
    assert bool(user.scope.my_unit_ids) is keeps_a_unit


def test_user_is_shown_by_full_name_or_else_username(db):
    assert str(UserFactory(username="u1", full_name="Lê Văn An")) == "Lê Văn An"
    assert str(UserFactory(username="u2", full_name="")) == "u2"
