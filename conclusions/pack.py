"""The briefing pack's first section (issue 16, point 5): "the next briefing pack opens with
the last conclusion" — each task with its state (done, late, carried over, open) and the
responsible body's last report, before the quarter's numbers.

Three pieces, so the briefings app can register the section without knowing this app's
models (briefings.hooks.register_pack_section):

- `pack_section(unit, before=…, on=…)` → `PackSection` (or None without a conclusion);
- the print fragment `conclusions/_pack_section.html` (context: `section`);
- `write_docx_section(document, section)`: the same in a python-docx Document.

The conclusion's own print page and .docx use them too, so they stand without the pack.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Conclusion, Task, TaskState
from .selectors import last_conclusion, tasks_of


@dataclass
class PackTask:
    number: int
    responsible: str
    what: str
    due_date: dt.date
    state: str           # a TaskState value
    state_label: str
    done_on: dt.date | None
    done_text: str
    last_report: str
    last_report_on: dt.date | None
    due_changes: list[tuple[dt.date, dt.date, str]] = field(default_factory=list)


@dataclass
class PackSection:
    conclusion: Conclusion
    on: dt.date
    tasks: list[PackTask]

    @property
    def counts(self) -> dict[str, int]:
        """How many tasks are in each state, every state present (0 when none)."""
        found = {state.value: 0 for state in TaskState}
        for task in self.tasks:
            found[task.state] += 1
        return found

    @property
    def not_done(self) -> int:
        return len(self.tasks) - self.counts[TaskState.DONE]

    @property
    def summary(self) -> str:
        c = self.counts
        return _("%(done)d done, %(open)d open (of which %(late)d late, %(carried)d carried over)") % {
            "done": c[TaskState.DONE], "open": self.not_done, "late": c[TaskState.LATE],
            "carried": c[TaskState.CARRIED_OVER]}


def _pack_task(number: int, task: Task, on: dt.date) -> PackTask:
    state = task.state_on(on)
    report = task.last_report
    return PackTask(
        number=number, responsible=task.responsible_label, what=task.what, due_date=task.due_date, state=state,
        state_label=str(TaskState(state).label), done_on=task.done_on, done_text=task.done_text,
        last_report=report.text if report else "", last_report_on=report.created_at.date() if report else None,
        due_changes=[(c.from_date, c.to_date, c.reason) for c in task.due_changes.all()],
    )


def section_for(conclusion: Conclusion, *, on: dt.date | None = None) -> PackSection:
    on = on or timezone.localdate()
    return PackSection(conclusion=conclusion, on=on,
                       tasks=[_pack_task(i, t, on) for i, t in enumerate(tasks_of(conclusion), start=1)])


def pack_section(unit, *, before: dt.date | None = None, on: dt.date | None = None) -> PackSection | None:
    """The section for the pack of `unit`'s briefing held on `before`: its last conclusion
    held before that day, each task's state on `on` (today by default)."""
    conclusion = last_conclusion(unit, before=before)
    return None if conclusion is None else section_for(conclusion, on=on)


def _day(value) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def write_docx_section(document, section: PackSection | None, *, heading_level: int = 2) -> None:
    """Append the section to a python-docx `document`: a heading, the meeting, the
    conclusion's text, a table of the tasks with their state and last report."""
    if section is None:
        document.add_heading(_("The last conclusion"), level=heading_level)
        document.add_paragraph(_("No conclusion has been recorded yet."))
        return
    c = section.conclusion
    document.add_heading(_("The last conclusion: %(title)s, %(date)s") % {"title": c.title, "date": _day(c.held_on)},
                         level=heading_level)
    if c.chair_label:
        document.add_paragraph(_("Chaired by %(chair)s.") % {"chair": c.chair_label})
    for paragraph in c.text.split("\n"):
        if paragraph.strip():
            document.add_paragraph(paragraph.strip())
    document.add_paragraph(_("Tasks on %(date)s: %(summary)s.") % {"date": _day(section.on), "summary": section.summary})
    table = document.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    header = ["#", _("Responsible"), _("Task"), _("Due"), _("State"), _("Last report or what was done")]
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(str(text)).bold = True
    for t in section.tasks:
        report = t.done_text if t.state == TaskState.DONE else t.last_report
        changes = "; ".join(_("moved from %(from)s: %(reason)s") % {"from": _day(a), "reason": r}
                            for a, _b, r in t.due_changes)
        state = t.state_label + (f" ({_day(t.done_on)})" if t.done_on else "")
        values = [str(t.number), t.responsible, t.what, _day(t.due_date) + (f" — {changes}" if changes else ""),
                  state, report or "—"]
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value
