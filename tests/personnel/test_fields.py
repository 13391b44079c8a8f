"""The encrypted fields: what the column holds, key rotation, and the lookups refused."""

import datetime as dt

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ImproperlyConfigured

from personnel.models import Nominee
from tests.factories import NomineeFactory


def _raw(nominee):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT full_name, date_of_birth FROM {Nominee._meta.db_table} WHERE id = %s", [nominee.pk])
        return cursor.fetchone()


def test_a_key_is_rotated_by_putting_the_new_one_first(plan_a, settings):
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    nominee = NomineeFactory(plan=plan_a, full_name="Rơ Châm Xoay", date_of_birth=dt.date(1979, 9, 2))
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old]
    again = Nominee.objects.get(pk=nominee.pk)
    assert (again.full_name, again.date_of_birth) == ("Rơ Châm Xoay", dt.date(1979, 9, 2))
    raw_before = _raw(again)
    again.save()  # re-encrypted under the new key
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]
    assert Nominee.objects.get(pk=nominee.pk).full_name == "Rơ Châm Xoay"
    assert _raw(again) != raw_before


def test_without_the_key_the_data_is_refused_not_shown(plan_a, settings):
    nominee = NomineeFactory(plan=plan_a)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ImproperlyConfigured):
        Nominee.objects.get(pk=nominee.pk)


@pytest.mark.parametrize("lookup", ["full_name", "full_name__icontains", "date_of_birth__year", "ethnicity__in"])
def test_encrypted_columns_cannot_be_searched(plan_a, lookup):
    NomineeFactory(plan=plan_a)
    with pytest.raises(FieldError):
        list(Nominee.objects.filter(**{lookup: ["x"] if lookup.endswith("__in") else "x"}))
