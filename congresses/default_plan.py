"""The default plan of steps (DOMAIN.md "Plan and milestones"), applied to a new term.

Offsets are days before (negative) or after (positive) the congress date, following the
usual rhythm of Chỉ thị 35-CT/TW and 45-CT/TW: plan and subcommittees about three months
ahead, drafts and the personnel plan to the superior a month or more ahead, petitions
resolved before the congress, results reported within a week. Admins adjust them per term.
"""

from django.utils.translation import gettext_noop

ALL = ["central", "province", "upper", "grassroots", "sub"]
WITH_SUBORDINATES = ["central", "province", "upper", "grassroots"]
COMMITTEES = ["central", "province", "upper", "grassroots"]

# (code, title, levels, offset in days from the congress date, effect)
DEFAULT_STEPS = [
    ("plan", gettext_noop("Issue the congress plan"), ALL, -90, ""),
    ("subcommittees", gettext_noop("Set up the subcommittees"), COMMITTEES, -80, ""),
    ("register", gettext_noop("Register the congress date with the superior"), ALL, -75, "register"),
    ("drafts", gettext_noop("Draft the congress documents"), ALL, -60, ""),
    ("comments", gettext_noop("Collect comments on the draft documents"), COMMITTEES, -45, ""),
    ("personnel", gettext_noop("Submit the personnel plan to the superior"), ALL, -40, ""),
    ("subordinates", gettext_noop("Hold the subordinate congresses"), WITH_SUBORDINATES, -20, ""),
    ("petitions", gettext_noop("Resolve the petitions"), ALL, -15, ""),
    ("approval", gettext_noop("Obtain the superior's approval of documents and personnel"), COMMITTEES, -10, ""),
    ("hold", gettext_noop("Hold the congress"), ALL, 0, "hold"),
    ("report", gettext_noop("Report the results to the superior"), ALL, 7, ""),
]
