"""The petitions' section of the quarterly briefing pack (issue 14, point 8): counts only.

Registered in PetitionsConfig.ready through briefings.hooks, so briefings never imports
petitions. The pack goes to whoever reads the unit, so the section carries what the
dashboard's petitions tile carries — open, overdue and about personnel, of the unit and its
subtree — and nothing of a case. Petitions keep no quarter-end snapshot: the counts are
today's, and the section says so when the pack describes an earlier day.
"""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .selectors import subtree_counts


def petition_counts_section(ctx):
    from briefings.hooks import PackSection

    counts = subtree_counts(ctx.unit, ctx.today)
    note = _("Letters of complaint, denunciation, proposal and reflection not concluded yet, about this unit "
             "and the units under it. A petition about personnel must be resolved before the congress.")
    if ctx.as_of != ctx.today:
        note += " " + _("Counts as of %(day)s, the day the pack was made.") % {
            "day": date_format(ctx.today, "SHORT_DATE_FORMAT")}
    return PackSection(
        title=_("Petitions"),
        rows=[(_("Open"), counts.open), (_("Overdue"), counts.overdue), (_("About personnel"), counts.personnel)],
        note=note,
    )
