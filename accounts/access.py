"""Who may read and change what: the one place that decides scope.

A user's rights are the sum of their grants (`accounts.models.Grant`): a role on a unit, or
the administrator role. What each role gives is the table `POWERS`; adding a role (a
working-group member who follows a unit, a petition handler who reads the confidential
parts) is one row there, one choice in `GrantRole`, and whatever new power the row needs.

Roles given by another app's services rather than by an administrator: "follows"
(workgroups, while an assignment lasts) and "body_member" (conclusions, while the user is
a member of one of the unit's boards; the scope then also carries the board ids).

`scope_for(user)` turns the grants into a `Scope`: the minimal set of unit paths the user
reads (each path covers its subtree: `path LIKE 'prefix%'`, see committees.models), the
units they edit, whether they are an administrator, and a "home" unit for the menu. Every
caller asks the scope: the querysets (`read_q`, `edit_q`), the views (`can_read`,
`can_edit`, `mark`), the templates (`user.scope`), the reminder scan (`sql_holders`,
`sql_read_roots`). Nothing else looks at grants or roles to decide what a user may see.

Cost. Dashboards have a pinned query count, so the scope must not add a query to a
request. It is computed once per request (memoised on the user object) and kept across
requests in the cache under a key made of

- the user's `grants_version`, a token on the user row (loaded with the user anyway)
  that the grant services replace in the same transaction as the grant they write, so a
  new grant is seen by the very next request and a reader never caches a rolled-back
  state under the new key;
- a global tree token, replaced whenever unit paths change (`tree_changed()`, receiving
  `committees.signals.tree_reshaped`, which a move or an import sends after its commit):
  the cached scope holds paths, and a moved unit's subtree has new ones.

A token missing from the cache (evicted, a new deployment) is created on first read,
which makes every scope cached under the old one unreachable (as in dashboards.cache).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, fields

from django.core.cache import cache
from django.db.models import Q
from django.utils.functional import cached_property

from .models import Grant, GrantRole, User

# --- What each role gives ---------------------------------------------------------------------


@dataclass(frozen=True)
class Powers:
    """What holding a role on a unit lets a user do. The reminder flags say which
    messages of the scan reach the holder (reminders.scan, reminders.forms)."""

    everything: bool = False      # read and edit the whole tree; the grant has no unit
    reads_subtree: bool = False   # read the unit and every unit under it
    edits_unit: bool = False      # edit the unit's own congress and milestones
    unit_reminders: bool = False  # "due soon" and "overdue" reminders of the unit's milestones
    escalations: bool = False     # escalations of the units directly under the unit
    own_escalations: bool = False  # escalations of the unit itself (a working group follows it)
    weekly_digest: bool = False   # the weekly digest of the overdue units of the subtree
    # The personnel plan (DOMAIN.md "Personnel plan") is confidential: reading the subtree
    # does not reach it. `reads_personnel` reads and prepares the unit's own plan;
    # `approves_personnel` reads, returns and approves the plans of the units directly under
    # the unit (the superior's standing committee approves them).
    reads_personnel: bool = False
    approves_personnel: bool = False
    # Petitions (DOMAIN.md "Petition") are confidential too: only the handlers of the unit's
    # subtree (and administrators) open a case and read who sent it; reading the subtree,
    # even as the concerned unit's secretary, never reaches one.
    handles_petitions: bool = False
    # Conclusions of the standing committee (DOMAIN.md "Briefing", conclusions app):
    # `keeps_conclusions` records the unit's meetings and conclusions, keeps its bodies
    # (boards, office) and answers the tasks a superior's conclusion gives to the unit;
    # `body_tasks` answers the tasks of the bodies the user is a member of (Scope.body_ids),
    # and reads nothing else; `in_charge` lists the unit on the holder's "my units" page.
    keeps_conclusions: bool = False
    body_tasks: bool = False
    in_charge: bool = False

    def __or__(self, other: Powers) -> Powers:
        return Powers(**{f.name: getattr(self, f.name) or getattr(other, f.name) for f in fields(self)})


POWERS: dict[str, Powers] = {
    GrantRole.VIEWER: Powers(reads_subtree=True, weekly_digest=True),
    GrantRole.SECRETARY: Powers(reads_subtree=True, edits_unit=True, unit_reminders=True, escalations=True,
                                reads_personnel=True, approves_personnel=True, keeps_conclusions=True),
    # A working-group member on a unit they are assigned to follow (DOMAIN.md "Working
    # group"): reads its subtree, is told when its steps are escalated, and gets the weekly
    # digest of its overdue units. Never edits: the unit's secretary keeps its congress.
    GrantRole.FOLLOWS: Powers(reads_subtree=True, own_escalations=True, weekly_digest=True),
    # A petition handler of a unit (the superior's inspection committee): handles the
    # petitions about the unit and every unit under it, and reads the subtree's progress,
    # which the cases are about. Gets the reminders of the cases assigned to them.
    GrantRole.HANDLES_PETITIONS: Powers(reads_subtree=True, handles_petitions=True),
    # A standing committee member in charge of a subordinate unit (seed 002, "phụ trách
    # huyện"): like a working-group follower, reads its subtree, gets its escalations and
    # the weekly digest, and finds it on "my units". Steers; never edits.
    GrantRole.IN_CHARGE: Powers(reads_subtree=True, own_escalations=True, weekly_digest=True, in_charge=True),
    # A member of a board of the unit (Ban Tổ chức Tỉnh ủy …): their bodies' tasks only, not
    # the unit's subtree; the bodies are the user's memberships (Scope.body_ids).
    GrantRole.BODY_MEMBER: Powers(body_tasks=True),
    GrantRole.ADMIN: Powers(everything=True),
}
NO_POWERS = Powers()


def roles_with(power: str) -> list[str]:
    """The roles that give `power` (a field of Powers), in a stable order."""
    return [str(role) for role, powers in POWERS.items() if getattr(powers, power)]


# --- The scope --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Root:
    """A unit at the top of what a user reads."""

    unit_id: int
    path: str
    depth: int


@dataclass(frozen=True)
class Scope:
    """What one user may read and change. Immutable, cheap to test, safe to cache."""

    is_admin: bool = False
    roots: tuple[Root, ...] = ()            # minimal: no root lies under another
    edit_unit_ids: tuple[int, ...] = ()     # the units whose congress the user edits, by path
    roles: frozenset[str] = frozenset()     # the roles the user holds, on any unit
    personnel_unit_ids: tuple[int, ...] = ()  # units whose own personnel plan the user prepares
    approver_unit_ids: tuple[int, ...] = ()   # units whose direct subordinates' plans the user approves
    petition_paths: tuple[str, ...] = ()      # minimal roots of the subtrees whose petitions the user handles
    conclusion_unit_ids: tuple[int, ...] = ()  # units whose conclusions and bodies the user keeps
    in_charge_unit_ids: tuple[int, ...] = ()   # units a standing committee member is in charge of
    body_ids: tuple[int, ...] = ()            # bodies (conclusions.Body) the user is a member of

    # -- what the user holds ---------------------------------------------------------------

    @cached_property
    def powers(self) -> Powers:
        combined = NO_POWERS
        for role in self.roles:
            combined = combined | POWERS.get(role, NO_POWERS)
        return combined

    @property
    def is_empty(self) -> bool:
        """Nothing to read: the user sees the "no scope" page (a board member with no
        other grant reads their tasks: not empty)."""
        return not self.is_admin and not self.roots and not self.body_ids

    @property
    def read_paths(self) -> tuple[str, ...]:
        return tuple(root.path for root in self.roots)

    @property
    def home_unit_id(self) -> int | None:
        """The top of the user's scope (the highest root, the first by path on a tie): the
        "My scope" link. None for an administrator without another grant."""
        if not self.roots:
            return None
        return min(self.roots, key=lambda r: (r.depth, r.path)).unit_id

    @property
    def my_unit_ids(self) -> tuple[int, ...]:
        """The units whose congress the user keeps (secretary grants): "My unit"."""
        return self.edit_unit_ids

    @property
    def follows(self) -> bool:
        """The user follows units for a working group: their home is "my units"."""
        return GrantRole.FOLLOWS.value in self.roles

    @property
    def has_my_units(self) -> bool:
        """The user follows units for a working group or is in charge of units: their home
        is "my units" (workgroups.views.my_units lists both)."""
        return self.follows or bool(self.in_charge_unit_ids)

    @property
    def has_tasks(self) -> bool:
        """The user answers conclusion tasks: of their bodies, or given to their units."""
        return self.is_admin or bool(self.body_ids or self.conclusion_unit_ids)

    @property
    def role_labels(self) -> str:
        return ", ".join(str(GrantRole(role).label) for role in GrantRole.values if role in self.roles)

    # -- queries ---------------------------------------------------------------------------

    def read_q(self, path_field: str = "path") -> Q:
        """A filter for rows whose unit the user may read, through `path_field`: "path" on
        units, "unit__path" on congresses, "congress__unit__path" on milestones."""
        if self.is_admin:
            return Q()
        if not self.roots:
            return Q(pk__in=[])
        q = Q()
        for path in self.read_paths:
            q |= Q(**{f"{path_field}__startswith": path})
        return q

    def edit_q(self, unit_id_field: str = "unit_id") -> Q:
        """A filter for rows whose unit's congress the user may change, through
        `unit_id_field`: "pk" on units, "unit_id" on congresses, "congress__unit_id" on
        milestones."""
        if self.is_admin:
            return Q()
        if not self.edit_unit_ids:
            return Q(pk__in=[])
        return Q(**{f"{unit_id_field}__in": self.edit_unit_ids})

    def top_q(self, levels: int = 2) -> Q:
        """The first `levels` levels of each root's subtree (the whole tree's top for an
        administrator): what the unfiltered unit list shows."""
        if self.is_admin:
            return Q(depth__lt=levels)
        if not self.roots:
            return Q(pk__in=[])
        q = Q()
        for root in self.roots:
            q |= Q(path__startswith=root.path, depth__lt=root.depth + levels)
        return q

    # -- single units ----------------------------------------------------------------------

    def can_read(self, unit) -> bool:
        return self.is_admin or any(unit.path.startswith(path) for path in self.read_paths)

    def can_edit(self, unit) -> bool:
        unit_id = unit if isinstance(unit, int) else unit.pk
        return self.is_admin or unit_id in self.edit_unit_ids

    def mark(self, units: Iterable) -> list:
        """Set `in_scope` on each unit, so breadcrumbs link only to the units the user may
        open (the ancestors above a secretary's own unit are out of scope)."""
        units = list(units)
        for unit in units:
            unit.in_scope = self.can_read(unit)
        return units

    # -- personnel plans (confidential) -------------------------------------------------------

    def personnel_q(self, unit_field: str = "unit") -> Q:
        """A filter for rows (plans, nominees) of the units whose personnel plan the user may
        read, through `unit_field` ("congress__unit" on plans): their own unit's, their
        direct subordinates' as approvers, everything for an administrator. Never the
        subtree a viewer reads."""
        if self.is_admin:
            return Q()
        if not self.personnel_unit_ids and not self.approver_unit_ids:
            return Q(pk__in=[])
        return Q(**{f"{unit_field}_id__in": self.personnel_unit_ids}) | Q(
            **{f"{unit_field}__parent_id__in": self.approver_unit_ids})

    def can_prepare_personnel(self, unit) -> bool:
        """Whether the user prepares (enters, submits) this unit's personnel plan."""
        unit_id = unit if isinstance(unit, int) else unit.pk
        return self.is_admin or unit_id in self.personnel_unit_ids

    def can_approve_personnel(self, unit) -> bool:
        """Whether the user approves or returns this unit's plan: they hold the approver
        power on its parent (the superior unit's secretaries), or are an administrator."""
        return self.is_admin or (unit.parent_id is not None and unit.parent_id in self.approver_unit_ids)

    def can_read_personnel(self, unit) -> bool:
        return self.can_prepare_personnel(unit) or self.can_approve_personnel(unit)

    # -- petitions (confidential) -------------------------------------------------------------

    @property
    def handles_petitions(self) -> bool:
        """The user handles petitions somewhere (or is an administrator): the menu's link."""
        return self.is_admin or bool(self.petition_paths)

    def petitions_q(self, path_field: str = "unit__path") -> Q:
        """A filter for petitions (and rows hanging from them, through `path_field`) that
        the user handles: those about a unit in the subtree of one of their handler grants,
        every one for an administrator. Never what reading the subtree gives."""
        if self.is_admin:
            return Q()
        if not self.petition_paths:
            return Q(pk__in=[])
        q = Q()
        for path in self.petition_paths:
            q |= Q(**{f"{path_field}__startswith": path})
        return q

    def can_handle_petition(self, unit) -> bool:
        """Whether the user opens and works the petitions about `unit`."""
        return self.is_admin or any(unit.path.startswith(path) for path in self.petition_paths)

    # -- conclusions and their tasks (conclusions app) -----------------------------------------

    def can_keep_conclusions(self, unit) -> bool:
        """Whether the user records the unit's meetings and conclusions and keeps its bodies:
        its secretaries (the office records for them) and administrators."""
        unit_id = unit if isinstance(unit, int) else unit.pk
        return self.is_admin or unit_id in self.conclusion_unit_ids

    def task_q(self, prefix: str = "") -> Q:
        """A filter for conclusion tasks (through `prefix`, e.g. "task__" on reports) the user
        may read: every task of a conclusion of a unit they read; a task of a body they are
        a member of; a task given to a unit they keep (or to a subcommittee of its
        congress). A board member does not read another board's tasks unless the
        conclusion's unit is in their scope (issue 16)."""
        if self.is_admin:
            return Q()
        q = self.read_q(f"{prefix}conclusion__unit__path") if self.roots else Q(pk__in=[])
        if self.body_ids:
            q |= Q(**{f"{prefix}body_id__in": self.body_ids})
        if self.conclusion_unit_ids:
            q |= Q(**{f"{prefix}unit_id__in": self.conclusion_unit_ids})
            q |= Q(**{f"{prefix}subcommittee__congress__unit_id__in": self.conclusion_unit_ids})
        return q

    def answers_task_q(self, prefix: str = "") -> Q:
        """Tasks the user answers (reports progress on, closes): a body's members, the
        keepers of the responsible unit (or of the subcommittee's congress), and the keepers
        of the conclusion's unit, who may record what a body told them."""
        if self.is_admin:
            return Q()
        q = Q(pk__in=[])
        if self.body_ids:
            q |= Q(**{f"{prefix}body_id__in": self.body_ids})
        if self.conclusion_unit_ids:
            q |= Q(**{f"{prefix}unit_id__in": self.conclusion_unit_ids})
            q |= Q(**{f"{prefix}subcommittee__congress__unit_id__in": self.conclusion_unit_ids})
            q |= Q(**{f"{prefix}conclusion__unit_id__in": self.conclusion_unit_ids})
        return q

    def my_tasks_q(self) -> Q:
        """The tasks on the user's "my tasks" page: their bodies', and those given to the units
        (or the subcommittees of the congresses) they keep; not every task they may read."""
        q = Q(pk__in=[])
        if self.body_ids:
            q |= Q(body_id__in=self.body_ids)
        if self.conclusion_unit_ids:
            q |= Q(unit_id__in=self.conclusion_unit_ids)
            q |= Q(subcommittee__congress__unit_id__in=self.conclusion_unit_ids)
        return q
    # -- quarterly briefings ----------------------------------------------------------------
    # A unit files its quarterly report to its superior (DOMAIN.md "Briefing"): whoever
    # edits the unit (its secretaries) files it, and whoever edits the unit's parent (the
    # superior's secretaries) answers its proposals and may reopen it. No power of its own:
    # the briefing follows the same line of command as the congress.

    def can_file_report(self, unit) -> bool:
        return self.can_edit(unit)

    def can_answer_reports(self, unit) -> bool:
        """Whether the user answers this unit's proposals and reopens its reports."""
        return self.is_admin or (unit.parent_id is not None and unit.parent_id in self.edit_unit_ids)

    def answers_reports_q(self, unit_field: str = "unit") -> Q:
        """A filter for rows (reports, proposals) of the units whose reports the user
        answers, through `unit_field` ("report__unit" on proposals, "" on units)."""
        if self.is_admin:
            return Q()
        if not self.edit_unit_ids:
            return Q(pk__in=[])
        prefix = f"{unit_field}__" if unit_field else ""
        return Q(**{f"{prefix}parent_id__in": self.edit_unit_ids})

    # -- the cache -------------------------------------------------------------------------

    def to_cache(self) -> tuple:
        # Plain values, not the class: a cached scope survives a deployment that changes it.
        return (self.is_admin, [(r.unit_id, r.path, r.depth) for r in self.roots],
                list(self.edit_unit_ids), sorted(self.roles), list(self.personnel_unit_ids),
                list(self.approver_unit_ids), list(self.petition_paths), list(self.conclusion_unit_ids),
                list(self.in_charge_unit_ids), list(self.body_ids))

    @classmethod
    def from_cache(cls, value: tuple) -> Scope:
        (is_admin, roots, edit_ids, roles, personnel_ids, approver_ids, petition_paths, conclusion_ids,
         in_charge_ids, body_ids) = value
        return cls(is_admin=is_admin, roots=tuple(Root(*r) for r in roots),
                   edit_unit_ids=tuple(edit_ids), roles=frozenset(roles),
                   personnel_unit_ids=tuple(personnel_ids), approver_unit_ids=tuple(approver_ids),
                   petition_paths=tuple(petition_paths), conclusion_unit_ids=tuple(conclusion_ids),
                   in_charge_unit_ids=tuple(in_charge_ids), body_ids=tuple(body_ids))


EMPTY = Scope()
ADMIN = Scope(is_admin=True, roles=frozenset({GrantRole.ADMIN.value}))


def build_scope(grants: Iterable[tuple[str, int | None, str | None, int | None]], *, superuser: bool = False,
                body_ids: Iterable[int] = ()) -> Scope:
    """The scope given by grants as (role, unit id, unit path, unit depth) rows, and the
    bodies the user is a member of (read only for holders of a `body_tasks` role)."""
    roles: set[str] = set()
    is_admin = superuser
    reads: dict[str, Root] = {}
    edits: dict[int, str] = {}
    personnel: set[int] = set()
    approves: set[int] = set()
    petitions: set[str] = set()
    keeps: set[int] = set()
    in_charge: set[int] = set()
    for role, unit_id, path, depth in grants:
        powers = POWERS.get(role)
        if powers is None:  # a role this code no longer knows gives nothing
            continue
        roles.add(role)
        is_admin = is_admin or powers.everything
        if unit_id is None:
            continue
        if powers.reads_subtree:
            reads[path] = Root(unit_id, path, depth)
        if powers.edits_unit:
            edits[unit_id] = path
        if powers.reads_personnel:
            personnel.add(unit_id)
        if powers.approves_personnel:
            approves.add(unit_id)
        if powers.handles_petitions:
            petitions.add(path)
        if powers.keeps_conclusions:
            keeps.add(unit_id)
        if powers.in_charge:
            in_charge.add(unit_id)
    # Minimal prefixes: sorted, a path under a kept one is covered by it. Fixed-width path
    # segments make "starts with" the same as "is under".
    roots: list[Root] = []
    for path in sorted(reads):
        if not any(path.startswith(kept.path) for kept in roots):
            roots.append(reads[path])
    petition_paths: list[str] = []
    for path in sorted(petitions):
        if not any(path.startswith(kept) for kept in petition_paths):
            petition_paths.append(path)
    return Scope(
        is_admin=is_admin,
        roots=tuple(roots),
        edit_unit_ids=tuple(sorted(edits, key=edits.__getitem__)),
        roles=frozenset(roles),
        personnel_unit_ids=tuple(sorted(personnel)),
        approver_unit_ids=tuple(sorted(approves)),
        petition_paths=tuple(petition_paths),
        conclusion_unit_ids=tuple(sorted(keeps)),
        in_charge_unit_ids=tuple(sorted(in_charge)),
        body_ids=tuple(sorted(set(body_ids))) if any(POWERS[r].body_tasks for r in roles) else (),
    )


# Scopes are kept a day at most: a safety net, not the invalidation (the keys are).
SCOPE_TIMEOUT = 24 * 3600
_TREE = "access:tree"
# is_superuser is in the key: it makes an administrator, and the user admin can change it
# without touching the grants.
# v2: the personnel plan's unit ids joined the cached tuple; v3: the petition handlers' paths;
# v4: conclusions, units in charge, bodies.
_SCOPE = "access:scope:v4:{pk}:{version}:{superuser:d}"
_MEMO = "_access_scope"


def _token() -> str:
    return uuid.uuid4().hex[:16]


def scope_for(user) -> Scope:
    """The user's scope: memoised on the user object for the request, cached across
    requests (see the module docstring); one query on a cache miss."""
    if user is None or not user.is_authenticated or not user.is_active:
        return EMPTY
    # The memo remembers the key it was made for: a user object reloaded with
    # refresh_from_db() after a grant change does not keep the old scope.
    key = _key(user)
    memo = getattr(user, _MEMO, None)
    if memo is not None and memo[0] == key:
        return memo[1]
    scope = _cached(user, key)
    setattr(user, _MEMO, (key, scope))
    return scope


def _key(user) -> str:
    return _SCOPE.format(pk=user.pk, version=user.grants_version or "0", superuser=user.is_superuser)


def _tree_token(found: dict) -> str:
    tree = found.get(_TREE)
    if tree is None:
        tree = _token()
        cache.set(_TREE, tree, timeout=None)
    return tree


def _cached(user, key: str) -> Scope:
    found = cache.get_many([_TREE, key])
    tree = _tree_token(found)
    entry = found.get(key)
    if entry is not None and entry[0] == tree:
        return Scope.from_cache(entry[1])
    scope = _compute(user)
    cache.set(key, (tree, scope.to_cache()), timeout=SCOPE_TIMEOUT)
    return scope


def _body_memberships(user_ids: list[int]) -> dict[int, list[int]]:
    """{user id: the bodies they are a member of}. Bodies live in the conclusions app,
    above this one: looked up by name so accounts imports nothing from it. One query,
    asked only for holders of a `body_tasks` role (the conclusions services keep that grant
    and call grants_changed() with every membership change)."""
    from django.apps import apps

    member = apps.get_model("conclusions", "BodyMember")
    found: dict[int, list[int]] = {pk: [] for pk in user_ids}
    for user_id, body_id in member.objects.filter(user_id__in=user_ids).values_list("user_id", "body_id"):
        found[user_id].append(body_id)
    return found


def _needs_bodies(roles: Iterable[str]) -> bool:
    return any(POWERS[r].body_tasks for r in roles if r in POWERS)


def _compute(user) -> Scope:
    rows = list(Grant.objects.filter(user_id=user.pk).values_list("role", "unit_id", "unit__path", "unit__depth"))
    bodies = _body_memberships([user.pk])[user.pk] if _needs_bodies(r[0] for r in rows) else []
    return build_scope(rows, superuser=user.is_superuser, body_ids=bodies)


def prime(users: Iterable[User]) -> None:
    """Memoise the scopes of many users with one query, bypassing the cache: for code that
    handles many users at once (a batch of reminder emails names each recipient's scope)."""
    todo = [u for u in users if u is not None and u.is_active and getattr(u, _MEMO, (None,))[0] != _key(u)]
    if not todo:
        return
    rows: dict[int, list[tuple]] = {u.pk: [] for u in todo}
    grants = Grant.objects.filter(user_id__in=list(rows)).values_list(
        "user_id", "role", "unit_id", "unit__path", "unit__depth")
    for user_id, *row in grants:
        rows[user_id].append(tuple(row))
    members = [pk for pk, found in rows.items() if _needs_bodies(r[0] for r in found)]
    bodies = _body_memberships(members) if members else {}
    for user in todo:
        setattr(user, _MEMO, (_key(user), build_scope(rows[user.pk], superuser=user.is_superuser,
                                                      body_ids=bodies.get(user.pk, ()))))


def forget(user) -> None:
    """Drop the scope memoised on this user object (after its grants changed)."""
    if hasattr(user, _MEMO):
        delattr(user, _MEMO)


def grants_changed(user: User) -> Scope:
    """Give the user a new grants version, in the caller's transaction: their cached scope
    is unreachable from the moment the grant write commits, never before.

    The new scope is computed now and cached under the new key, so the user's next
    request does not pay for it (dashboards have a pinned query count). This needs no
    on-commit hook: the key contains the new version, which nobody can read before the
    commit, and which nobody ever reads if the transaction rolls back. It is computed
    after the UPDATE, which holds the user row's lock: a concurrent grant change of the
    same user waits, and its grants are seen once it commits.
    """
    user.grants_version = _token()
    User.objects.filter(pk=user.pk).update(grants_version=user.grants_version)
    scope = _compute(user)
    tree = _tree_token(cache.get_many([_TREE]))
    key = _key(user)
    cache.set(key, (tree, scope.to_cache()), timeout=SCOPE_TIMEOUT)
    setattr(user, _MEMO, (key, scope))
    return scope


def tree_changed(**kwargs) -> None:
    """Unit paths changed (a move, an import): every cached scope is stale. Receives
    `committees.signals.tree_reshaped`, which the tree sends after the commit."""
    cache.set(_TREE, _token(), timeout=None)


# --- SQL for the reminder scan ----------------------------------------------------------------
# The scan is set-based SQL (reminders.scan): these fragments say "who holds a role with
# this power on that unit" and "whose grants with this power cover that unit" in SQL.

G = Grant._meta.db_table
A = User._meta.db_table


def _in(values: list[str]) -> str:
    return ", ".join(["%s"] * len(values))


def sql_holders(unit_expr: str, power: str) -> tuple[str, list]:
    """JOINs that bind `a` (the recipient) to every user holding a role with `power` on
    the unit `unit_expr` (a column of the enclosing query). Answered by the (role, unit)
    index. A user holding two such roles on the unit gets two rows; the scan's unique
    keys keep one line."""
    roles = roles_with(power)
    return (
        f"JOIN {G} ag ON ag.unit_id = {unit_expr} AND ag.role IN ({_in(roles)}) JOIN {A} a ON a.id = ag.user_id",
        roles,
    )


def sql_read_roots(power: str) -> tuple[str, list]:
    """A derived table (user_id, path): for each user, the minimal roots of their grants
    with `power` (e.g. the viewers' subtrees for the weekly digest). Minimal, like
    Scope.roots: a unit lies under at most one root per user, so joining a unit path with
    `LIKE (path || '%')` yields each (user, unit) once."""
    from committees.models import Unit

    U = Unit._meta.db_table
    roles = roles_with(power)
    sql = (
        f"(SELECT rg.user_id AS user_id, ru.path AS path FROM {G} rg JOIN {U} ru ON ru.id = rg.unit_id"
        f" WHERE rg.role IN ({_in(roles)}) AND NOT EXISTS ("
        f"SELECT 1 FROM {G} og JOIN {U} ou2 ON ou2.id = og.unit_id"
        f" WHERE og.user_id = rg.user_id AND og.role IN ({_in(roles)})"
        f" AND ru.path LIKE (ou2.path || '%%') AND ou2.path <> ru.path)"
        f" GROUP BY rg.user_id, ru.path)"
    )
    return sql, [*roles, *roles]


__all__ = [
    "ADMIN", "EMPTY", "POWERS", "Powers", "Root", "Scope", "build_scope", "forget", "grants_changed", "prime",
    "roles_with", "scope_for", "sql_holders", "sql_read_roots", "tree_changed",
]
