"""Reads of working groups. Who may see what is asked of accounts.access, as everywhere:

- a group is seen by whoever reads its issuing unit, and by its own members;
- a group is managed by whoever edits its issuing unit (its secretaries) and by admins;
- a follow-up entry is seen by whoever reads its unit (the unit's secretary, the superior,
  the members following it, who read it through their "follows" grant).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, OuterRef, Q

from accounts.access import scope_for


class WorkingGroupQuerySet(models.QuerySet):
    def active(self) -> WorkingGroupQuerySet:
        from .models import GroupStatus

        return self.filter(status=GroupStatus.ACTIVE)

    def visible_to(self, user) -> WorkingGroupQuerySet:
        q = scope_for(user).read_q("unit__path")
        if not q:  # no condition: the user reads every unit (an administrator). OR-ing the
            return self.all()  # member clause onto an empty Q would narrow it to their own groups.
        if user is not None and user.is_authenticated:
            from .models import GroupMember

            q |= Q(Exists(GroupMember.objects.filter(group_id=OuterRef("pk"), user_id=user.pk, left_on__isnull=True)))
        return self.filter(q)

    def editable_by(self, user) -> WorkingGroupQuerySet:
        """Groups the user manages: those issued by a unit they edit (accounts.access)."""
        return self.filter(scope_for(user).edit_q("unit_id"))


class GroupMemberQuerySet(models.QuerySet):
    def active(self) -> GroupMemberQuerySet:
        return self.filter(left_on__isnull=True)

    def editable_by(self, user) -> GroupMemberQuerySet:
        return self.filter(scope_for(user).edit_q("group__unit_id"))


class AssignmentQuerySet(models.QuerySet):
    def active(self) -> AssignmentQuerySet:
        """Assignments that last: not ended, of a member still in an active group."""
        from .models import GroupStatus

        return self.filter(ended_on__isnull=True, member__left_on__isnull=True,
                           member__group__status=GroupStatus.ACTIVE)

    def editable_by(self, user) -> AssignmentQuerySet:
        return self.filter(scope_for(user).edit_q("member__group__unit_id"))

    def visible_to(self, user) -> AssignmentQuerySet:
        from .models import WorkingGroup

        return self.filter(member__group__in=WorkingGroup.objects.visible_to(user))


class FollowUpQuerySet(models.QuerySet):
    def visible_to(self, user) -> FollowUpQuerySet:
        return self.filter(scope_for(user).read_q("unit__path"))


# --- Unit-side filters: for the unit lists and exports (the lead wires them in) --------------


def followed_by_q(member, prefix: str = "") -> Q:
    """Units (`prefix` reaches the unit, e.g. "unit__") that `member` follows now."""
    from .models import Assignment

    return Q(**{f"{prefix}pk__in": Assignment.objects.active().filter(member=member).values("unit_id")})


def in_group_q(group, prefix: str = "") -> Q:
    """Units that the working group `group` follows now (its open followed units)."""
    from .models import GroupUnit

    return Q(**{f"{prefix}pk__in": GroupUnit.objects.filter(group=group, ended_on__isnull=True).values("unit_id")})


def followed_q(terms=None, prefix: str = "") -> Q:
    """Units that some active working group follows now (of a current term, when `terms`
    — a congresses.selectors.CurrentTerms — is given)."""
    from .models import GroupStatus, GroupUnit

    rows = GroupUnit.objects.filter(ended_on__isnull=True, group__status=GroupStatus.ACTIVE)
    if terms is not None:
        rows = rows.filter(group__term__in=[t.pk for t in terms.terms])
    return Q(**{f"{prefix}pk__in": rows.values("unit_id")})


def followed_twice_q(terms=None, prefix: str = "") -> Q:
    """Units that two active working groups follow now, or two members of such groups (of a
    current term, when `terms` is given): the coverage's "followed twice"."""
    from django.db.models import Count

    from .models import Assignment, GroupStatus, GroupUnit

    groups = GroupUnit.objects.filter(ended_on__isnull=True, group__status=GroupStatus.ACTIVE)
    members = Assignment.objects.active()
    if terms is not None:
        term_ids = [t.pk for t in terms.terms]
        groups, members = groups.filter(group__term__in=term_ids), members.filter(member__group__term__in=term_ids)
    two_groups = groups.order_by().values("unit_id").annotate(n=Count("group_id", distinct=True)).filter(n__gt=1)
    two_members = members.order_by().values("unit_id").annotate(n=Count("member_id", distinct=True)).filter(n__gt=1)
    return (Q(**{f"{prefix}pk__in": two_groups.values("unit_id")})
            | Q(**{f"{prefix}pk__in": two_members.values("unit_id")}))


def filter_choices(groups) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(working groups, their active members) as the choices of the unit lists' filters,
    from one query over `groups` (a WorkingGroup queryset) and their members."""
    group_choices: dict[int, str] = {}
    member_choices: list[tuple[str, str]] = []
    rows = (groups.order_by("unit__path", "number", "pk")
            .values_list("pk", "name", "members__pk", "members__full_name", "members__left_on"))
    for pk, name, member_pk, member_name, left_on in rows:
        group_choices.setdefault(pk, name)
        if member_pk is not None and left_on is None:
            member_choices.append((str(member_pk), f"{member_name} ({name})"))
    return [(str(pk), name) for pk, name in group_choices.items()], member_choices
