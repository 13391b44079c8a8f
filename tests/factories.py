"""factory_boy factories. Rows whose invariants live in a service are created through that
service, so a test never builds a state the portal itself could not reach:

- units through `committees.services.unit_create` (the path contains the unit's own pk);
- terms get the default plan (`congresses.services.plan_apply_default`) and level deadlines;
- plan steps through `congresses.services.plan_step_add` (opened congresses get milestones);
- congresses through `congresses.services.congress_create` (one milestone per step);
- users' grants through `accounts.services.grant_add` (their cached scope stays current).
"""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory, Password

from accounts.models import Role, User
from accounts.services import grant_add
from committees.models import Level, Unit
from committees.services import unit_create
from congresses.models import Congress, DueRule, LevelDeadline, PlanStep, Term
from congresses.services import congress_create, plan_apply_default, plan_step_add
from personnel import services as personnel_services
from personnel.models import Nominee, PersonnelPlan
from petitions import services as petition_services
from petitions.models import Petition

PASSWORD = "Mat-khau-thu-2025!"


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"U{n:05d}")
    name = factory.Sequence(lambda n: f"Chi bộ {n}")
    level = Level.GRASSROOTS
    kind = ""
    parent = None
    is_active = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # The path is "<ancestors' segments><own pk>": only the service can write it.
        return unit_create(**kwargs)


def default_deadlines(start_year: int) -> dict[str, dt.date]:
    """Bottom-up deadlines in the first year of a term, as in the 2025–2030 round: cells
    first, then grassroots, communes and blocs, the province last."""
    return {
        Level.SUB: dt.date(start_year, 5, 31),
        Level.GRASSROOTS: dt.date(start_year, 6, 30),
        Level.UPPER: dt.date(start_year, 8, 31),
        Level.PROVINCE: dt.date(start_year, 10, 31),
    }


class TermFactory(DjangoModelFactory):
    """A term with the default plan and the level deadlines of `default_deadlines`.
    `TermFactory(plan=False)` makes a term without steps; `deadlines={...}` replaces the
    deadlines (an empty dict for none)."""

    class Meta:
        model = Term
        skip_postgeneration_save = True

    start_year = factory.Sequence(lambda n: 2025 + 5 * n)
    end_year = factory.LazyAttribute(lambda o: o.start_year + 5)
    name = factory.LazyAttribute(lambda o: f"{o.start_year}–{o.end_year}")
    is_current = True

    @factory.post_generation
    def plan(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            plan_apply_default(term=obj)

    @factory.post_generation
    def deadlines(obj, create, extracted, **kwargs):
        if not create:
            return
        wanted = default_deadlines(obj.start_year) if extracted is None else extracted
        for level, deadline in wanted.items():
            LevelDeadline.objects.create(term=obj, level=level, deadline=deadline)


class PlanStepFactory(DjangoModelFactory):
    class Meta:
        model = PlanStep

    term = factory.SubFactory(TermFactory, plan=False, is_current=False)
    code = factory.Sequence(lambda n: f"step-{n}")
    title = factory.Sequence(lambda n: f"Step {n}")
    order = factory.Sequence(lambda n: 1000 + n)
    levels = factory.LazyFunction(lambda: list(Level.values))
    due_rule = DueRule.BEFORE
    offset_days = 30
    due_date = None

    @classmethod
    def _create(cls, model_class, *args, user=None, **kwargs):
        # Through the service: congresses already opened in the term get its milestones.
        return plan_step_add(user=user, **kwargs).step


def _current_term() -> Term:
    return Term.objects.filter(is_current=True).first() or TermFactory()


class CongressFactory(DjangoModelFactory):
    """A congress opened through the service, with its milestones. Pass `user=` to name
    who opened it in the history."""

    class Meta:
        model = Congress

    unit = factory.SubFactory(UnitFactory)
    term = factory.LazyFunction(_current_term)
    planned_date = None
    is_pilot = False
    ordinal = None
    registered_on = None

    @classmethod
    def _create(cls, model_class, *args, user=None, **kwargs):
        return congress_create(user=user, **kwargs).congress


class UserFactory(DjangoModelFactory):
    """A user and their grants, given through the grant service (accounts.services):
    `role=` and `unit=` for the one grant of the classic factories (a viewer without a
    unit gets none), or `grants=[("secretary", unit_x), ("viewer", unit_y)]` for several."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = Password(PASSWORD)
    role = Role.VIEWER
    unit = None
    grants = ()
    is_active = True

    @classmethod
    def _split(cls, kwargs: dict) -> list[tuple[str, Unit | None]]:
        role, unit, grants = kwargs.pop("role", None), kwargs.pop("unit", None), kwargs.pop("grants", ())
        wanted = list(grants)
        if role == Role.ADMIN or (role is not None and unit is not None):
            wanted.insert(0, (role, unit))
        return wanted

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        cls._split(kwargs)
        return super()._build(model_class, *args, **kwargs)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        wanted = cls._split(kwargs)
        user = super()._create(model_class, *args, **kwargs)
        for role, unit in wanted:
            grant_add(user=user, role=role, unit=unit)
        return user


class ViewerFactory(UserFactory):
    role = Role.VIEWER


class SecretaryFactory(UserFactory):
    role = Role.SECRETARY
    unit = factory.SubFactory(UnitFactory)


class AdminFactory(UserFactory):
    role = Role.ADMIN
    is_staff = True


class PersonnelPlanFactory(DjangoModelFactory):
    """A personnel plan opened through the service (personnel.services.plan_create)."""

    class Meta:
        model = PersonnelPlan

    congress = factory.SubFactory(CongressFactory)
    executive_seats = 15
    standing_seats = 5
    deputy_seats = 2
    inspection_seats = 5
    delegation_seats = 10

    @classmethod
    def _create(cls, model_class, *args, user=None, congress=None, **kwargs):
        return personnel_services.plan_create(congress=congress, user=user, data=kwargs)


class NomineeFactory(DjangoModelFactory):
    """A nominee added through the service (encrypted, the plan's checks recomputed)."""

    class Meta:
        model = Nominee

    plan = factory.SubFactory(PersonnelPlanFactory)
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Đề Cử {n}")
    date_of_birth = dt.date(1975, 5, 1)
    gender = "male"
    ethnicity = "Kinh"
    education = "Đại học"
    political_theory = "Cao cấp"
    current_position = "Phó Chủ tịch UBND xã"
    renominated = False
    bodies = factory.LazyFunction(lambda: ["executive"])

    @classmethod
    def _create(cls, model_class, *args, user=None, plan=None, **kwargs):
        return personnel_services.nominee_add(plan=plan, user=user, data=kwargs)


class HandlerFactory(UserFactory):
    """A petition handler (the inspection committee) of `unit` and its subtree."""

    role = Role.HANDLES_PETITIONS
    unit = factory.SubFactory(UnitFactory)


class PetitionFactory(DjangoModelFactory):
    """A petition registered through the service (petitions.services.petition_register):
    anonymous unless `sender={"full_name": …}` is given; `user=` is who registers it (an
    administrator by default)."""

    class Meta:
        model = Petition

    unit = factory.SubFactory(UnitFactory)
    received_on = factory.LazyFunction(lambda: timezone.localdate())
    channel = "post"
    kind = "complaint"
    summary = factory.Sequence(lambda n: f"Nội dung đơn {n}")

    @classmethod
    def _create(cls, model_class, *args, user=None, sender=None, **kwargs):
        user = user or User.objects.filter(grants__role=Role.ADMIN).first() or AdminFactory()
        return petition_services.petition_register(user=user, anonymous=not sender, sender=sender, **kwargs)
