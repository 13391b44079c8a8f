"""Writes to working groups. Views, the admin and the import call these; they never save
the models themselves, so the audit history names who did what, and the members' access
follows their assignments.

Access follows assignment (issue 11, point 4). A member's portal user holds the "follows"
grant (accounts.models.GrantRole.FOLLOWS, accounts.access.POWERS) on a unit exactly while
they have an active assignment to follow it. Every service that starts or ends an
assignment (`assignment_add`, `assignment_end`, `assignment_move`, `member_remove`,
`group_unit_end`, `group_dissolve`) ends with `_sync_follow_grants`, which recomputes that
statement for the (user, unit) pairs it touched and adds or removes the grant through
accounts.services (`grant_add`, `grant_remove`), in the same transaction.

Why derive the grant rather than link it to one assignment: a user may follow the same unit
for two groups (or through two assignments over time); a grant cannot be owned by one
assignment (the grant is unique per user, role and unit), so the grant is removed only when
no active assignment of the user on that unit remains. Grants of other roles (the same
person may be the provincial viewer, or a secretary) are other rows and are never touched:
only the "follows" role is managed here, and nobody else gives it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.models import Grant, GrantRole, User
from committees.models import Unit
from core import files as checked_files

from .models import (
    Assignment,
    FollowUp,
    FollowUpAttachment,
    GroupMember,
    GroupStatus,
    GroupUnit,
    MemberRole,
    SubTeam,
    WorkingGroup,
)
from .progress import track_followed



def _today() -> dt.date:
    return timezone.localdate()


def _save(obj, user: User | None) -> None:
    # simple_history takes the user from the request in views; commands and tasks have
    # none, so the service names it explicitly.
    obj._history_user = user
    obj.full_clean()
    obj.save()


def _require_active(group: WorkingGroup) -> None:
    if not group.is_active:
        raise ValidationError(_("The working group has been dissolved."))


def _require_under(group: WorkingGroup, unit: Unit) -> None:
    """A group follows units under the unit that set it up (DOMAIN.md "Working group":
    the superior follows its subordinates)."""
    if unit.pk == group.unit_id or not unit.path.startswith(group.unit.path):
        raise ValidationError({"unit": _("%(unit)s is not under %(superior)s, which set up the group.")
                               % {"unit": unit.name, "superior": group.unit.name}})


# --- The "follows" grants ---------------------------------------------------------------------


def _sync_follow_grants(pairs: Iterable[tuple[int, int]], *, by: User | None) -> None:
    """For each (user id, unit id): the user holds the "follows" grant on the unit if and
    only if an active assignment of theirs follows it (see the module docstring)."""
    pairs = {(u, n) for u, n in pairs if u is not None}
    if not pairs:
        return
    user_ids = {u for u, _n in pairs}
    wanted = set(
        Assignment.objects.active().filter(member__user_id__in=user_ids, unit_id__in={n for _u, n in pairs})
        .values_list("member__user_id", "unit_id")
    )
    held = {
        (g.user_id, g.unit_id): g
        for g in Grant.objects.filter(role=GrantRole.FOLLOWS, user_id__in=user_ids).select_related("user")
    }
    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids)}
    for pair in sorted(pairs):
        user_id, unit_id = pair
        if pair in wanted and pair not in held:
            account_services.grant_add(user=users[user_id], role=GrantRole.FOLLOWS,
                                       unit=Unit.objects.get(pk=unit_id), by=by)
        elif pair not in wanted and pair in held:
            account_services.grant_remove(grant=held[pair])


def _pairs(assignments: Iterable[Assignment]) -> set[tuple[int, int]]:
    return {(a.member.user_id, a.unit_id) for a in assignments if a.member.user_id}


# --- Groups -----------------------------------------------------------------------------------


@transaction.atomic
def group_create(
    *, unit: Unit, term, number: int, name: str, decision_number: str, decision_date: dt.date,
    user: User | None, decision_file: UploadedFile | None = None, purpose: str = "",
    units: Iterable[Unit] = (), sub_teams: Iterable[str] = (),
) -> WorkingGroup:
    """Set up a working group from its decision.

    1. validate and save the group (number unique for the unit and term);
    2. record the units its decision names, each under the issuing unit;
    3. create its sub-teams, in the order given.
    """
    group = WorkingGroup(
        unit=unit, term=term, number=number, name=name.strip(), decision_number=decision_number.strip(),
        decision_date=decision_date, purpose=purpose,
    )
    if decision_file is not None:
        try:
            checked_files.check_upload(decision_file)
        except ValidationError as exc:
            raise ValidationError({"decision_file": exc.messages}) from exc
        group.decision_file = decision_file
    _save(group, user)
    for followed in units:
        group_unit_add(group=group, unit=followed, user=user, on=decision_date)
    for order, team in enumerate(t.strip() for t in sub_teams):
        if team:
            sub_team_add(group=group, name=team, order=order, user=user)
    return group


@transaction.atomic
def group_unit_add(*, group: WorkingGroup, unit: Unit, user: User | None, on: dt.date | None = None) -> GroupUnit:
    """The group follows one more unit (its decision names it, or a member is assigned it).
    A unit it follows already is returned as it is."""
    _require_active(group)
    _require_under(group, unit)
    existing = GroupUnit.objects.filter(group=group, unit=unit, ended_on__isnull=True).first()
    if existing is not None:
        return existing
    row = GroupUnit(group=group, unit=unit, started_on=on or _today())
    with track_followed([unit.pk]):
        _save(row, user)
    return row


@transaction.atomic
def group_unit_end(*, group_unit: GroupUnit, user: User | None, on: dt.date | None = None) -> GroupUnit:
    """The group stops following a unit: the members' assignments to it end too."""
    day = on or _today()
    row = GroupUnit.objects.select_for_update().get(pk=group_unit.pk)
    if row.ended_on is None:
        with track_followed([row.unit_id]):
            row.ended_on = day
            _save(row, user)
            _end_assignments(
                Assignment.objects.filter(member__group_id=row.group_id, unit_id=row.unit_id, ended_on__isnull=True),
                day=day, user=user,
            )
    return row


@transaction.atomic
def group_dissolve(*, group: WorkingGroup, decision_number: str, dissolved_on: dt.date,
                   user: User | None) -> WorkingGroup:
    """Dissolve a group by a later decision: every assignment ends on that day, and with
    it its members' access to the units."""
    group = WorkingGroup.objects.select_for_update().get(pk=group.pk)
    _require_active(group)
    if dissolved_on < group.decision_date:
        raise ValidationError({"dissolved_on": _("The group cannot be dissolved before it was set up.")})
    group.status, group.dissolution_number, group.dissolved_on = GroupStatus.DISSOLVED, decision_number.strip(), dissolved_on
    if not group.dissolution_number:
        raise ValidationError({"decision_number": _("Give the number of the dissolving decision.")})
    followed = GroupUnit.objects.filter(group=group, ended_on__isnull=True)
    with track_followed(followed.values_list("unit_id", flat=True)):
        pairs = _end_assignments(Assignment.objects.filter(member__group=group, ended_on__isnull=True),
                                 day=dissolved_on, user=user, sync=False)
        for row in followed:
            row.ended_on = dissolved_on
            _save(row, user)
        _save(group, user)
    _sync_follow_grants(pairs, by=user)
    return group


# --- Sub-teams and members --------------------------------------------------------------------


@transaction.atomic
def sub_team_add(*, group: WorkingGroup, name: str, user: User | None, order: int | None = None) -> SubTeam:
    _require_active(group)
    if order is None:
        order = group.sub_teams.count()
    team = SubTeam(group=group, name=name.strip(), order=order)
    _save(team, user)
    return team


@transaction.atomic
def member_add(
    *, group: WorkingGroup, user: User | None, person: User | None = None, full_name: str = "",
    position: str = "", role: str = MemberRole.MEMBER, sub_team: SubTeam | None = None,
    on: dt.date | None = None,
) -> GroupMember:
    """Add a member: a portal user (`person`), or someone recorded by name and position who
    does not sign in. `user` is who adds them."""
    _require_active(group)
    if sub_team is not None and sub_team.group_id != group.pk:
        raise ValidationError({"sub_team": _("Choose a sub-team of this group.")})
    name = full_name.strip() or (str(person) if person is not None else "")
    if not name:
        raise ValidationError({"full_name": _("Give the member's name, or choose a portal user.")})
    member = GroupMember(group=group, user=person, full_name=name, position=position.strip(), role=role,
                         sub_team=sub_team, joined_on=on or _today())
    _save(member, user)
    return member


@transaction.atomic
def member_change(*, member: GroupMember, user: User | None, role: str, position: str,
                  sub_team: SubTeam | None) -> GroupMember:
    """Change a member's role, position or sub-team."""
    member = GroupMember.objects.select_for_update().get(pk=member.pk)
    if sub_team is not None and sub_team.group_id != member.group_id:
        raise ValidationError({"sub_team": _("Choose a sub-team of this group.")})
    member.role, member.position, member.sub_team = role, position.strip(), sub_team
    _save(member, user)
    return member


@transaction.atomic
def member_remove(*, member: GroupMember, user: User | None, on: dt.date | None = None) -> GroupMember:
    """A member leaves the group: their assignments end, and with them their access."""
    day = on or _today()
    member = GroupMember.objects.select_for_update().get(pk=member.pk)
    if member.left_on is None:
        with track_followed(member.assignments.filter(ended_on__isnull=True).values_list("unit_id", flat=True)):
            pairs = _end_assignments(member.assignments.filter(ended_on__isnull=True), day=day, user=user,
                                     sync=False)
            member.left_on = day
            _save(member, user)
        _sync_follow_grants(pairs, by=user)
    return member


# --- Assignments ------------------------------------------------------------------------------


@transaction.atomic
def assignment_add(*, member: GroupMember, unit: Unit, user: User | None, on: dt.date | None = None) -> Assignment:
    """Assign a member to follow a unit.

    1. the group is active, the member still in it, the unit under the issuing unit;
    2. the group follows the unit (added to its followed units if its decision did not
       name it);
    3. save the assignment (one open assignment per member and unit);
    4. give the member's portal user the "follows" grant on the unit.
    """
    member = GroupMember.objects.select_related("group__unit").get(pk=member.pk)
    group = member.group
    _require_active(group)
    if not member.is_active:
        raise ValidationError({"member": _("%(name)s has left the group.") % {"name": member.full_name}})
    _require_under(group, unit)
    day = on or _today()
    with track_followed([unit.pk]):
        group_unit_add(group=group, unit=unit, user=user, on=day)
        assignment = Assignment(member=member, unit=unit, started_on=day)
        _save(assignment, user)
    _sync_follow_grants(_pairs([assignment]), by=user)
    return assignment


def _end_assignments(assignments, *, day: dt.date, user: User | None, sync: bool = True) -> set[tuple[int, int]]:
    ended = list(assignments.select_for_update().select_related("member"))
    with track_followed({a.unit_id for a in ended}):
        for assignment in ended:
            assignment.ended_on = max(day, assignment.started_on)
            _save(assignment, user)
    pairs = _pairs(ended)
    if sync:
        _sync_follow_grants(pairs, by=user)
    return pairs


@transaction.atomic
def assignment_end(*, assignment: Assignment, user: User | None, on: dt.date | None = None) -> Assignment:
    """End an assignment: the member stops following the unit, and loses the access it gave
    (unless another active assignment gives the same)."""
    _end_assignments(Assignment.objects.filter(pk=assignment.pk, ended_on__isnull=True), day=on or _today(), user=user)
    return Assignment.objects.get(pk=assignment.pk)


@transaction.atomic
def assignment_move(*, assignment: Assignment, to_member: GroupMember, user: User | None,
                    on: dt.date | None = None) -> Assignment:
    """Move a unit from one member to another of the same group: the first assignment ends
    and a new one starts on the same day."""
    assignment = Assignment.objects.select_related("member").get(pk=assignment.pk)
    if not assignment.is_active:
        raise ValidationError(_("This assignment has ended already."))
    if to_member.group_id != assignment.member.group_id:
        raise ValidationError({"to_member": _("Choose a member of the same group.")})
    if to_member.pk == assignment.member_id:
        raise ValidationError({"to_member": _("The unit is already assigned to this member.")})
    day = on or _today()
    assignment_end(assignment=assignment, user=user, on=day)
    return assignment_add(member=to_member, unit=assignment.unit, user=user, on=day)


# --- Importing assignments --------------------------------------------------------------------

IMPORT_HEADER = ("member", "unit_code")


@dataclass
class ImportReport:
    created: list[Assignment] = field(default_factory=list)
    unchanged: int = 0


def _read_rows(upload: UploadedFile) -> list[tuple[int, list[str]]]:
    """(line number, cells) of an XLSX or CSV file, the header line included."""
    name = (upload.name or "").lower()
    if name.endswith(".xlsx"):
        import openpyxl

        try:
            checked_files.check_xlsx(upload)  # unpacked size and declared rows, before openpyxl
        except ValidationError as exc:
            raise ValidationError({"file": exc.messages}) from exc
        try:
            book = openpyxl.load_workbook(upload, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 — any unreadable workbook is the same error for the user
            raise ValidationError({"file": _("The file is not a readable XLSX workbook.")}) from exc
        sheet = book.worksheets[0]
        rows = []
        for i, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            try:
                checked_files.check_row_count(i)
            except ValidationError as exc:
                raise ValidationError({"file": exc.messages}) from exc
            rows.append((i, ["" if v is None else str(v).strip() for v in row]))
        return rows
    if name.endswith(".csv"):
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError({"file": _("The CSV file must be encoded in UTF-8.")}) from exc
        try:
            checked_files.check_csv_lines(text)
            if text.count("\n") > settings.IMPORT_MAX_ROWS + 1:
                checked_files.check_row_count(text.count("\n"))
        except ValidationError as exc:
            raise ValidationError({"file": exc.messages}) from exc
        return [(i, [c.strip() for c in row]) for i, row in enumerate(csv.reader(io.StringIO(text)), start=1)]
    raise ValidationError({"file": _("Choose an .xlsx or a .csv file.")})


def _member_key(text: str) -> str:
    return " ".join(text.split()).casefold()


@transaction.atomic
def assignments_import(*, group: WorkingGroup, upload: UploadedFile, user: User | None) -> ImportReport:
    """Import assignments from a file with the columns `member` (a member's full name, or
    their portal username) and `unit_code`.

    Every line is checked first; any error raises a ValidationError listing each bad line
    by its number, and nothing is written. Then each assignment is added through
    `assignment_add`; a line the group has already (same member, same unit) is counted as
    unchanged.
    """
    _require_active(group)
    rows = _read_rows(upload)
    rows = [(line, cells) for line, cells in rows if any(cells)]
    if not rows or [c.casefold() for c in rows[0][1][:2]] != list(IMPORT_HEADER):
        raise ValidationError({"file": _("The first line must be the header: %(header)s.")
                               % {"header": ",".join(IMPORT_HEADER)}})
    members: dict[str, GroupMember] = {}
    for member in group.members.active().select_related("user"):
        members.setdefault(_member_key(member.full_name), member)
        if member.user is not None:
            members.setdefault(_member_key(member.user.get_username()), member)
    codes = {cells[1] for _line, cells in rows[1:] if len(cells) > 1}
    units = {u.code: u for u in Unit.objects.filter(code__in=codes).only("pk", "code", "name", "path")}
    open_pairs = set(Assignment.objects.filter(member__group=group, ended_on__isnull=True)
                     .values_list("member_id", "unit_id"))
    errors, todo, seen = [], [], set()
    for line, cells in rows[1:]:
        cells = (cells + ["", ""])[:2]
        member, unit = members.get(_member_key(cells[0])), units.get(cells[1])
        if member is None:
            errors.append(_("Line %(line)d: no active member of the group is named “%(name)s”.")
                          % {"line": line, "name": cells[0]})
        if unit is None:
            errors.append(_("Line %(line)d: no unit has the code “%(code)s”.") % {"line": line, "code": cells[1]})
        elif unit.pk == group.unit_id or not unit.path.startswith(group.unit.path):
            errors.append(_("Line %(line)d: %(unit)s is not under %(superior)s.")
                          % {"line": line, "unit": unit.name, "superior": group.unit.name})
        if member is None or unit is None:
            continue
        if (member.pk, unit.pk) in seen:
            errors.append(_("Line %(line)d: the same member and unit appear on an earlier line.") % {"line": line})
            continue
        seen.add((member.pk, unit.pk))
        todo.append((member, unit))
    if errors:
        raise ValidationError(errors)
    report = ImportReport()
    for member, unit in todo:
        if (member.pk, unit.pk) in open_pairs:
            report.unchanged += 1
        else:
            report.created.append(assignment_add(member=member, unit=unit, user=user))
    return report


# --- The follow-up log ------------------------------------------------------------------------


@transaction.atomic
def follow_up_add(
    *, member: GroupMember, unit: Unit, kind: str, happened_on: dt.date, text: str, user: User | None,
    files: Iterable[UploadedFile] = (),
) -> FollowUp:
    """Write an entry in the follow-up log of a unit the member follows, with its files."""
    if not Assignment.objects.active().filter(member=member, unit=unit).exists():
        raise ValidationError(_("%(name)s does not follow %(unit)s.") % {"name": member.full_name, "unit": unit.name})
    if happened_on > _today():
        raise ValidationError({"happened_on": _("The date cannot be in the future.")})
    entry = FollowUp(unit=unit, member=member, kind=kind, happened_on=happened_on, text=text.strip(), created_by=user)
    _save(entry, user)
    for upload in files:
        try:
            checked_files.check_upload(upload)  # size, and content agreeing with the name
        except ValidationError as exc:
            raise ValidationError({"files": exc.messages}) from exc
        attachment = FollowUpAttachment(follow_up=entry, file=upload, original_name=upload.name[:255])
        _save(attachment, user)
    return entry
