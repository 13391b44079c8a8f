"""The Jinja2 environment of the templates under templates/jinja2/ (settings TEMPLATES,
the second engine): the dashboards' cached body and its child rows, which DTL rendered
about twice as slowly (issue 15, the cold dashboard).

What the templates find here, standing in for the DTL tags and filters they used:

- `_("msgid")`: Django's gettext (the i18n extension, old style, its `_` replaced by
  `translate`, which keeps each language's texts), so the msgids and the .po files are
  the DTL templates' and `makemessages` still extracts `{{ _("…") }}`;
  blocktranslate's `with` becomes `{{ _("… %(x)s …")|format(x=…) }}`;
- `url(name, *args)`: django.urls.reverse, for `{% url %}`;
- `date(value, fmt="SHORT_DATE_FORMAT")`: the `date` filter (formats.date_format), "" for
  no date, so that `value|date or "—"` reads like DTL's `|date:…|default:"—"`;
- `progress(done, total)`: the steps-done bar (core.markup, shared with the DTL pages);
- `overdue_steps(n)`: the plural `{% blocktranslate count %}` the templates need, as a
  Python ngettext so that xgettext finds its msgid and msgid_plural in this file;

A missing attribute renders empty as in DTL, in DEBUG too (Django's backend would use
DebugUndefined there and print the expression): the templates rely on `c.counts_on` of
no congress being nothing, and a body cached in development must read like production's.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext, ngettext
from jinja2 import Environment, Undefined

from core.markup import progress


def date(value, fmt: str = "SHORT_DATE_FORMAT") -> str:
    """DTL's `date` filter: `fmt` is a format setting's name or a format string."""
    if not value:
        return ""
    if type(value) is dt.date:
        return _day_text(value, fmt, get_language())
    return formats.date_format(timezone.template_localtime(value), fmt)


@functools.lru_cache(maxsize=4096)
def _day_text(day: dt.date, fmt: str, language: str) -> str:
    """A day as text in `language` (the active one, part of the key). Cached: formatting
    one costs some 35 µs, a tenth of a child row, and a body repeats the same few days
    (deadlines, congress dates) again and again."""
    return formats.date_format(day, fmt)


_TRANSLATED: dict[str, dict[str, str]] = {}  # language: {msgid: text}


def translate(message: str) -> str:
    """`_("msgid")`: Django's gettext in the active language, kept per language (a body
    asks for some 150 msgids, the same ones every time; the catalogues do not change
    while the process runs). What `{% translate %}` gives in DTL."""
    language = get_language()
    texts = _TRANSLATED.get(language)
    if texts is None:
        texts = _TRANSLATED.setdefault(language, {})
    text = texts.get(message)
    if text is None:
        text = texts[message] = gettext(message)
    return text


def url(name: str, *args) -> str:
    return reverse(name, args=args)


def overdue_steps(n: int) -> str:
    """"3 overdue", the tag beside a congress's or a child's steps."""
    return ngettext("%(n)s overdue", "%(n)s overdue", n) % {"n": n}


def environment(**options) -> Environment:
    options["undefined"] = Undefined
    env = Environment(extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(gettext, ngettext, newstyle=False)
    env.globals["_"] = translate  # the same text, without two context calls and a lookup each time
    env.globals.update(url=url, progress=progress, overdue_steps=overdue_steps)
    env.filters["date"] = date
    return env
