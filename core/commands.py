"""What the portal's own management commands share."""

from functools import wraps

from django.utils import translation


def english_output(handle):
    """Run a command's `handle` in English: operators read one language, as in Django's,
    gunicorn's and Celery's output (issue 10 point 3: translated labels used to be mixed
    into English lines). English rather than no translation at all, so that dates keep the
    portal's dd/mm/yyyy (congress_portal/formats/en)."""

    @wraps(handle)
    def wrapper(*args, **kwargs):
        with translation.override("en"):
            return handle(*args, **kwargs)

    return wrapper
