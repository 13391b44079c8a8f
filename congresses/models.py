"""Terms, their plans, and each unit's congress with its milestones (DOMAIN.md "Term",
"Congress", "Plan and milestones")."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from committees.models import Level
from progress.models import TermRollupRow

from .querysets import CongressQuerySet, MilestoneQuerySet, SubcommitteeQuerySet

# Bounds on what users type, so that a slip of the keyboard is refused with a message on
# the field instead of skewing every count (issue 9, point 8).
# The party was founded in 1930: no term of its committees starts earlier; 2100 catches a
# year typed with a digit too many.
FIRST_TERM_YEAR, LAST_TERM_YEAR = 1930, 2100
# Terms last five years (sub-grassroots cells had 2½-year terms, e.g. 2020–2022): a term of
# more than ten years is a typing mistake.
MAX_TERM_YEARS = 10
# Congresses of a term are held in its first year or just before it: in the 2020–2025
# round the pilot grassroots congresses started in 2019 (Chỉ thị 35-CT/TW is of 30/5/2019)
# and the plans were issued in 2019. A date from 1 January of the year before the first
# year is therefore accepted, anything earlier belongs to the previous term.
TERM_EARLY_YEARS = 1
# "Lần thứ I" is the first congress; the oldest committees (founded 1930, a congress at
# most every 2½ years) are below the 40th, so 100 only catches a slip.
MAX_ORDINAL = 100
# The largest executive committee is the Central Committee: 180 members (200 with the
# alternates, XIII Congress, 2021).
MAX_EXECUTIVE_SEATS = 200
# A plan step falls due at most two years before or after its congress (the default plan
# spans 90 days before to 7 days after).
MAX_OFFSET_DAYS = 730


def today() -> dt.date:
    """Today where the users are (TIME_ZONE, Asia/Ho_Chi_Minh): what "in the future" means."""
    return timezone.localdate()


def _short(day: dt.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def future_error(day: dt.date | None, what: str) -> str | None:
    """A date that says something has happened (done, held, registered) is on or before
    today (issue 9, point 7); `what` names the field."""
    now = today()
    if day is not None and day > now:
        return _("The %(field)s, %(date)s, is after today (%(today)s): enter it once it has happened.") % {
            "field": what, "date": _short(day), "today": _short(now)}
    return None


class Term(models.Model):
    """A term (nhiệm kỳ), e.g. 2025–2030, with its guiding documents and the deadline by
    which each level must hold its congress. A term covers some levels (none listed: every
    level): sub-grassroots units may have shorter terms of their own (seed 001: chi bộ
    2020–2022 under a province on 2020–2025), so several terms can be current at once, at
    most one for each level (`congresses.selectors.current_terms`)."""

    name = models.CharField(_("name"), max_length=32, unique=True, help_text=_("e.g. 2025–2030"))
    start_year = models.PositiveSmallIntegerField(
        _("first year"), validators=[MinValueValidator(FIRST_TERM_YEAR), MaxValueValidator(LAST_TERM_YEAR)]
    )
    end_year = models.PositiveSmallIntegerField(
        _("last year"), validators=[MinValueValidator(FIRST_TERM_YEAR), MaxValueValidator(LAST_TERM_YEAR)]
    )
    is_current = models.BooleanField(
        _("current term"), default=False,
        help_text=_("The term the portal shows for the levels it covers. At most one current term per level."),
    )
    levels = models.JSONField(
        _("levels"), default=list, blank=True,
        help_text=_("The levels whose congresses this term covers; none chosen means every level."),
    )
    guiding_documents = models.ManyToManyField(
        "documents.Document", verbose_name=_("guiding documents"), related_name="terms", blank=True
    )

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["-start_year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("start_year")), name="term_years_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def covers(self, level: str) -> bool:
        """Whether congresses of `level` belong to this term."""
        return not self.levels or level in self.levels

    @property
    def covered_levels(self) -> list[str]:
        return [lv for lv in Level.values if self.covers(lv)]

    @property
    def earliest_date(self) -> dt.date | None:
        """The first day a date of this term may fall on (TERM_EARLY_YEARS says why)."""
        return dt.date(self.start_year - TERM_EARLY_YEARS, 1, 1) if self.start_year else None

    @property
    def latest_date(self) -> dt.date | None:
        """The last day of the term's last year."""
        return dt.date(self.end_year, 12, 31) if self.end_year else None

    def window_error(self, day: dt.date | None, what: str) -> str | None:
        """A date of this term's congresses (planned, registered, held, done, due, a
        deadline) falls between `earliest_date` and `latest_date`; `what` names the field."""
        if day is None or not self.start_year or not self.end_year:
            return None
        if day < self.earliest_date:
            return _("The %(field)s, %(date)s, is long before the term %(term)s starts: dates from %(first)s "
                     "are accepted.") % {"field": what, "date": _short(day), "term": self.name,
                                         "first": _short(self.earliest_date)}
        if day > self.latest_date:
            return _("The %(field)s, %(date)s, is after the term %(term)s ends (%(last)s).") % {
                "field": what, "date": _short(day), "term": self.name, "last": _short(self.latest_date)}
        return None

    def clean(self) -> None:
        unknown = set(self.levels or []) - set(Level.values)
        if not isinstance(self.levels, list) or unknown:
            raise ValidationError({"levels": _("Choose levels among: %s") % ", ".join(Level.values)})
        if self.start_year and self.end_year:
            if self.end_year < self.start_year:
                raise ValidationError({"end_year": _("The last year comes before the first year.")})
            if self.end_year - self.start_year > MAX_TERM_YEARS:
                raise ValidationError({"end_year": _(
                    "A term lasts at most %(n)d years; check the first and the last year."
                ) % {"n": MAX_TERM_YEARS}})
        if self.is_current:
            # At most one current term per level; checked here (and by the admin's form)
            # because a JSON list cannot carry a unique constraint.
            others = Term.objects.filter(is_current=True).exclude(pk=self.pk)
            clash = sorted({lv for other in others for lv in self.covered_levels if other.covers(lv)},
                           key=Level.values.index)
            if clash:
                raise ValidationError({"is_current": _(
                    "Another current term already covers these levels: %(levels)s. Make it not current, "
                    "or choose other levels."
                ) % {"levels": ", ".join(str(Level(lv).label) for lv in clash)}})

    def deadline_for(self, level: str) -> dt.date | None:
        for deadline in self.level_deadlines.all():
            if deadline.level == level:
                return deadline.deadline
        return None


class LevelDeadline(models.Model):
    """The date by which every unit of a level must have held its congress in a term
    (seed 001: the bloc congress before 15/8/2020)."""

    term = models.ForeignKey(
        Term, verbose_name=_("term"), related_name="level_deadlines", on_delete=models.CASCADE
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    deadline = models.DateField(_("deadline"))

    class Meta:
        verbose_name = _("level deadline")
        verbose_name_plural = _("level deadlines")
        ordering = ["term", "deadline"]
        constraints = [
            models.UniqueConstraint(fields=["term", "level"], name="leveldeadline_term_level_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.deadline:%d/%m/%Y}"

    def clean(self) -> None:
        term = self.term if self.term_id or "term" in self._state.fields_cache else None
        if term is None:
            return
        errors = {}
        if self.level and not term.covers(self.level):
            errors["level"] = _("The term %(term)s does not cover the level “%(level)s”.") % {
                "term": term.name, "level": Level(self.level).label}
        if error := term.window_error(self.deadline, str(self._meta.get_field("deadline").verbose_name)):
            errors["deadline"] = error
        if errors:
            raise ValidationError(errors)


class DueRule(models.TextChoices):
    FIXED = "fixed", _("On a fixed date")
    BEFORE = "before", _("N days before the congress")
    AFTER = "after", _("N days after the congress")


class PlanSource(models.TextChoices):
    """Where a new term's plan comes from (`congresses.services.term_start`)."""

    DEFAULT = "default", _("The default plan of the portal")
    COPY = "copy", _("A copy of another term's plan and level deadlines")
    EMPTY = "empty", _("No steps: I will enter the plan myself")


class StepEffect(models.TextChoices):
    """What completing a step says about the congress itself, so the two never disagree."""

    NONE = "", _("None")
    REGISTER = "register", _("Records the date registered with the superior")
    HOLD = "hold", _("Marks the congress as held")


class PlanStep(models.Model):
    """One step of a term's plan (kế hoạch): each congress of a level the step applies to
    gets one milestone for it."""

    term = models.ForeignKey(
        Term, verbose_name=_("term"), related_name="steps", on_delete=models.CASCADE
    )
    code = models.SlugField(_("code"), max_length=32)
    title = models.CharField(_("title"), max_length=255)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    levels = models.JSONField(
        _("levels"), default=list, help_text=_("The levels whose congresses have this step.")
    )
    due_rule = models.CharField(
        _("due rule"), max_length=8, choices=DueRule.choices, default=DueRule.BEFORE
    )
    due_date = models.DateField(_("fixed due date"), null=True, blank=True)
    offset_days = models.PositiveSmallIntegerField(
        _("days"), default=0, validators=[MaxValueValidator(MAX_OFFSET_DAYS)],
        help_text=_("For a step due before or after the congress: how many days."),
    )
    effect = models.CharField(
        _("effect on the congress"), max_length=16, choices=StepEffect.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = _("plan step")
        verbose_name_plural = _("plan steps")
        ordering = ["term", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["term", "code"], name="planstep_term_code_uniq"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        unknown = set(self.levels or []) - set(Level.values)
        if not isinstance(self.levels, list) or unknown:
            raise ValidationError({"levels": _("Choose levels among: %s") % ", ".join(Level.values)})
        if self.due_rule == DueRule.FIXED and self.due_date is None:
            raise ValidationError({"due_date": _("A step due on a fixed date needs that date.")})
        if self.due_rule != DueRule.FIXED and self.due_date is not None:
            raise ValidationError({"due_date": _(
                "A step due relative to the congress has no fixed due date: clear it, or choose "
                "“on a fixed date”.")})
        term = self.term if self.term_id or "term" in self._state.fields_cache else None
        if term is not None and (error := term.window_error(
                self.due_date, str(self._meta.get_field("due_date").verbose_name))):
            raise ValidationError({"due_date": error})

    def applies_to(self, level: str) -> bool:
        return level in (self.levels or [])

    def compute_due(self, congress_date: dt.date | None) -> dt.date | None:
        """The due date of this step for a congress held on `congress_date`."""
        if self.due_rule == DueRule.FIXED:
            return self.due_date
        if congress_date is None:
            return None
        delta = dt.timedelta(days=self.offset_days)
        return congress_date - delta if self.due_rule == DueRule.BEFORE else congress_date + delta

    @property
    def is_relative(self) -> bool:
        return self.due_rule != DueRule.FIXED


class ChangeRecorded(models.Model):
    """Who changed a row last, and when; each change is also a history row
    (django-simple-history), written by the services with the acting user."""

    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), related_name="+",
        on_delete=models.SET_NULL, null=True, blank=True,
    )
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        abstract = True


class CongressStatus(models.TextChoices):
    PREPARING = "preparing", _("Preparing")
    HELD = "held", _("Held")
    POSTPONED = "postponed", _("Postponed")


class Light(models.TextChoices):
    """The traffic light of a unit's preparation on a dashboard row (dashboards.selectors
    says why each one is given)."""

    ON_TRACK = "on_track", _("on track")
    AT_RISK = "at_risk", _("at risk")
    LATE = "late", _("late")


ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
         (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def to_roman(n: int) -> str:
    out = []
    for value, numeral in ROMAN:
        while n >= value:
            out.append(numeral)
            n -= value
    return "".join(out)


class Congress(ChangeRecorded):
    """A unit's congress (đại hội) in a term: one per unit per term."""

    unit = models.ForeignKey(
        "committees.Unit", verbose_name=_("unit"), related_name="congresses", on_delete=models.PROTECT
    )
    term = models.ForeignKey(
        Term, verbose_name=_("term"), related_name="congresses", on_delete=models.PROTECT
    )
    ordinal = models.PositiveSmallIntegerField(
        _("ordinal"), null=True, blank=True, help_text=_("The congress number, e.g. 9 for “lần thứ IX”."),
        validators=[
            MinValueValidator(1, message=_("The ordinal starts at 1 (the first congress, “lần thứ I”).")),
            MaxValueValidator(MAX_ORDINAL, message=_("The ordinal is at most %(limit_value)s.")),
        ],
    )
    planned_date = models.DateField(_("congress date"), null=True, blank=True)
    registered_on = models.DateField(
        _("date registered with the superior"), null=True, blank=True,
        help_text=_("When the congress date was registered with the superior unit."),
    )
    held_on = models.DateField(_("date held"), null=True, blank=True)
    is_pilot = models.BooleanField(_("pilot congress"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=CongressStatus.choices, default=CongressStatus.PREPARING
    )
    executive_seats_elected = models.PositiveSmallIntegerField(
        _("executive committee members elected"), null=True, blank=True,
        validators=[
            MinValueValidator(1, message=_(
                "At least one member is elected; leave the number of members elected empty when no "
                "executive committee was elected.")),
            MaxValueValidator(MAX_EXECUTIVE_SEATS, message=_(
                "At most %(limit_value)s members (the Central Committee has 180, 200 with alternates).")),
        ],
    )
    secretary_elected_directly = models.BooleanField(
        _("secretary elected directly at the congress"), null=True, blank=True
    )
    secretary_vote_share = models.DecimalField(
        _("secretary's vote share (%)"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    note = models.TextField(_("note"), blank=True)
    before_subordinates = models.BooleanField(
        _("dated before a subordinate's congress"), default=False, editable=False,
        help_text=_("Kept by the roll-ups: the congress is dated before the congress of one of "
                    "the unit's direct subordinates, against the bottom-up order."),
    )
    history = HistoricalRecords(excluded_fields=["updated_at", "before_subordinates"])
    objects = CongressQuerySet.as_manager()

    class Meta:
        verbose_name = _("congress")
        verbose_name_plural = _("congresses")
        ordering = ["term", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "term"], name="congress_unit_term_uniq"),
            models.CheckConstraint(
                condition=~models.Q(status=CongressStatus.HELD) | models.Q(held_on__isnull=False),
                name="congress_held_has_date",
            ),
        ]
        indexes = [models.Index(fields=["term", "planned_date"], name="congress_term_date_idx")]

    def __str__(self) -> str:
        return f"{self.unit} — {self.term}"

    def get_absolute_url(self) -> str:
        return reverse("congresses:congress_detail", kwargs={"pk": self.pk})

    @property
    def ordinal_roman(self) -> str:
        return to_roman(self.ordinal) if self.ordinal else ""

    @property
    def counts_on(self) -> dt.date | None:
        """The date the congress counts on everywhere (calendar, lists, checks, rows): the
        day it was held, or else the day it is planned for. `counts_on_expr` in queries."""
        return self.held_on or self.planned_date

    @staticmethod
    def counts_on_expr(prefix: str = "") -> Coalesce:
        """`counts_on` as a query expression; `prefix` reaches the congress through a
        relation (`"c__"` for a FilteredRelation named c)."""
        return Coalesce(f"{prefix}held_on", f"{prefix}planned_date", output_field=models.DateField())

    @property
    def is_held(self) -> bool:
        return self.status == CongressStatus.HELD

    def _label(self, name: str) -> str:
        return str(self._meta.get_field(name).verbose_name)

    def date_errors(self) -> dict[str, str]:
        """What is wrong with the congress's dates (issue 9, points 7 and 8), by field: a
        date held or registered in the future, a date outside its term, a date registered
        after the congress date. Shared by `clean()` and by a "register" or "hold"
        milestone that writes its date onto the congress (services.milestone_update)."""
        errors: dict[str, str] = {}
        for name in ("held_on", "registered_on"):
            if error := future_error(getattr(self, name), self._label(name)):
                errors[name] = error
        term = self.term if self.term_id or "term" in self._state.fields_cache else None
        if term is not None:
            for name in ("planned_date", "registered_on", "held_on"):
                if name not in errors and (error := term.window_error(getattr(self, name), self._label(name))):
                    errors[name] = error
        # The date is registered with the superior ahead of the congress (DOMAIN.md "Plan
        # and milestones"); registered after the day the congress counts on is a mistake in
        # one of the two dates.
        if self.registered_on and self.counts_on and self.registered_on > self.counts_on and "registered_on" not in errors:
            errors["registered_on"] = _(
                "The date registered with the superior, %(registered)s, is after the congress date, %(date)s."
            ) % {"registered": _short(self.registered_on), "date": _short(self.counts_on)}
        return errors

    def clean(self) -> None:
        errors = self.date_errors()
        if self.status == CongressStatus.HELD and not self.held_on:
            errors["held_on"] = _("A congress that has been held needs the date it was held.")
        if self.held_on and self.status != CongressStatus.HELD:
            errors["status"] = _("A congress with a date held has the status “held”.")
        if self.secretary_vote_share is not None and not self.secretary_elected_directly:
            errors["secretary_vote_share"] = _(
                "The vote share applies when the secretary is elected directly at the congress."
            )
        # Results are those of a congress that has taken place.
        if self.status != CongressStatus.HELD:
            for name in ("executive_seats_elected", "secretary_elected_directly", "secretary_vote_share"):
                if getattr(self, name) is not None and name not in errors:
                    errors[name] = _("The %(field)s is recorded once the congress has been held.") % {
                        "field": self._label(name)}
        if errors:
            raise ValidationError(errors)


class MilestoneStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    BLOCKED = "blocked", _("Blocked")


def evidence_upload_to(instance: "Milestone", filename: str) -> str:
    return f"evidence/{instance.congress.term_id}/{instance.congress.unit_id}/{filename}"


class Milestone(ChangeRecorded):
    """One step of the plan for one congress: due date, status, when it was done and the
    evidence (a document number such as 05-KH/ĐU and/or a file)."""

    congress = models.ForeignKey(
        Congress, verbose_name=_("congress"), related_name="milestones", on_delete=models.CASCADE
    )
    step = models.ForeignKey(
        PlanStep, verbose_name=_("step"), related_name="milestones", on_delete=models.PROTECT
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=MilestoneStatus.choices, default=MilestoneStatus.NOT_STARTED
    )
    done_on = models.DateField(_("date done"), null=True, blank=True)
    evidence_number = models.CharField(
        _("document number"), max_length=64, blank=True, help_text=_("e.g. 05-KH/ĐU")
    )
    evidence_file = models.FileField(
        _("evidence file"), upload_to=evidence_upload_to, max_length=255, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["congress", "step__order"]
        constraints = [
            models.UniqueConstraint(fields=["congress", "step"], name="milestone_congress_step_uniq"),
            models.CheckConstraint(
                condition=~models.Q(status=MilestoneStatus.DONE) | models.Q(done_on__isnull=False),
                name="milestone_done_has_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_date"], name="milestone_status_due_idx")]

    def __str__(self) -> str:
        return f"{self.step} — {self.congress.unit}"

    @property
    def is_done(self) -> bool:
        return self.status == MilestoneStatus.DONE

    def is_overdue(self, today: dt.date) -> bool:
        return not self.is_done and self.due_date is not None and self.due_date < today

    def clean(self) -> None:
        if self.status == MilestoneStatus.DONE and not self.done_on:
            raise ValidationError({"done_on": _("Give the date the step was done.")})
        if self.done_on and self.status != MilestoneStatus.DONE:
            raise ValidationError({"status": _("A step with a date done has the status “done”.")})
        label = str(self._meta.get_field("done_on").verbose_name)
        if error := future_error(self.done_on, label):
            raise ValidationError({"done_on": error})
        congress = self.congress if self.congress_id or "congress" in self._state.fields_cache else None
        if congress is not None and (error := congress.term.window_error(self.done_on, label)):
            raise ValidationError({"done_on": error})


# ---------------------------------------------------------------------------------------
# Subcommittees (DOMAIN.md "Subcommittee", issue 11 point 7).


class SubcommitteeKind(models.TextChoices):
    """The usual subcommittees of a congress (tiểu ban); "other" takes the name the unit gives."""

    DOCUMENTS = "documents", _("Documents")
    PERSONNEL = "personnel", _("Personnel")
    ORGANISATION = "organisation", _("Organisation and service")
    PROPAGANDA = "propaganda", _("Propaganda")
    OTHER = "other", _("Other")


class SubcommitteeRole(models.TextChoices):
    HEAD = "head", _("Head")
    DEPUTY = "deputy", _("Deputy head")
    MEMBER = "member", _("Member")


class Subcommittee(ChangeRecorded):
    """A subcommittee (tiểu ban) a unit sets up to prepare its congress: documents,
    personnel, organisation and service, propaganda, or another the unit names; set up by
    the unit's decision (number and date), with a head and members recorded by name and
    position. Written only by `congresses.services.subcommittee_*`, which keep the
    "subcommittees set up" count and milestone."""

    congress = models.ForeignKey(
        Congress, verbose_name=_("congress"), related_name="subcommittees", on_delete=models.PROTECT
    )
    kind = models.CharField(_("kind"), max_length=16, choices=SubcommitteeKind.choices)
    name = models.CharField(
        _("name"), max_length=255, blank=True,
        help_text=_("For another subcommittee: its name, e.g. “Security and medical service”."),
    )
    decision_number = models.CharField(_("decision number"), max_length=64, help_text=_("e.g. 12-QĐ/ĐU"))
    decision_date = models.DateField(_("decision date"))
    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = SubcommitteeQuerySet.as_manager()

    class Meta:
        verbose_name = _("subcommittee")
        verbose_name_plural = _("subcommittees")
        ordering = ["congress", "kind", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["congress", "kind"], condition=~models.Q(kind="other"), name="subcommittee_one_per_kind",
                violation_error_message=_("The congress already has a subcommittee of this kind."),
            ),
            models.UniqueConstraint(
                fields=["congress", "name"], condition=models.Q(kind="other"), name="subcommittee_other_name_uniq",
                violation_error_message=_("The congress already has a subcommittee with this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.name if self.kind == SubcommitteeKind.OTHER and self.name else str(self.get_kind_display())

    def clean(self) -> None:
        errors = {}
        if self.kind == SubcommitteeKind.OTHER and not self.name.strip():
            errors["name"] = _("Give the name of the subcommittee.")
        label = str(self._meta.get_field("decision_date").verbose_name)
        if error := future_error(self.decision_date, label):
            errors["decision_date"] = error
        congress = self.congress if self.congress_id or "congress" in self._state.fields_cache else None
        if "decision_date" not in errors and congress is not None and (
                error := congress.term.window_error(self.decision_date, label)):
            errors["decision_date"] = error
        if errors:
            raise ValidationError(errors)


class SubcommitteeMember(models.Model):
    """A person in a subcommittee, by name and position (they need not use the portal)."""

    subcommittee = models.ForeignKey(
        Subcommittee, verbose_name=_("subcommittee"), related_name="members", on_delete=models.PROTECT
    )
    full_name = models.CharField(_("full name"), max_length=255)
    position = models.CharField(_("position"), max_length=255, blank=True)
    role = models.CharField(_("role in the subcommittee"), max_length=16, choices=SubcommitteeRole.choices,
                            default=SubcommitteeRole.MEMBER)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("subcommittee member")
        verbose_name_plural = _("subcommittee members")
        ordering = ["subcommittee", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.position})" if self.position else self.full_name


class SubcommitteeCount(TermRollupRow):
    """Congresses of a term below `unit` whose subcommittees are set up (at least one
    entered), by the level of the unit holding them: "subcommittees set up: 57/60", of
    CongressCount's congresses with the same key."""

    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    set_up = models.IntegerField(_("congresses with subcommittees set up"), default=0)

    class Meta:
        verbose_name = _("subcommittee count")
        constraints = [models.UniqueConstraint(fields=["unit", "term", "level"], name="subcommitteecount_uniq")]
