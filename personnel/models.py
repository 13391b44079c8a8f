"""Personnel plans (DOMAIN.md "Personnel plan"): the seats of a congress's bodies, the
composition targets, the nominees, the superior's approval, and the results.

The nominees' personal fields are encrypted at rest (personnel.fields); who may read a plan
is decided by accounts.access (`Scope.personnel_q`), and every read is logged (`PlanRead`).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from committees.models import Level

from .fields import EncryptedCharField, EncryptedDateField, EncryptedTextField
from .querysets import NomineeQuerySet, PlanQuerySet

# The Central Committee has 180 members (200 with alternates): no body of a plan is larger.
MAX_SEATS = 200
# Shares are percentages; ages are whole years at the congress date.
PCT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
AGE = [MinValueValidator(18), MaxValueValidator(90)]


class Body(models.TextChoices):
    """The bodies and posts a congress elects (or its executive committee elects) that a
    plan proposes nominees for."""

    EXECUTIVE = "executive", _("Executive committee")
    STANDING = "standing", _("Standing committee")
    SECRETARY = "secretary", _("Secretary")
    DEPUTY = "deputy", _("Deputy secretary")
    INSPECTION = "inspection", _("Inspection committee")
    INSPECTION_CHAIR = "inspection_chair", _("Chair of the inspection committee")
    DELEGATION = "delegation", _("Delegation to the superior's congress")


# One person holds at most one of these posts: a nominee proposed for two of them (or the
# same person entered twice for them) is a check that fails.
EXCLUSIVE_POSTS = (Body.SECRETARY, Body.DEPUTY, Body.INSPECTION_CHAIR)


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted to the superior")
    RETURNED = "returned", _("Returned with comments")
    APPROVED = "approved", _("Approved by the superior")


# The defaults of a composition target, from the guidance of the 2020–2025 and 2025–2030
# rounds (Chỉ thị 35-CT/TW and the provinces' plans): women at least 15%, cadres under 40 at
# least 10%, new members at least a third… An admin changes them per level (a target with
# no term) and per term; ethnic minorities depend on the province, so their default is 0.
DEFAULT_TARGETS = {
    "women_min_pct": Decimal("15"),
    "young_min_pct": Decimal("10"),
    "young_age": 40,
    "minority_min_pct": Decimal("0"),
    "new_min_pct": Decimal("30"),
    "first_max_age": 55,
    "renominated_max_age": 60,
    # Quy chế bầu cử trong Đảng: the list has 10–30% more names than seats.
    "surplus_max_pct": Decimal("30"),
}


class CompositionTarget(models.Model):
    """The composition a level's executive committees should reach (cơ cấu) and the age
    limits at the congress date, for one term, or the default of the level (no term)."""

    term = models.ForeignKey(
        "congresses.Term", verbose_name=_("term"), related_name="composition_targets", on_delete=models.CASCADE,
        null=True, blank=True, help_text=_("Leave empty for the default of the level."),
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    women_min_pct = models.DecimalField(_("women, at least (%)"), max_digits=5, decimal_places=2,
                                        default=DEFAULT_TARGETS["women_min_pct"], validators=PCT)
    young_min_pct = models.DecimalField(_("young cadres, at least (%)"), max_digits=5, decimal_places=2,
                                        default=DEFAULT_TARGETS["young_min_pct"], validators=PCT)
    young_age = models.PositiveSmallIntegerField(_("young means under (years)"), default=40, validators=AGE)
    minority_min_pct = models.DecimalField(_("ethnic minorities, at least (%)"), max_digits=5, decimal_places=2,
                                           default=DEFAULT_TARGETS["minority_min_pct"], validators=PCT)
    new_min_pct = models.DecimalField(_("new members, at least (%)"), max_digits=5, decimal_places=2,
                                      default=DEFAULT_TARGETS["new_min_pct"], validators=PCT)
    first_max_age = models.PositiveSmallIntegerField(
        _("age limit for a first nomination"), default=55, validators=AGE,
        help_text=_("At the congress date."))
    renominated_max_age = models.PositiveSmallIntegerField(
        _("age limit for a re-nomination"), default=60, validators=AGE, help_text=_("At the congress date."))
    surplus_max_pct = models.DecimalField(
        _("surplus of nominees over seats, at most (%)"), max_digits=5, decimal_places=2,
        default=DEFAULT_TARGETS["surplus_max_pct"], validators=PCT)

    class Meta:
        verbose_name = _("composition target")
        verbose_name_plural = _("composition targets")
        ordering = ["term", "level"]
        constraints = [
            models.UniqueConstraint(fields=["term", "level"], name="target_term_level_uniq"),
            models.UniqueConstraint(fields=["level"], condition=models.Q(term__isnull=True),
                                    name="target_default_level_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} — {self.term or _('default')}"


class PersonnelPlan(models.Model):
    """A congress's personnel plan (phương án nhân sự): the seats of each body, the nominees,
    the cadre-planning review, its way through the superior's approval, and after the
    congress the results. One per congress; an approved plan is frozen, and a change starts
    a new revision that is submitted again (the history keeps every revision)."""

    congress = models.OneToOneField(
        "congresses.Congress", verbose_name=_("congress"), related_name="personnel_plan", on_delete=models.PROTECT)
    status = models.CharField(_("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    executive_seats = models.PositiveSmallIntegerField(
        _("executive committee seats"), default=0, validators=[MaxValueValidator(MAX_SEATS)])
    standing_seats = models.PositiveSmallIntegerField(
        _("standing committee seats"), default=0, validators=[MaxValueValidator(MAX_SEATS)])
    deputy_seats = models.PositiveSmallIntegerField(
        _("deputy secretaries"), default=0, validators=[MaxValueValidator(10)])
    inspection_seats = models.PositiveSmallIntegerField(
        _("inspection committee seats"), default=0, validators=[MaxValueValidator(MAX_SEATS)])
    delegation_seats = models.PositiveSmallIntegerField(
        _("delegates to the superior's congress"), default=0, validators=[MaxValueValidator(2000)])
    secretary_elected_directly = models.BooleanField(
        _("secretary elected directly at the congress"), default=False)
    planning_reviewed = models.PositiveIntegerField(
        _("cadres reviewed for the planning"), default=0,
        help_text=_("The cadre-planning review (rà soát quy hoạch): how many cadres were reviewed."))
    planning_added = models.PositiveIntegerField(
        _("cadres added to the planning"), default=0,
        help_text=_("How many were added to the planning (bổ sung quy hoạch), e.g. 23."))
    # {check code: {"reason": …, "by": user id, "at": ISO time}}: the failing checks the
    # secretary acknowledged, with the reason the superior reads.
    acknowledgements = models.JSONField(_("acknowledged warnings"), default=dict, blank=True)
    # Stored by the services after every change (the checks read decrypted data, which the
    # database cannot): what the roll-ups count.
    composition_met = models.BooleanField(_("composition targets met"), default=False, editable=False)
    results_entered = models.BooleanField(_("results entered"), default=False, editable=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("changed by"), related_name="+",
                                   on_delete=models.SET_NULL, null=True, blank=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("personnel plan")
        verbose_name_plural = _("personnel plans")
        ordering = ["congress__unit__path"]

    def __str__(self) -> str:
        return _("Personnel plan of %(congress)s") % {"congress": self.congress}

    def get_absolute_url(self) -> str:
        return reverse("personnel:plan_detail", kwargs={"pk": self.pk})

    @property
    def is_editable(self) -> bool:
        """The secretary changes a draft or a returned plan; a submitted plan waits for the
        superior, an approved one is frozen (a change starts a revision)."""
        return self.status in (PlanStatus.DRAFT, PlanStatus.RETURNED)

    def seats(self) -> dict[str, int]:
        """Seats per body; the secretary and the inspection chair are one post each when
        the body exists."""
        return {
            Body.EXECUTIVE: self.executive_seats,
            Body.STANDING: self.standing_seats,
            Body.SECRETARY: 1 if self.executive_seats else 0,
            Body.DEPUTY: self.deputy_seats,
            Body.INSPECTION: self.inspection_seats,
            Body.INSPECTION_CHAIR: 1 if self.inspection_seats else 0,
            Body.DELEGATION: self.delegation_seats,
        }

    def clean(self) -> None:
        errors = {}
        if self.standing_seats and self.standing_seats >= self.executive_seats:
            errors["standing_seats"] = _("The standing committee is smaller than the executive committee.")
        if self.deputy_seats and self.deputy_seats >= max(self.standing_seats, self.executive_seats):
            errors["deputy_seats"] = _("The deputies are fewer than the members of the committee electing them.")
        if errors:
            raise ValidationError(errors)


class Nominee(models.Model):
    """A person proposed by the plan (nhân sự giới thiệu) for one or more bodies. The
    personal fields are encrypted at rest: they can be read, not searched or sorted in the
    database (personnel.fields)."""

    plan = models.ForeignKey(PersonnelPlan, verbose_name=_("personnel plan"), related_name="nominees",
                             on_delete=models.CASCADE)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    full_name = EncryptedTextField(_("full name"), max_length=120)
    date_of_birth = EncryptedDateField(_("date of birth"))
    gender = EncryptedCharField(_("gender"), max_length=8, choices=Gender.choices)
    ethnicity = EncryptedTextField(_("ethnicity"), max_length=60, help_text=_("e.g. Kinh, Xơ Đăng, Ba Na"))
    education = EncryptedTextField(_("education"), max_length=120, blank=True)
    political_theory = EncryptedTextField(_("political theory level"), max_length=60, blank=True)
    current_position = EncryptedTextField(_("current position"), max_length=250, blank=True)
    renominated = models.BooleanField(_("re-nominated"), default=False,
                                      help_text=_("A member of the outgoing committee proposed again."))
    bodies = models.JSONField(_("proposed for"), default=list)
    history = HistoricalRecords()
    objects = NomineeQuerySet.as_manager()

    class Meta:
        verbose_name = _("nominee")
        verbose_name_plural = _("nominees")
        ordering = ["plan", "order", "pk"]

    def __str__(self) -> str:
        # Never the name: a nominee's str reaches admin messages, logs and history pages.
        return _("Nominee #%(n)s") % {"n": self.pk or "—"}

    @property
    def body_labels(self) -> list[str]:
        return [str(Body(b).label) for b in self.bodies if b in Body.values]

    @property
    def is_minority(self) -> bool:
        # The Kinh are the majority; every other ethnicity is a minority (dân tộc thiểu số).
        return (self.ethnicity or "").strip().casefold() not in ("", "kinh")

    def clean(self) -> None:
        unknown = set(self.bodies or []) - set(Body.values)
        if not isinstance(self.bodies, list) or unknown or not self.bodies:
            raise ValidationError({"bodies": _("Choose at least one body among the plan's bodies.")})
        for name in ("full_name", "ethnicity", "education", "political_theory", "current_position"):
            field = self._meta.get_field(name)
            if len(getattr(self, name) or "") > field.max_length:
                raise ValidationError({name: _("At most %(n)s characters.") % {"n": field.max_length}})


class Election(models.Model):
    """A nominee elected to a body at the congress (or by its executive committee): votes,
    ballots and the round."""

    plan = models.ForeignKey(PersonnelPlan, verbose_name=_("personnel plan"), related_name="elections",
                             on_delete=models.CASCADE)
    nominee = models.ForeignKey(Nominee, verbose_name=_("nominee"), related_name="elections",
                                on_delete=models.CASCADE)
    body = models.CharField(_("body"), max_length=20, choices=Body.choices)
    votes = models.PositiveIntegerField(_("votes"))
    ballots = models.PositiveIntegerField(_("valid ballots"))
    round = models.PositiveSmallIntegerField(_("round"), default=1, validators=[MinValueValidator(1)])
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        ordering = ["plan", "body", "nominee__order"]
        constraints = [models.UniqueConstraint(fields=["nominee", "body"], name="election_nominee_body_uniq")]

    def __str__(self) -> str:
        return f"{self.get_body_display()} #{self.nominee_id}"

    @property
    def share(self) -> Decimal:
        return (Decimal(self.votes) * 100 / self.ballots).quantize(Decimal("0.01")) if self.ballots else Decimal(0)

    def clean(self) -> None:
        if self.ballots and self.votes > self.ballots:
            raise ValidationError({"votes": _("More votes than valid ballots.")})


class PlanTransition(models.Model):
    """A step of the plan through the approval: submitted, returned with comments, approved,
    reopened for a revision; who, when, and what they wrote."""

    plan = models.ForeignKey(PersonnelPlan, verbose_name=_("personnel plan"), related_name="transitions",
                             on_delete=models.CASCADE)
    revision = models.PositiveSmallIntegerField(_("revision"))
    from_status = models.CharField(_("from"), max_length=16, choices=PlanStatus.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=PlanStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), related_name="+",
                           on_delete=models.PROTECT)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("plan transition")
        verbose_name_plural = _("plan transitions")
        ordering = ["plan", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class PlanRead(models.Model):
    """One read of a personnel plan's confidential pages (who, when, which plan, which
    page): the admins' audit of who saw the nominees."""

    plan = models.ForeignKey(PersonnelPlan, verbose_name=_("personnel plan"), related_name="reads",
                             on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), related_name="+",
                             on_delete=models.PROTECT)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    page = models.CharField(_("page"), max_length=40)

    class Meta:
        verbose_name = _("personnel plan read")
        verbose_name_plural = _("personnel plan reads")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} · {self.plan_id} · {self.at:%d/%m/%Y %H:%M}"


class PlanCount(models.Model):
    """Personnel plans of a term below `unit`, by the level of the unit holding the
    congress (progress.registry: personnel.progress). Counts only, never a name."""

    unit = models.ForeignKey("committees.Unit", verbose_name=_("unit"), related_name="+", on_delete=models.CASCADE)
    term = models.ForeignKey("congresses.Term", verbose_name=_("term"), related_name="+", on_delete=models.CASCADE)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    plans = models.IntegerField(_("plans"), default=0)
    submitted = models.IntegerField(_("awaiting approval"), default=0)
    returned = models.IntegerField(_("returned"), default=0)
    approved = models.IntegerField(_("approved"), default=0)
    composition_met = models.IntegerField(_("composition met"), default=0)
    results = models.IntegerField(_("results entered"), default=0)

    class Meta:
        verbose_name = _("personnel plan count")
        verbose_name_plural = _("personnel plan counts")
        constraints = [models.UniqueConstraint(fields=["unit", "term", "level"], name="plancount_uniq")]
