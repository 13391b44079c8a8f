"""Form helpers the apps share."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(form: forms.Form, exc: ValidationError, *, fields: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError on the form: each field's errors on that field (or
    on the field `fields` maps it to), the rest on the form as a whole."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        name = (fields or {}).get(name, name)
        form.add_error(name if name in form.fields else None, errors)
