"""The reminder scan as set-based SQL: who gets which milestone today, for every milestone
of the current term at once, never a Python loop over rows.

A scan is one SELECT of *candidates*, rows of

    (recipient_id, channel, reason, milestone_id, unit_id, due_date, overdue_count)

which the service turns into messages with two `INSERT … SELECT … ON CONFLICT DO NOTHING`
statements (one message per recipient and channel, then its lines). The same SELECT feeds
`send_reminders --dry-run`, so the dry run shows exactly what a real run would write.

The rules (reminders.models.ReminderPolicy), for open milestones (status other than done)
of the current term with a due date, in active units, for active users:

- due soon: due in exactly one of `days_before` days (7, 3, 1) → the unit's secretaries
  (the holders of a grant with the `unit_reminders` power on the unit, accounts.access);
- overdue: due yesterday (the first overdue day) → the unit's secretaries;
- escalation: due exactly `escalate_after_days` days ago → whoever follows the unit from
  above: the working-group members following it, and the secretaries of the superior
  unit (see `_escalation_followers`);
- weekly digest: every unit with an overdue milestone → the provincial viewers and the
  working-group members whose grants (`weekly_digest` power) cover it, one line per unit;
- petitions (petitions app): an open case due in one of `days_before` days, or due
  yesterday → the handler it is assigned to (or, unassigned, every handler whose grant
  covers its unit); the line names the case by number, never its sender;
- quarterly reports (briefings app): a unit with a superior whose report for a quarter is
  not submitted, when the quarter's due date is one of the "due soon" dates or yesterday
  → the unit's secretaries (the `unit_reminders` power). One line per unit;
- comment requests (documents app): a request of an open comment round not answered yet,
  whose deadline is one of the "due soon" dates or yesterday → the secretaries of the
  recipient unit (the same `unit_reminders` power), or the named person. Its lines join
  the day's message like any other: one message per recipient per day still holds;
- conclusion tasks (conclusions app): an open task on its first overdue day → whoever
  answers it: the members of the responsible body, or the secretaries (`unit_reminders`)
  of the responsible unit or of the unit whose congress has the responsible subcommittee;
  an open task overdue for exactly `escalate_after_days` days → the meeting's chair, once
  (an escalation: no preference turns it off). A task carried over has a new due date and
  so simply stops matching until that date passes.

Who holds which role is asked of accounts.access (`sql_holders`, `sql_read_roots`), the
one module that decides scope; this module only says which power each rule follows.

Each rule is an equality on the due date (or `due_date < day` for the digest), so a
milestone that is done or whose date moved simply stops matching; nothing is scheduled
ahead. Opt-outs (reminders.models.NotificationPreference) are a NOT EXISTS in the same
SELECT; escalations ignore them. The email channel needs an email address.

Plain SQL, written for both PostgreSQL and SQLite (the embedded default): no date
arithmetic in SQL (the dates are computed in Python and passed as parameters), `||` for
concatenation, `ON CONFLICT DO NOTHING` (PostgreSQL ≥ 9.5, SQLite ≥ 3.24; SQLite needs
the `WHERE 1=1` before it to parse an INSERT … SELECT with an upsert clause).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import connection

from accounts import access
from accounts.models import User
from briefings.models import QuarterlyReport, ReportStatus
from briefings.quarters import quarters_due_on
from committees.models import Unit
from conclusions.models import BodyMember, Conclusion, Task, TaskStatus
from congresses.models import Congress, Milestone, MilestoneStatus, Subcommittee
from documents.models import CommentRecipient, CommentRound, CongressDocument
from petitions.models import OPEN_STATUSES as PETITION_OPEN
from petitions.models import Petition

from .models import Channel, Delivery, DeliveryItem, DeliveryState, NotificationPreference, Reason, ReminderPolicy

OPEN_STATUSES = [s for s in MilestoneStatus.values if s != MilestoneStatus.DONE]
# (term id, the levels it is current for, or None for every level): see CurrentTerms.pairs.
TermLevels = Sequence[tuple[int, "list[str] | None"]]

COLUMNS = ("recipient_id", "channel", "reason", "milestone_id", "unit_id", "due_date", "overdue_count",
           "comment_request_id", "petition_id", "task_id")

# Table names, from the models, so a renamed table cannot break the SQL silently.
M = Milestone._meta.db_table
C = Congress._meta.db_table
U = Unit._meta.db_table
A = User._meta.db_table
P = NotificationPreference._meta.db_table
D = Delivery._meta.db_table
I = DeliveryItem._meta.db_table  # noqa: E741
CR = CommentRecipient._meta.db_table
RD = CommentRound._meta.db_table
CD = CongressDocument._meta.db_table
PT = Petition._meta.db_table
T = Task._meta.db_table
CC = Conclusion._meta.db_table
BM = BodyMember._meta.db_table
SC = Subcommittee._meta.db_table
QR = QuarterlyReport._meta.db_table

# Which preference field turns a reason off; escalation has none.
PREFERENCE_FIELD = {Reason.DUE_SOON: "due_soon", Reason.OVERDUE: "overdue", Reason.WEEKLY_DIGEST: "weekly_digest",
                    Reason.TASK_OVERDUE: "overdue"}
# Reasons that no preference turns off but whose channels follow the user's choice (a
# request for comments is addressed to the user: it is not a nag to opt out of).
CHANNEL_ONLY = {Reason.COMMENT_REQUEST, Reason.PETITION_DUE, Reason.PETITION_OVERDUE, Reason.QUARTERLY_REPORT}


def _plain(params: list) -> list:
    # A TextChoices member is a str subclass that database drivers may not adapt.
    return [p.value if isinstance(p, enum.Enum) else p for p in params]


def _date(value: dt.date):
    return connection.ops.adapt_datefield_value(value)


def _datetime(value: dt.datetime):
    return connection.ops.adapt_datetimefield_value(value)


@dataclass
class Candidates:
    """A SELECT of candidate rows (COLUMNS) and its parameters."""

    sql: str
    params: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.sql)


class _Sql:
    """SQL text and its parameters, built in the order they appear in the text."""

    def __init__(self, sql: str = "", params: list | None = None):
        self.sql = sql
        self.params = _plain(params or [])

    def __add__(self, other: _Sql | str) -> _Sql:
        other = _Sql(other) if isinstance(other, str) else other
        return _Sql(self.sql + other.sql, self.params + other.params)

    def __radd__(self, other: str) -> _Sql:
        return _Sql(other) + self


def _channels() -> _Sql:
    # Every candidate on both channels; the WHERE drops what the user cannot or does not
    # want to receive.
    return _Sql("(SELECT %s AS channel UNION ALL SELECT %s) ch", [Channel.EMAIL, Channel.INAPP])


def _reachable(reason: str) -> _Sql:
    """The recipient `a` is active and reachable on channel `ch`, and has not turned this
    reason or this channel off (escalations cannot be turned off)."""
    sql = _Sql("a.is_active = %s AND (ch.channel <> %s OR a.email <> '')", [True, Channel.EMAIL])
    if reason in PREFERENCE_FIELD:
        sql += _Sql(
            f" AND NOT EXISTS (SELECT 1 FROM {P} p WHERE p.user_id = a.id AND"
            f" (p.{PREFERENCE_FIELD[reason]} = %s"
            f" OR (ch.channel = %s AND p.email_enabled = %s)"
            f" OR (ch.channel = %s AND p.inapp_enabled = %s)))",
            [False, Channel.EMAIL, False, Channel.INAPP, False],
        )
    elif reason in CHANNEL_ONLY:
        sql += _Sql(
            f" AND NOT EXISTS (SELECT 1 FROM {P} p WHERE p.user_id = a.id AND"
            f" ((ch.channel = %s AND p.email_enabled = %s) OR (ch.channel = %s AND p.inapp_enabled = %s)))",
            [Channel.EMAIL, False, Channel.INAPP, False],
        )
    return sql


def _current(terms: TermLevels) -> _Sql:
    """Congresses `c` of units `u` in the term current for the unit's level."""
    parts, params = [], []
    for term_id, levels in terms:
        if levels is None:  # the term is current for every level
            parts.append("c.term_id = %s")
            params.append(term_id)
        else:
            parts.append(f"(c.term_id = %s AND u.level IN ({', '.join(['%s'] * len(levels))}))")
            params.extend([term_id, *levels])
    return _Sql("(" + (" OR ".join(parts) or "1 = 0") + ")", params)


def _open_milestones(terms: TermLevels, due: _Sql) -> _Sql:
    """Open milestones `m` of current congresses `c` in active units `u`, due as `due`."""
    statuses = ", ".join(["%s"] * len(OPEN_STATUSES))
    return (
        _current(terms)
        + _Sql(f" AND m.status IN ({statuses}) AND ", list(OPEN_STATUSES))
        + due
        + _Sql(" AND u.is_active = %s", [True])
    )


_MILESTONE_JOINS = f"FROM {M} m JOIN {C} c ON c.id = m.congress_id JOIN {U} u ON u.id = c.unit_id"


def _milestone_branch(reason: str, recipients: _Sql, due: _Sql, *, terms: TermLevels) -> _Sql:
    """One UNION branch: milestones due as `due`, to the `recipients` (a JOIN binding
    `a`), on both channels."""
    return (
        _Sql("SELECT a.id AS recipient_id, ch.channel AS channel, %s AS reason, m.id AS milestone_id,"
             " c.unit_id AS unit_id, m.due_date AS due_date, 1 AS overdue_count,"
             " CAST(NULL AS BIGINT) AS comment_request_id, CAST(NULL AS BIGINT) AS petition_id, CAST(NULL AS BIGINT) AS task_id ", [reason])
        + _MILESTONE_JOINS + " " + recipients + " CROSS JOIN " + _channels()
        + " WHERE " + _open_milestones(terms, due) + " AND " + _reachable(reason)
    )


def _due_on(dates: list[dt.date]) -> _Sql:
    return _Sql(f"m.due_date IN ({', '.join(['%s'] * len(dates))})", [_date(d) for d in dates])


def _unit_secretaries() -> _Sql:
    return _Sql(*access.sql_holders("c.unit_id", "unit_reminders"))


def _viewers_digest(day: dt.date, *, terms: TermLevels) -> _Sql:
    """Units with milestones overdue on `day` → the viewers whose scope holds them. The
    overdue milestones are counted per unit first (one pass over the milestones), then
    matched to each viewer's scope (the minimal roots of their viewer grants, so a unit is
    matched once per viewer) by path prefix: the viewers are few, the units many."""
    overdue = (
        _Sql("(SELECT c.unit_id AS unit_id, u.path AS path, MIN(m.due_date) AS due_date,"
             " COUNT(*) AS overdue_count " + _MILESTONE_JOINS + " WHERE ")
        + _open_milestones(terms, _Sql("m.due_date < %s", [_date(day)]))
        + " GROUP BY c.unit_id, u.path) ou"
    )
    return (
        _Sql("SELECT a.id AS recipient_id, ch.channel AS channel, %s AS reason,"
             " CAST(NULL AS BIGINT) AS milestone_id, ou.unit_id AS unit_id, ou.due_date AS due_date,"
             " ou.overdue_count AS overdue_count, CAST(NULL AS BIGINT) AS comment_request_id,"
             " CAST(NULL AS BIGINT) AS petition_id, CAST(NULL AS BIGINT) AS task_id",
             [Reason.WEEKLY_DIGEST])
        + " FROM " + _Sql(*access.sql_read_roots("weekly_digest")) + f" vr JOIN {A} a ON a.id = vr.user_id JOIN "
        + overdue + " ON ou.path LIKE (vr.path || '%%') CROSS JOIN " + _channels()
        + " WHERE " + _reachable(Reason.WEEKLY_DIGEST)
    )


def _union(branches: list[_Sql]) -> Candidates:
    if not branches:
        return Candidates(sql="")
    union = branches[0]
    for branch in branches[1:]:
        union = union + " UNION ALL " + branch
    return Candidates(sql=union.sql, params=union.params)


def _escalation_followers() -> list[_Sql]:
    """Who follows a unit from above and gets its escalations: JOIN fragments that bind
    `a` (the recipient) for the unit `u`, one UNION branch each.

    - the working-group members assigned to follow the unit itself (DOMAIN.md "Working
      group"): the holders of a grant with the `own_escalations` power on the unit, which
      workgroups.services gives while the assignment lasts;
    - then, as before working groups, the holders of a grant with the `escalations` power
      on the superior unit (the unit's parent): its secretaries.

    A user who is both gets the line once (the item's unique key).
    """
    return [
        _Sql(*access.sql_holders("u.id", "own_escalations")),
        _Sql(*access.sql_holders("u.parent_id", "escalations")),
    ]


def _comment_branches(dates: list[dt.date]) -> list[_Sql]:
    """Unanswered requests of open comment rounds due on `dates`: to a unit → its
    secretaries; to a person → that person (the line names the sending unit)."""
    if not dates:
        return []
    select = _Sql("SELECT a.id AS recipient_id, ch.channel AS channel, %s AS reason,"
                  " CAST(NULL AS BIGINT) AS milestone_id, u.id AS unit_id, cr.deadline AS due_date,"
                  " 1 AS overdue_count, r.id AS comment_request_id, CAST(NULL AS BIGINT) AS petition_id, CAST(NULL AS BIGINT) AS task_id",
                  [Reason.COMMENT_REQUEST])
    open_due = (
        _Sql(f" WHERE r.answered_at IS NULL AND cr.closed_at IS NULL AND cr.deadline IN"
             f" ({', '.join(['%s'] * len(dates))})", [_date(d) for d in dates])
        + _Sql(" AND u.is_active = %s AND ", [True]) + _reachable(Reason.COMMENT_REQUEST)
    )
    to_units = (
        select + f" FROM {CR} r JOIN {RD} cr ON cr.id = r.round_id JOIN {U} u ON u.id = r.unit_id "
        + _Sql(*access.sql_holders("r.unit_id", "unit_reminders")) + " CROSS JOIN " + _channels() + open_due
    )
    to_people = (
        select + f" FROM {CR} r JOIN {RD} cr ON cr.id = r.round_id JOIN {CD} cd ON cd.id = cr.document_id"
        f" JOIN {C} c ON c.id = cd.congress_id JOIN {U} u ON u.id = c.unit_id JOIN {A} a ON a.id = r.user_id"
        " CROSS JOIN " + _channels() + open_due
    )
    return [to_units, to_people]


def _petition_branches(reason: str, dates: list[dt.date]) -> list[_Sql]:
    """Open petition cases due on `dates` (petitions app) → the handler they are assigned
    to; a case nobody is assigned to → every handler whose grant covers its unit (the
    `handles_petitions` power, accounts.access). The line carries the case's id, unit and
    due date: never its sender."""
    if not dates:
        return []
    select = _Sql("SELECT a.id AS recipient_id, ch.channel AS channel, %s AS reason,"
                  " CAST(NULL AS BIGINT) AS milestone_id, p.unit_id AS unit_id, p.due_on AS due_date,"
                  " 1 AS overdue_count, CAST(NULL AS BIGINT) AS comment_request_id, p.id AS petition_id,"
                  " CAST(NULL AS BIGINT) AS task_id", [reason])
    due = (
        _Sql(f" WHERE p.status IN ({', '.join(['%s'] * len(PETITION_OPEN))}) AND p.due_on IN"
             f" ({', '.join(['%s'] * len(dates))})", [*PETITION_OPEN, *[_date(d) for d in dates]])
        + " AND " + _reachable(reason)
    )
    # The assigned handler, while a grant of theirs still covers the case's unit (a handler
    # whose grant was taken away no longer opens the case, so is not sent to it).
    roles = access.roles_with("handles_petitions")
    covered = _Sql(
        f" AND EXISTS (SELECT 1 FROM {access.G} hg JOIN {U} hu ON hu.id = hg.unit_id WHERE hg.user_id = a.id"
        f" AND hg.role IN ({', '.join(['%s'] * len(roles))}) AND u.path LIKE (hu.path || '%%'))", roles)
    assigned = (select + f" FROM {PT} p JOIN {U} u ON u.id = p.unit_id JOIN {A} a ON a.id = p.handler_id CROSS JOIN "
                + _channels() + due + covered)
    unassigned = (
        select + f" FROM {PT} p JOIN {U} u ON u.id = p.unit_id JOIN "
        + _Sql(*access.sql_read_roots("handles_petitions"))
        + f" hr ON u.path LIKE (hr.path || '%%') JOIN {A} a ON a.id = hr.user_id CROSS JOIN " + _channels()
        + due + " AND p.handler_id IS NULL"
    )
    return [assigned, unassigned]


def _task_branches(*, overdue: dt.date | None, escalation: dt.date | None) -> list[_Sql]:
    """Open conclusion tasks on their first overdue day → who answers them (a body's
    members; a responsible unit's secretaries; the secretaries of the unit whose congress
    has the responsible subcommittee); overdue for exactly N days → the meeting's chair."""

    def branch(reason: str, due: dt.date, recipients: _Sql) -> _Sql:
        return (
            _Sql("SELECT a.id AS recipient_id, ch.channel AS channel, %s AS reason,"
                 " CAST(NULL AS BIGINT) AS milestone_id, cu.id AS unit_id, t.due_date AS due_date,"
                 " 1 AS overdue_count, CAST(NULL AS BIGINT) AS comment_request_id,"
                 " CAST(NULL AS BIGINT) AS petition_id, t.id AS task_id", [reason])
            + f" FROM {T} t JOIN {CC} cc ON cc.id = t.conclusion_id JOIN {U} cu ON cu.id = cc.unit_id "
            + recipients + " CROSS JOIN " + _channels()
            + _Sql(" WHERE t.status = %s AND t.due_date = %s AND cu.is_active = %s AND ",
                   [TaskStatus.OPEN, _date(due), True])
            + _reachable(reason)
        )

    branches = []
    if overdue is not None:
        branches += [
            branch(Reason.TASK_OVERDUE, overdue, _Sql(f"JOIN {BM} bm ON bm.body_id = t.body_id JOIN {A} a ON a.id = bm.user_id")),
            branch(Reason.TASK_OVERDUE, overdue, _Sql(*access.sql_holders("t.unit_id", "unit_reminders"))),
            branch(Reason.TASK_OVERDUE, overdue,
                   _Sql(f"JOIN {SC} sc ON sc.id = t.subcommittee_id JOIN {C} scc ON scc.id = sc.congress_id ")
                   + _Sql(*access.sql_holders("scc.unit_id", "unit_reminders"))),
        ]
    if escalation is not None:
        branches.append(branch(Reason.TASK_ESCALATION, escalation, _Sql(f"JOIN {A} a ON a.id = cc.chair_id")))
    return branches


def _quarterly_report_branches(dates: list[dt.date]) -> list[_Sql]:
    """Units whose report for a quarter due on one of `dates` is not submitted → their
    secretaries. The due dates are computed in Python (briefings.quarters), one branch per
    quarter; every active unit with a superior files one."""
    branches = []
    for quarter in quarters_due_on(dates):
        branches.append(
            _Sql("SELECT a.id AS recipient_id, ch.channel AS channel, %s AS reason,"
                 " CAST(NULL AS BIGINT) AS milestone_id, u.id AS unit_id, %s AS due_date,"
                 " 1 AS overdue_count, CAST(NULL AS BIGINT) AS comment_request_id,"
                 " CAST(NULL AS BIGINT) AS petition_id, CAST(NULL AS BIGINT) AS task_id",
                 [Reason.QUARTERLY_REPORT, _date(quarter.due_date)])
            + f" FROM {U} u " + _Sql(*access.sql_holders("u.id", "unit_reminders"))
            + " CROSS JOIN " + _channels()
            + _Sql(" WHERE u.parent_id IS NOT NULL AND u.is_active = %s", [True])
            + _Sql(f" AND NOT EXISTS (SELECT 1 FROM {QR} qr WHERE qr.unit_id = u.id AND qr.year = %s"
                   " AND qr.quarter = %s AND qr.status = %s)", [quarter.year, quarter.quarter, ReportStatus.SUBMITTED])
            + " AND " + _reachable(Reason.QUARTERLY_REPORT)
        )
    return branches


def daily_candidates(*, day: dt.date, policy: ReminderPolicy, terms: TermLevels) -> Candidates:
    """The day's reminders: due soon, first overdue day, escalations, and comment
    requests before and after their deadline."""
    branches = []
    overdue_day = policy.overdue_date(day)
    branches += _comment_branches(policy.due_soon_dates(day) + ([overdue_day] if overdue_day else []))
    branches += _petition_branches(Reason.PETITION_DUE, policy.due_soon_dates(day))
    branches += _petition_branches(Reason.PETITION_OVERDUE, [overdue_day] if overdue_day else [])
    branches += _task_branches(overdue=overdue_day, escalation=policy.escalation_date(day))
    branches += _quarterly_report_branches(policy.due_soon_dates(day) + ([overdue_day] if overdue_day else []))
    if due_soon := policy.due_soon_dates(day):
        branches.append(_milestone_branch(Reason.DUE_SOON, _unit_secretaries(), _due_on(due_soon), terms=terms))
    if overdue := policy.overdue_date(day):
        branches.append(_milestone_branch(Reason.OVERDUE, _unit_secretaries(), _due_on([overdue]), terms=terms))
    if escalation := policy.escalation_date(day):
        for followers in _escalation_followers():
            branches.append(_milestone_branch(Reason.ESCALATION, followers, _due_on([escalation]), terms=terms))
    return _union(branches)


def weekly_candidates(*, day: dt.date, terms: TermLevels) -> Candidates:
    """The weekly digest: overdue units in each provincial viewer's scope, and under each
    unit a working-group member follows."""
    return _union([_viewers_digest(day, terms=terms)])


# --- Writing and reading the candidates ---------------------------------------------------


def insert_deliveries(candidates: Candidates, *, run_id: int, kind: str, day: dt.date, now: dt.datetime) -> int:
    """One message per (recipient, channel) among the candidates; an existing message
    for the same key (an earlier run today) stays as it is. Email rows start pending and
    queued (they are queued when the transaction commits); in-app rows are the
    notification itself and start sent. Returns the number of rows written."""
    sql = (
        f"INSERT INTO {D} (run_id, recipient_id, channel, kind, day, state, attempts, last_error,"
        f" enqueued_at, sent_at, created_at)"
        f" SELECT DISTINCT %s, c.recipient_id, c.channel, %s, %s,"
        f" CASE WHEN c.channel = %s THEN %s ELSE %s END, 0, '',"
        f" CASE WHEN c.channel = %s THEN %s ELSE NULL END,"
        f" CASE WHEN c.channel = %s THEN %s ELSE NULL END, %s"
        f" FROM ({candidates.sql}) c WHERE 1=1 ON CONFLICT DO NOTHING"
    )
    at = _datetime(now)
    params = [
        run_id, kind, _date(day),
        Channel.INAPP, DeliveryState.SENT, DeliveryState.PENDING,
        Channel.EMAIL, at,
        Channel.INAPP, at, at,
        *candidates.params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, _plain(params))
        return max(cursor.rowcount, 0)


def insert_items(candidates: Candidates, *, run_id: int) -> int:
    """The lines of the messages this run wrote (never of an earlier run's messages: what
    a recipient was told today does not change after the fact)."""
    sql = (
        f"INSERT INTO {I} (delivery_id, reason, milestone_id, unit_id, due_date, overdue_count, comment_request_id,"
        f" petition_id, task_id)"
        f" SELECT d.id, c.reason, c.milestone_id, c.unit_id, c.due_date, c.overdue_count, c.comment_request_id,"
        f" c.petition_id, c.task_id"
        f" FROM ({candidates.sql}) c"
        f" JOIN {D} d ON d.recipient_id = c.recipient_id AND d.channel = c.channel AND d.run_id = %s"
        f" WHERE 1=1 ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*candidates.params, run_id])
        return max(cursor.rowcount, 0)


# Rows written by one run above which the planner statistics are refreshed at once.
ANALYZE_AFTER_ROWS = 5_000


def refresh_statistics(rows_written: int, tables: tuple[str, ...] = (D, I)) -> None:
    """ANALYZE the delivery tables after a big run (PostgreSQL). The send tasks start the
    moment the scan commits, long before autovacuum notices a table that grew by 100,000
    lines; with the old statistics (an empty table) the planner reads a message's lines
    with a sequential scan joined to every milestone, 0.6 s a batch instead of 5 ms.
    Inside the transaction, ANALYZE counts the run's own rows. The scan also calls it on
    the messages alone between writing them and writing their lines: `insert_items`
    joins the candidates to this run's messages, and planned against an empty message
    table (the first big run of a day after a cleanup) it ran for over ten minutes on
    the national tree instead of about a second."""
    if connection.vendor == "postgresql" and rows_written >= ANALYZE_AFTER_ROWS:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(tables)}")


@dataclass
class CandidateRow:
    recipient_id: int
    channel: str
    reason: str
    milestone_id: int | None
    unit_id: int
    due_date: dt.date | None
    overdue_count: int
    delivered: bool  # a message with this key exists already (an earlier run today)


def read_candidates(candidates: Candidates, *, kind: str, day: dt.date) -> list[CandidateRow]:
    """The candidate rows themselves, for the dry run, each marked when today's message
    for its key exists already (a real run would not write it)."""
    if not candidates:
        return []
    sql = (
        f"SELECT c.recipient_id, c.channel, c.reason, c.milestone_id, c.unit_id, c.due_date,"
        f" c.overdue_count, d.id FROM ({candidates.sql}) c"
        f" LEFT JOIN {D} d ON d.recipient_id = c.recipient_id AND d.channel = c.channel"
        f" AND d.kind = %s AND d.day = %s"
        f" ORDER BY c.recipient_id, c.channel, c.reason, c.due_date, c.unit_id, c.milestone_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, _plain([*candidates.params, kind, _date(day)]))
        rows = cursor.fetchall()
    out = []
    for recipient_id, channel, reason, milestone_id, unit_id, due_date, overdue_count, delivery_id in rows:
        if isinstance(due_date, str):  # SQLite returns dates as text from a raw cursor
            due_date = dt.date.fromisoformat(due_date)
        out.append(CandidateRow(recipient_id, channel, reason, milestone_id, unit_id, due_date,
                                int(overdue_count), delivery_id is not None))
    return out
