"""The roll-up tables: counts over each unit's whole subtree (its strict descendants).

A national dashboard cannot count 1.2 million milestones per request (~780 ms for the root
under load, computed live). These tables hold, for every unit with subordinates, the
totals of everything below it; every service that changes a count updates the rows of all
the unit's ancestors in the same transaction (progress.rollups, through the counters that
committees.progress and congresses.progress declare). `manage.py rebuild_rollups`
recomputes them from scratch, and `--check` compares.

The tables were created by the dashboards app and keep their names. A later app may keep
its own count table in its own models and register it the same way.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from committees.models import Level


class RollupRow(models.Model):
    """A row of totals over the strict descendants of `unit`."""

    unit = models.ForeignKey("committees.Unit", verbose_name=_("unit"), related_name="+", on_delete=models.CASCADE)

    class Meta:
        abstract = True


class TermRollupRow(RollupRow):
    """Totals over the strict descendants of `unit` in one term."""

    term = models.ForeignKey("congresses.Term", verbose_name=_("term"), related_name="+", on_delete=models.CASCADE)

    class Meta:
        abstract = True


class UnitCount(RollupRow):
    """How many units of a level lie below `unit`."""

    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    units = models.IntegerField(_("units"), default=0)

    class Meta:
        db_table = "dashboards_unitcount"
        verbose_name = _("unit count")
        constraints = [models.UniqueConstraint(fields=["unit", "level"], name="unitcount_uniq")]


class CongressCount(TermRollupRow):
    """Congresses of a term below `unit`, by the level of the unit holding them."""

    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    congresses = models.IntegerField(_("congresses"), default=0)
    registered = models.IntegerField(_("with a registered date"), default=0)
    held = models.IntegerField(_("held"), default=0)
    pilots = models.IntegerField(_("pilot congresses"), default=0)
    pilots_held = models.IntegerField(_("pilot congresses held"), default=0)
    before_subordinates = models.IntegerField(_("dated before a subordinate's congress"), default=0)

    class Meta:
        db_table = "dashboards_congresscount"
        verbose_name = _("congress count")
        constraints = [models.UniqueConstraint(fields=["unit", "term", "level"], name="congresscount_uniq")]


class StepCount(RollupRow):
    """Milestones of one plan step below `unit`: how many, how many done."""

    step = models.ForeignKey("congresses.PlanStep", verbose_name=_("step"), related_name="+", on_delete=models.CASCADE)
    total = models.IntegerField(_("milestones"), default=0)
    done = models.IntegerField(_("done"), default=0)

    class Meta:
        db_table = "dashboards_stepcount"
        verbose_name = _("step count")
        constraints = [models.UniqueConstraint(fields=["unit", "step"], name="stepcount_uniq")]


class OpenDueCount(TermRollupRow):
    """Unfinished milestones below `unit` falling due on a date. "Overdue below X as of
    today" is the sum over the dates before today: a few hundred rows, not a million."""

    due_date = models.DateField(_("due date"))
    open = models.IntegerField(_("unfinished milestones"), default=0)

    class Meta:
        db_table = "dashboards_openduecount"
        verbose_name = _("open milestones by due date")
        constraints = [models.UniqueConstraint(fields=["unit", "term", "due_date"], name="openduecount_uniq")]


class CongressDateCount(TermRollupRow):
    """Congresses below `unit` on one date (held on it, or else planned for it), by level:
    the calendar of the dashboard and its level-deadline check ("dated after the
    deadline" is the sum over the dates after it) without reading every congress."""

    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    date = models.DateField(_("congress date"))
    congresses = models.IntegerField(_("congresses"), default=0)
    pilots = models.IntegerField(_("pilot congresses"), default=0)

    class Meta:
        db_table = "dashboards_congressdatecount"
        verbose_name = _("congresses by date")
        constraints = [models.UniqueConstraint(fields=["unit", "term", "level", "date"], name="congressdatecount_uniq")]
