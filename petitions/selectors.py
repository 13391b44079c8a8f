"""Reads of petitions: the handlers' queue, a case page, and the counts that everyone who
reads a unit may see (open, overdue, about personnel; never a case)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When

from core.sql import Prepared

from .models import OPEN_STATUSES, Petition, PetitionCount


@dataclass
class Counts:
    """Open, overdue and personnel petitions of a unit's subtree (the unit included)."""

    open: int = 0
    overdue: int = 0
    personnel: int = 0

    def add(self, open_: int, overdue: int, personnel: int) -> None:
        self.open += open_ or 0
        self.overdue += overdue or 0
        self.personnel += personnel or 0

    def as_dict(self) -> dict[str, int]:
        return {"open": self.open, "overdue": self.overdue, "personnel": self.personnel}

    def __bool__(self) -> bool:
        return bool(self.open)


def _counts(*, unit_ids, today):
    below = (PetitionCount.objects.filter(unit_id__in=unit_ids).order_by().values("unit_id")
             .annotate(n_open=Sum("open"), n_overdue=Sum("open", filter=Q(due_on__lt=today)),
                       n_personnel=Sum("personnel")))
    own = (Petition.objects.filter(unit_id__in=unit_ids, status__in=OPEN_STATUSES).order_by().values("unit_id")
           .annotate(n_open=Count("pk"), n_overdue=Count("pk", filter=Q(due_on__lt=today)),
                     n_personnel=Count("pk", filter=Q(about_personnel=True))))
    return below.union(own, all=True).values_list("unit_id", "n_open", "n_overdue", "n_personnel")


# Built with the ORM once per number of units (core.sql): a dashboard asks for its unit
# and every child, and building this UNION for a province's hundred children cost more
# than running it.
_COUNTS = Prepared(_counts)


def counts_for(unit_ids: list[int], today: dt.date) -> dict[int, Counts]:
    """{unit id: Counts of its subtree} for these units, in one query: the units' own open
    cases (the unit, status, due date index) UNION ALL the roll-up of the units below them
    (petitions.progress), overdue read as due before `today`."""
    if not unit_ids:
        return {}
    out: dict[int, Counts] = {pk: Counts() for pk in unit_ids}
    for unit_id, n_open, n_overdue, n_personnel in _COUNTS("counts", unit_ids=list(unit_ids), today=today):
        out[unit_id].add(n_open, n_overdue, n_personnel)
    return out


def subtree_counts(unit, today: dt.date) -> Counts:
    """Open, overdue and personnel petitions about `unit` and every unit under it: one
    query (the briefing pack reads this). Counts only."""
    return counts_for([unit.pk], today)[unit.pk]


def queue(user):
    """The cases the user handles, open ones first, then by due date (the overdue first
    among the open), the newest received after; never selects the sender. The queue's
    filters are petitions.filters.PetitionFilterSet."""
    return (Petition.objects.handled_by(user).select_related("unit", "handler")
            .annotate(open_rank=Case(When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1),
                                     output_field=IntegerField()))
            .order_by("open_rank", "due_on", "-received_on", "pk"))


def queue_summary(user, today: dt.date) -> dict[str, int]:
    """The counts above the queue: open, overdue, mine (one query)."""
    return Petition.objects.handled_by(user).open().aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)),
        mine=Count("pk", filter=Q(handler=user)))


def case_page(petition: Petition) -> dict:
    """What a case page shows beside the case: steps, extensions, attachments, sender."""
    return {
        "steps": list(petition.steps.select_related("actor")),
        "extensions": list(petition.extensions.select_related("by")),
        "attachments": list(petition.attachments.all()),
        "sender": getattr(petition, "sender", None) if not petition.anonymous else None,
    }
