"""Users and their roles."""

import pytest
from django.db import IntegrityError, transaction

from accounts.models import Role, User
from tests.factories import AdminFactory, SecretaryFactory, UserFactory, ViewerFactory


def test_secretary_without_unit_is_refused_by_the_database(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="lost", role=Role.SECRETARY, unit=None)


def test_viewer_and_admin_may_have_no_unit(db):
    assert ViewerFactory(unit=None).pk
    assert AdminFactory(unit=None).pk


@pytest.mark.parametrize(
    ("factory", "extra", "portal_admin", "secretary"),
    [
        (ViewerFactory, {}, False, False),
        (SecretaryFactory, {}, False, True),
        (AdminFactory, {}, True, False),
        (ViewerFactory, {"is_superuser": True}, True, False),
    ],
)
def test_role_properties(db, factory, extra, portal_admin, secretary):
    user = factory(**extra)
    assert user.is_portal_admin is portal_admin
    assert user.is_secretary is secretary


def test_user_is_shown_by_full_name_or_else_username(db):
    assert str(UserFactory(username="u1", full_name="Lê Văn An")) == "Lê Văn An"
    assert str(UserFactory(username="u2", full_name="")) == "u2"
