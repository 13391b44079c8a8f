"""Reads: the notification centre, the unread count, and the lines of a message as the
email and the notification centre show them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Prefetch, QuerySet, Value, When
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from conclusions.models import TaskStatus
from congresses.models import MilestoneStatus

from .models import Channel, Delivery, DeliveryItem, DeliveryState, NotificationPreference, Reason

# The order of the sections of a message: the most urgent first.
REASON_ORDER = [Reason.ESCALATION, Reason.TASK_ESCALATION, Reason.PETITION_OVERDUE, Reason.OVERDUE,
                Reason.TASK_OVERDUE, Reason.QUARTERLY_REPORT, Reason.PETITION_DUE, Reason.COMMENT_REQUEST,
                Reason.DUE_SOON, Reason.WEEKLY_DIGEST]
# Lines of a notification shown in the list before "and N more" (the detail shows all).
LIST_LINES_SHOWN = 5
# Units listed in the weekly digest email; the rest are counted, the dashboard has them all.
EMAIL_WEEKLY_UNITS_SHOWN = 50


def recipient_language(user) -> str:
    """The language a user reads messages in: their own when the User model has one,
    else the portal's (LANGUAGE_CODE, Vietnamese)."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def preference_for(user) -> NotificationPreference:
    """The user's preferences, or the defaults (everything on) when they never chose."""
    try:
        return user.notification_preference
    except NotificationPreference.DoesNotExist:
        return NotificationPreference(user=user)


# --- The notification centre --------------------------------------------------------------


def _reason_rank() -> Case:
    return Case(*[When(reason=r, then=Value(i)) for i, r in enumerate(REASON_ORDER)], output_field=IntegerField())


def items_queryset() -> QuerySet[DeliveryItem]:
    """A message's lines in the order they are shown, with what a line displays."""
    return (
        DeliveryItem.objects.select_related("milestone__step", "milestone__congress", "unit",
                                            "comment_request__round__document", "petition", "task")
        .alias(reason_rank=_reason_rank())
        .order_by("reason_rank", "due_date", "unit__name", "pk")
    )


def notifications_for(user) -> QuerySet[Delivery]:
    """The user's in-app notifications, newest first, each with its number of lines and
    its first lines (LIST_LINES_SHOWN) prefetched: a page costs the same queries however
    long the messages."""
    return (
        Delivery.objects.filter(recipient=user, channel=Channel.INAPP, state=DeliveryState.SENT)
        .annotate(item_count=Count("items"))
        .prefetch_related(Prefetch("items", queryset=items_queryset()[:LIST_LINES_SHOWN], to_attr="first_items"))
        .order_by("-day", "-pk")
    )


def unread_count(user) -> int:
    """One indexed COUNT (delivery_inbox_idx). The header reads the copy kept on the user
    instead (User.unread_notifications, services.unread_refresh)."""
    if not user.is_authenticated:
        return 0
    return unread_queryset().filter(recipient=user).count()


def unread_queryset():
    return Delivery.objects.filter(channel=Channel.INAPP, state=DeliveryState.SENT, read_at__isnull=True)


# --- The lines of a message ---------------------------------------------------------------


def is_current(item: DeliveryItem) -> bool:
    """A milestone line is still true when the milestone is open and its due date is the
    one the scan saw; a comment request while it is unanswered and its round open; a line
    of the weekly digest is a snapshot of that day."""
    if item.comment_request_id is not None:
        request = item.comment_request
        return request.answered_at is None and request.round.closed_at is None
    if item.petition_id is not None:
        return item.petition.is_open and item.petition.due_on == item.due_date
    if item.task_id is not None:
        return item.task.status != TaskStatus.DONE and item.task.due_date == item.due_date
    if item.milestone_id is None:
        return True
    milestone = item.milestone
    return milestone.status != MilestoneStatus.DONE and milestone.due_date == item.due_date


def when_text(due_date: dt.date | None, day: dt.date) -> str:
    if due_date is None:
        return ""
    days = (due_date - day).days
    if days > 0:
        return ngettext("due in %(n)d day", "due in %(n)d days", days) % {"n": days}
    if days == 0:
        return _("due today")
    return ngettext("%(n)d day overdue", "%(n)d days overdue", -days) % {"n": -days}


@dataclass
class Line:
    item: DeliveryItem
    unit_name: str
    step_title: str
    due_date: dt.date | None
    when: str
    url: str
    overdue_count: int
    current: bool
    done: bool


@dataclass
class Group:
    reason: str
    title: str
    intro: str
    lines: list[Line] = field(default_factory=list)
    more: int = 0


def _intro(reason: str) -> str:
    return {
        Reason.ESCALATION: _("These milestones of units under yours are still not done several days "
                             "after their due date. Please follow up with these units."),
        Reason.OVERDUE: _("These milestones of your unit were due yesterday and are not done yet."),
        Reason.DUE_SOON: _("These milestones of your unit are due soon."),
        Reason.COMMENT_REQUEST: _("Your comments are requested on these congress documents."),
        Reason.PETITION_DUE: _("These petitions you handle are due soon."),
        Reason.PETITION_OVERDUE: _("These petitions you handle were due yesterday and are not resolved yet."),
        Reason.TASK_OVERDUE: _("These tasks of a standing committee's conclusion were due yesterday and are "
                               "not closed yet. Report or close them."),
        Reason.TASK_ESCALATION: _("These tasks of a conclusion of a meeting you chaired are still open several "
                                  "days after their due date."),
        Reason.QUARTERLY_REPORT: _("Your unit's quarterly report to the superior unit is due."),
        Reason.WEEKLY_DIGEST: _("Units in your scope with milestones past their due date, the most "
                                "overdue milestones first."),
    }[reason]


def line_for(item: DeliveryItem, day: dt.date, *, base_url: str = "") -> Line:
    if item.petition_id is not None:
        # The case by number and kind: never its sender, never its summary.
        petition = item.petition
        return Line(
            item=item, unit_name=item.unit.name,
            step_title=_("Petition #%(n)s (%(kind)s)") % {"n": petition.pk, "kind": petition.get_kind_display()},
            due_date=item.due_date, when=when_text(item.due_date, day),
            url=f"{base_url}{reverse('petitions:case_detail', args=[petition.pk])}",
            overdue_count=1, current=is_current(item), done=not petition.is_open,
        )
    if item.comment_request_id is not None:
        request = item.comment_request
        return Line(
            item=item, unit_name=item.unit.name, step_title=request.round.document.title, due_date=item.due_date,
            when=when_text(item.due_date, day),
            url=f"{base_url}{reverse('documents:request_answer', args=[request.pk])}",
            overdue_count=1, current=is_current(item), done=request.answered_at is not None,
        )
    if item.task_id is not None:
        task = item.task
        return Line(
            item=item, unit_name=item.unit.name, step_title=task.what[:120], due_date=item.due_date,
            when=when_text(item.due_date, day), url=f"{base_url}{task.get_absolute_url()}",
            overdue_count=1, current=is_current(item), done=task.status == TaskStatus.DONE,
        )
    if item.reason == Reason.QUARTERLY_REPORT:
        return Line(
            item=item, unit_name=item.unit.name, step_title=str(_("Quarterly report")), due_date=item.due_date,
            when=when_text(item.due_date, day),
            url=f"{base_url}{reverse('briefings:unit_reports', args=[item.unit_id])}",
            overdue_count=1, current=True, done=False,
        )
    if item.milestone_id is not None:
        milestone = item.milestone
        url = f"{base_url}{milestone.congress.get_absolute_url()}#milestone-{milestone.pk}"
        return Line(
            item=item, unit_name=item.unit.name, step_title=milestone.step.title, due_date=item.due_date,
            when=when_text(item.due_date, day), url=url, overdue_count=1, current=is_current(item),
            done=milestone.status == MilestoneStatus.DONE,
        )
    return Line(
        item=item, unit_name=item.unit.name, step_title="", due_date=item.due_date,
        when=when_text(item.due_date, day),
        url=f"{base_url}{reverse('dashboards:unit_dashboard', args=[item.unit_id])}",
        overdue_count=item.overdue_count, current=True, done=False,
    )


def message_groups(
    delivery: Delivery, items: list[DeliveryItem], *, base_url: str = "", only_current: bool = False,
) -> list[Group]:
    """The sections of a message, most urgent first, each with its lines. The weekly
    digest lists the units with the most overdue milestones first. `only_current` leaves
    out the lines that are no longer true (the email, sent after the scan)."""
    groups: dict[str, Group] = {}
    for item in items:
        if only_current and not is_current(item):
            continue
        group = groups.get(item.reason)
        if group is None:
            group = groups[item.reason] = Group(
                reason=item.reason, title=Reason(item.reason).label, intro=_intro(item.reason)
            )
        group.lines.append(line_for(item, delivery.day, base_url=base_url))
    ordered = [groups[r] for r in REASON_ORDER if r in groups]
    for group in ordered:
        if group.reason == Reason.WEEKLY_DIGEST:
            group.lines.sort(key=lambda line: (-line.overdue_count, line.due_date or dt.date.max, line.unit_name))
    return ordered
