"""The reminder email: subject, plain text and HTML, in the recipient's language."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Delivery, DeliveryItem, Kind, Reason
from .selectors import EMAIL_WEEKLY_UNITS_SHOWN, message_groups, recipient_language


def message_id(delivery: Delivery) -> str:
    """The same Message-ID for every attempt at one delivery: should a crash between the
    SMTP send and the commit ever send it twice, mail servers and clients that
    deduplicate by Message-ID show it once."""
    host = urlsplit(settings.PORTAL_BASE_URL).hostname or "localhost"
    return f"<reminder-{delivery.pk}-{delivery.day:%Y%m%d}@{host}>"


def _scope_url(user, base_url: str) -> str:
    """The dashboard of the top of the recipient's scope, for "see everything"; none for
    a recipient without one (an administrator, or a user whose grants were removed)."""
    home = user.scope.home_unit_id
    return base_url + reverse("dashboards:unit_dashboard", args=[home]) if home else ""


def _subject(delivery: Delivery, groups) -> str:
    site = settings.PORTAL_NAME
    if delivery.kind == Kind.WEEKLY:
        units = sum(len(g.lines) for g in groups)
        text = ngettext(
            "Weekly digest: %(count)d unit with overdue milestones",
            "Weekly digest: %(count)d units with overdue milestones", units,
        ) % {"count": units}
    else:
        count = sum(len(g.lines) for g in groups)
        escalated = sum(len(g.lines) for g in groups if g.reason == Reason.ESCALATION)
        if escalated:
            text = ngettext(
                "Escalation: %(count)d overdue milestone in units under yours",
                "Escalation: %(count)d overdue milestones in units under yours", escalated,
            ) % {"count": escalated}
        else:
            text = ngettext(
                "Reminder: %(count)d milestone needs your attention",
                "Reminder: %(count)d milestones need your attention", count,
            ) % {"count": count}
    return f"[{site}] {text}"


def render_message(delivery: Delivery, items: list[DeliveryItem]) -> tuple[str, str, str] | None:
    """(subject, text, html) in the recipient's language, with the lines still true now;
    None when none is (every milestone done or moved since the scan)."""
    base_url = settings.PORTAL_BASE_URL
    with translation.override(recipient_language(delivery.recipient)):
        groups = message_groups(delivery, items, base_url=base_url, only_current=True)
        if not groups:
            return None
        shown_more = 0
        if delivery.kind == Kind.WEEKLY:
            for group in groups:
                shown_more += max(len(group.lines) - EMAIL_WEEKLY_UNITS_SHOWN, 0)
        context = {
            "delivery": delivery,
            "recipient": delivery.recipient,
            "groups": groups,
            "units_shown": EMAIL_WEEKLY_UNITS_SHOWN,
            "more_units": shown_more,
            "overdue_total": sum(line.overdue_count for g in groups for line in g.lines),
            "unit_total": sum(len(g.lines) for g in groups),
            "base_url": base_url,
            "notifications_url": base_url + reverse("reminders:notification_list"),
            "settings_url": base_url + reverse("reminders:preferences"),
            "scope_url": _scope_url(delivery.recipient, base_url),
            "LANGUAGE_CODE": translation.get_language(),
        }
        subject = _subject(delivery, groups)
        text = render_to_string(f"reminders/email/{delivery.kind}.txt", context)
        html = render_to_string(f"reminders/email/{delivery.kind}.html", context)
    return subject, text, html


def build_email(delivery: Delivery, items: list[DeliveryItem], *, connection=None) -> EmailMultiAlternatives | None:
    rendered = render_message(delivery, items)
    if rendered is None:
        return None
    subject, text, html = rendered
    email = EmailMultiAlternatives(
        subject=subject, body=text, to=[delivery.recipient.email], connection=connection,
        headers={
            "Message-ID": message_id(delivery),
            # RFC 3834: no vacation auto-replies to a robot.
            "Auto-Submitted": "auto-generated",
        },
    )
    email.attach_alternative(html, "text/html")
    return email
