"""What an open petition about personnel does to the congress of its unit (DOMAIN.md
"Petition": resolved "dứt điểm" before the congress):

- its light: at risk while the petition is open, red (late) when the congress is within
  PETITION_RED_DAYS days ("resolved before the congress" is a check that fails);
- its personnel plan cannot be approved until the petition is concluded.

The reasons name the number of petitions, never a case or a sender. Registered in
PetitionsConfig.ready (congresses.hooks, personnel.hooks): neither app imports this one.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from congresses.hooks import LightRule
from congresses.models import Light

from .models import OPEN_STATUSES, Petition

ANNOTATION = "open_personnel_petitions"


def red_days() -> int:
    return getattr(settings, "PETITION_RED_DAYS", 30)


def _annotations(today: dt.date) -> dict:
    """Open personnel petitions about the congress's unit: a correlated subquery on the
    congress row (the index on unit, status, due date answers it)."""
    rows = (Petition.objects.filter(unit_id=OuterRef("unit_id"), status__in=OPEN_STATUSES, about_personnel=True)
            .order_by().values("unit_id").annotate(n=Count("pk")).values("n"))
    return {ANNOTATION: Coalesce(Subquery(rows, output_field=IntegerField()), 0)}


def _problems(congress, today: dt.date) -> list[tuple]:
    n = getattr(congress, ANNOTATION, 0) or 0
    if not n or congress.is_held:
        return []
    reason = ngettext("%(n)d open personnel petition", "%(n)d open personnel petitions", n) % {"n": n}
    date = congress.counts_on
    days = red_days()
    if date is not None and (date - today).days <= days:
        return [(Light.LATE, _("%(reason)s, congress within %(days)d days: not resolved before the congress") % {
            "reason": reason, "days": days})]
    return [(Light.AT_RISK, reason)]


LIGHT_RULE = LightRule(name="petitions", annotations=_annotations, problems=_problems)


def open_personnel_petitions_block(plan) -> list[str]:
    """personnel.hooks: an open petition about the personnel of the plan's unit blocks the
    approval until it is concluded."""
    n = Petition.objects.open().personnel().filter(unit_id=plan.congress.unit_id).count()
    if not n:
        return []
    return [ngettext(
        "%(n)d petition about personnel of this unit is not concluded yet: the plan cannot be approved before.",
        "%(n)d petitions about personnel of this unit are not concluded yet: the plan cannot be approved before.",
        n) % {"n": n}]
