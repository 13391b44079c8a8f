"""The quarterly briefing pack opens with the last conclusion (issue 16, point 5).

Registered first in ConclusionsConfig.ready through briefings.hooks, so briefings never
imports conclusions. The pack of quarter Q is read at the briefing about Q: it opens with
the conclusion of the unit's last meeting held by the end of Q that is not that briefing's
own (a conclusion recorded for Q's briefing belongs to the next pack), each task with its
state today (done, late, carried over, open) and the last report of whoever answers it.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from .models import Conclusion, MeetingKind
from .pack import _day, section_for


def last_conclusion_for_quarter(unit, quarter) -> Conclusion | None:
    return (Conclusion.objects.filter(unit=unit, held_on__lte=quarter.end)
            .exclude(kind=MeetingKind.BRIEFING, year=quarter.year, quarter=quarter.quarter)
            .select_related("chair", "unit").order_by("-held_on", "-pk").first())


def last_conclusion_section(ctx):
    from briefings.hooks import PackSection

    conclusion = last_conclusion_for_quarter(ctx.unit, ctx.quarter)
    if conclusion is None:
        return None
    section = section_for(conclusion, on=ctx.today)
    rows = []
    for task in section.tasks:
        value = f"{task.state_label} · {_('due')} {_day(task.due_date)}"
        if task.done_text:
            value += f" · {task.done_text}"
        elif task.last_report:
            value += f" · {_('last report')} {_day(task.last_report_on)}: {task.last_report}"
        rows.append((f"{task.number}. {task.responsible}: {task.what}", value))
    note = section.summary
    if conclusion.chair_label:
        note = _("Chaired by %(chair)s.") % {"chair": conclusion.chair_label} + " " + note
    return PackSection(
        title=_("The last conclusion: %(title)s, %(date)s") % {"title": conclusion.title, "date": _day(conclusion.held_on)},
        rows=rows, note=note,
    )
