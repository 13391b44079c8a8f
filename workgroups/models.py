"""Working groups (DOMAIN.md "Working group", tổ công tác): set up by a numbered decision of
a superior unit to follow and steer a set of units, with a leader, deputies and members,
sub-teams, each member assigned particular units, and the follow-up log of what members did.

Every model keeps its audit history (simple_history); rows are written only by
`workgroups.services`, which names who did it (`_history_user`) and keeps the members'
"follows" grants (accounts.access) in step with their assignments.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from committees.models import Level
from progress.models import TermRollupRow

from .querysets import AssignmentQuerySet, FollowUpQuerySet, GroupMemberQuerySet, WorkingGroupQuerySet


class GroupStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DISSOLVED = "dissolved", _("Dissolved")


class MemberRole(models.TextChoices):
    """A member's place in the group (tổ trưởng, tổ phó, thành viên)."""

    LEADER = "leader", _("Leader")
    DEPUTY = "deputy", _("Deputy leader")
    MEMBER = "member", _("Member")


class FollowUpKind(models.TextChoices):
    """What a member did for a unit they follow (DOMAIN.md "Working group", seed 000)."""

    VISIT = "visit", _("Visit")
    MEETING = "meeting", _("Meeting")
    GUIDANCE = "guidance", _("Guidance given")
    PROBLEM = "problem", _("Problem raised")
    PROPOSAL = "proposal", _("Proposal to the superior")


def decision_upload_to(instance: WorkingGroup, filename: str) -> str:
    return f"workgroups/decisions/{instance.unit_id}/{filename}"


def attachment_upload_to(instance: FollowUpAttachment, filename: str) -> str:
    return f"workgroups/follow-ups/{instance.follow_up.unit_id}/{filename}"


class WorkingGroup(models.Model):
    """A working group ("Tổ công tác số 1"), set up in a term by a decision of a superior
    unit ("Quyết định 1668-QĐ/TU, 16/9/2019" of the Tỉnh ủy), active until a later decision
    dissolves it. The decision's file is served only through a scoped view."""

    unit = models.ForeignKey(
        "committees.Unit", verbose_name=_("issuing unit"), related_name="working_groups", on_delete=models.PROTECT,
        help_text=_("The superior unit whose decision set the group up."),
    )
    term = models.ForeignKey(
        "congresses.Term", verbose_name=_("term"), related_name="working_groups", on_delete=models.PROTECT,
    )
    number = models.PositiveSmallIntegerField(_("number"), help_text=_("e.g. 1 for “Working group no. 1”."))
    name = models.CharField(_("name"), max_length=255)
    decision_number = models.CharField(_("decision number"), max_length=64, help_text=_("e.g. 1668-QĐ/TU"))
    decision_date = models.DateField(_("decision date"))
    decision_file = models.FileField(_("decision file"), upload_to=decision_upload_to, max_length=255, blank=True)
    purpose = models.TextField(_("purpose"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=GroupStatus.choices, default=GroupStatus.ACTIVE)
    dissolution_number = models.CharField(_("dissolving decision number"), max_length=64, blank=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = WorkingGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")
        ordering = ["unit__path", "term", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "term", "number"], name="workgroup_unit_term_number_uniq",
                violation_error_message=_("The unit already has a working group with this number in this term."),
            ),
            models.CheckConstraint(
                condition=Q(status=GroupStatus.ACTIVE) | Q(dissolved_on__isnull=False),
                name="workgroup_dissolved_has_date",
                violation_error_message=_("A dissolved group needs the date of the dissolving decision."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("workgroups:group_detail", kwargs={"pk": self.pk})

    @property
    def is_active(self) -> bool:
        return self.status == GroupStatus.ACTIVE


class GroupUnit(models.Model):
    """A unit the group as a whole follows, as its decision names them (seed 000: five
    units). Ended rather than deleted when the group stops following it."""

    group = models.ForeignKey(WorkingGroup, verbose_name=_("working group"), related_name="group_units",
                              on_delete=models.PROTECT)
    unit = models.ForeignKey("committees.Unit", verbose_name=_("unit"), related_name="followed_by_groups",
                             on_delete=models.PROTECT)
    started_on = models.DateField(_("followed from"))
    ended_on = models.DateField(_("followed until"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit followed by the group")
        verbose_name_plural = _("units followed by the group")
        ordering = ["group", "unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "unit"], condition=Q(ended_on__isnull=True), name="groupunit_one_open_per_unit",
                violation_error_message=_("The group already follows this unit."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} — {self.unit}"


class SubTeam(models.Model):
    """A sub-team (nhóm) of a group: documents; personnel; propaganda, logistics and service."""

    group = models.ForeignKey(WorkingGroup, verbose_name=_("working group"), related_name="sub_teams",
                              on_delete=models.PROTECT)
    name = models.CharField(_("name"), max_length=255)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sub-team")
        verbose_name_plural = _("sub-teams")
        ordering = ["group", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["group", "name"], name="subteam_group_name_uniq",
                                    violation_error_message=_("The group already has a sub-team with this name.")),
        ]

    def __str__(self) -> str:
        return self.name


class GroupMember(models.Model):
    """A person in a group: a portal user, or someone recorded by name and position who does
    not sign in (and so gets no access). Leaves the group on a date rather than being
    deleted, so the follow-up log keeps its author."""

    group = models.ForeignKey(WorkingGroup, verbose_name=_("working group"), related_name="members",
                              on_delete=models.PROTECT)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("portal user"), related_name="group_memberships",
        on_delete=models.PROTECT, null=True, blank=True,
        help_text=_("Leave empty for a member who does not use the portal."),
    )
    full_name = models.CharField(_("full name"), max_length=255)
    position = models.CharField(_("position"), max_length=255, blank=True,
                                help_text=_("e.g. Member of the provincial standing committee"))
    role = models.CharField(_("role in the group"), max_length=16, choices=MemberRole.choices,
                            default=MemberRole.MEMBER)
    sub_team = models.ForeignKey(SubTeam, verbose_name=_("sub-team"), related_name="members",
                                 on_delete=models.PROTECT, null=True, blank=True)
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    history = HistoricalRecords()

    objects = GroupMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        ordering = ["group", "role", "full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "user"], condition=Q(left_on__isnull=True, user__isnull=False),
                name="groupmember_user_once_per_group",
                violation_error_message=_("This user is already a member of the group."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_active(self) -> bool:
        return self.left_on is None


class Assignment(models.Model):
    """A member assigned to follow a unit (phân công theo dõi), from a date until the
    assignment ends (moved to another member, the member leaves, the group is dissolved).
    While it lasts, the member's portal user holds the "follows" grant on the unit."""

    member = models.ForeignKey(GroupMember, verbose_name=_("member"), related_name="assignments",
                               on_delete=models.PROTECT)
    unit = models.ForeignKey("committees.Unit", verbose_name=_("unit"), related_name="assignments",
                             on_delete=models.PROTECT)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    history = HistoricalRecords()

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["member__group", "unit__path", "started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "unit"], condition=Q(ended_on__isnull=True), name="assignment_one_open_per_unit",
                violation_error_message=_("The member already follows this unit."),
            ),
        ]
        indexes = [models.Index(fields=["unit", "ended_on"], name="assignment_unit_ended_idx")]

    def __str__(self) -> str:
        return f"{self.member} — {self.unit}"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None

    def is_active_on(self, day: dt.date) -> bool:
        return self.started_on <= day and (self.ended_on is None or self.ended_on > day)


class FollowUp(models.Model):
    """An entry of the follow-up log: what a member did for a unit they follow, on a day.
    Readable by whoever reads the unit (its secretary, the superior, the member)."""

    unit = models.ForeignKey("committees.Unit", verbose_name=_("unit"), related_name="follow_ups",
                             on_delete=models.PROTECT)
    member = models.ForeignKey(GroupMember, verbose_name=_("member"), related_name="follow_ups",
                               on_delete=models.PROTECT)
    kind = models.CharField(_("kind"), max_length=16, choices=FollowUpKind.choices)
    happened_on = models.DateField(_("date"))
    text = models.TextField(_("what was done"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("written by"), related_name="+",
                                   on_delete=models.PROTECT, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up entry")
        verbose_name_plural = _("follow-up entries")
        ordering = ["-happened_on", "-pk"]
        indexes = [models.Index(fields=["unit", "happened_on"], name="followup_unit_day_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.unit} ({self.happened_on:%d/%m/%Y})"


class FollowUpAttachment(models.Model):
    """A file attached to a follow-up entry, served only through a scoped view."""

    follow_up = models.ForeignKey(FollowUp, verbose_name=_("follow-up entry"), related_name="attachments",
                                  on_delete=models.PROTECT)
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=255)
    original_name = models.CharField(_("original file name"), max_length=255)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["follow_up", "pk"]

    def __str__(self) -> str:
        return self.original_name


class FollowedCount(TermRollupRow):
    """Units of a level below `unit` that an active working group of a term follows
    (`followed`), and of those how many two groups, or two members, follow (`twice`):
    the dashboard's "135/135 followed", of UnitCount's units of the level. `term` is the
    group's term, `level` the followed unit's (workgroups.progress keeps it)."""

    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    followed = models.IntegerField(_("followed units"), default=0)
    twice = models.IntegerField(_("units followed twice"), default=0)

    class Meta:
        verbose_name = _("followed unit count")
        constraints = [models.UniqueConstraint(fields=["unit", "term", "level"], name="followedcount_uniq")]
