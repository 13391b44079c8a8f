"""Model fields encrypted at rest, for the nominees of a personnel plan (issue 13, point 7).

The value is encrypted with Fernet (AES-128-CBC with an HMAC) under the keys of the setting
`FIELD_ENCRYPTION_KEYS` (a MultiFernet: the first key encrypts, every key decrypts, so a
key is rotated by putting a new one first and saving the rows again). The column holds a
token, text; Python sees the plain value. A database dump, a backup or a replica shows
nobody's name, birth date or ethnicity.

What this costs, on purpose: each encryption draws a fresh IV, so the same name gives a
different token every time. The database can therefore neither search (`=`, `LIKE`,
`icontains`), nor sort, group or count by an encrypted column: only `isnull` is allowed,
any other lookup raises FieldError instead of silently matching nothing. Everything the
portal filters, sorts or counts by stays in plain columns that name nobody: the plan, the
bodies a nominee is proposed for, re-nominated or new, the order on the list. A plan has
tens of nominees, so the checks and the sorting by name are done in Python after
decryption (personnel.checks).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models.lookups import IsNull


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: personnel data cannot be encrypted.")
    return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        # A wrong or rotated-out key: fail loudly, never show the token as if it were a name.
        raise ImproperlyConfigured("An encrypted field cannot be decrypted with FIELD_ENCRYPTION_KEYS.") from exc


class EncryptedMixin:
    """Encrypt on the way to the database, decrypt on the way back; the Python type is the
    plain field's (`to_plain` / `from_plain` convert it to and from text)."""

    def to_plain(self, value) -> str:
        return str(value)

    def from_plain(self, text: str):
        return text

    def get_internal_type(self) -> str:
        return "TextField"

    def db_type(self, connection):
        return models.TextField().db_type(connection)

    def get_db_prep_value(self, value, connection, prepared=False):
        value = self.get_prep_value(value) if not prepared else value
        if value is None or value == "":
            return value
        return encrypt(self.to_plain(value))

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return self.from_plain(decrypt(value))

    def get_lookup(self, lookup_name):
        # Only "is it empty?" has a meaning on a column of random-looking tokens.
        return IsNull if lookup_name == "isnull" else None

    def get_transform(self, lookup_name):
        return None


class EncryptedTextField(EncryptedMixin, models.TextField):
    """Text (a name, a position) encrypted at rest; `max_length` is checked on the plain
    text by the forms and full_clean."""


class EncryptedCharField(EncryptedMixin, models.CharField):
    """A short choice (gender) encrypted at rest; choices are validated on the plain value."""

    def db_type(self, connection):
        return models.TextField().db_type(connection)

    def get_prep_value(self, value):
        return None if value is None else str(value)


class EncryptedDateField(EncryptedMixin, models.DateField):
    """A date (of birth) encrypted at rest as its ISO text."""

    def to_plain(self, value) -> str:
        return value.isoformat() if isinstance(value, dt.date) else str(value)

    def from_plain(self, text: str):
        return dt.date.fromisoformat(text)

    def get_prep_value(self, value):
        return self.to_python(value)

    def pre_save(self, model_instance, add):
        return getattr(model_instance, self.attname)
