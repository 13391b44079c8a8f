"""The tree of party organisations (DOMAIN.md "Unit": tổ chức đảng / đảng bộ / chi bộ)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .names import KEY_MAX_LENGTH
from .querysets import UnitQuerySet

# A unit's path is the concatenation of its ancestors' primary keys and its own, each as a
# fixed-width base-36 segment. Fixed width makes "every unit under X" a prefix match
# (`path LIKE 'X%'`), which the varchar_pattern_ops index Django puts on a unique CharField
# answers with one range scan on PostgreSQL. Six base-36 characters hold 2.1 billion ids;
# 255 characters allow a depth of 42.
PATH_SEGMENT_WIDTH = 6
PATH_MAX_LENGTH = 255
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def encode_segment(pk: int) -> str:
    digits = []
    n = pk
    while n:
        n, r = divmod(n, 36)
        digits.append(_ALPHABET[r])
    return "".join(reversed(digits)).rjust(PATH_SEGMENT_WIDTH, "0")


def decode_path(path: str) -> list[int]:
    """The primary keys along a path, root first."""
    return [
        int(path[i : i + PATH_SEGMENT_WIDTH], 36) for i in range(0, len(path), PATH_SEGMENT_WIDTH)
    ]


class Level(models.TextChoices):
    """Levels of the party tree, top down (DOMAIN.md "Unit")."""

    CENTRAL = "central", _("Central")
    PROVINCE = "province", _("Province")
    UPPER = "upper", _("Upper-grassroots")
    GRASSROOTS = "grassroots", _("Grassroots")
    SUB = "sub", _("Sub-grassroots")


LEVEL_ORDER = {level: i for i, level in enumerate(Level.values)}


class UnitKind(models.TextChoices):
    """What kind of organisation a unit is, whatever its level (DOMAIN.md "Unit": any kind
    at a level). The codes are what files and the API carry; pages and exports show the
    labels."""

    CENTRAL = "central", _("Central Committee")
    PROVINCE = "province", _("Province")
    CITY = "city", _("Centrally-run city")
    COMMUNE = "commune", _("Commune")
    WARD = "ward", _("Ward")
    SPECIAL_ZONE = "special_zone", _("Special zone")
    BLOC = "bloc", _("Bloc")
    MILITARY = "military", _("Military")
    POLICE = "police", _("Police")
    BORDER_GUARD = "border_guard", _("Border guard")
    COMMITTEE = "committee", _("Party committee")
    CELL = "cell", _("Party cell")
    GROUP = "group", _("Party group")
    # Where a grassroots cell or committee is: a village, a school, a business…
    VILLAGE = "village", _("Village")
    QUARTER = "quarter", _("Urban quarter")
    AGENCY = "agency", _("State agency")
    SCHOOL = "school", _("School")
    HEALTH = "health", _("Health facility")
    COOPERATIVE = "cooperative", _("Cooperative")
    ENTERPRISE = "enterprise", _("Enterprise")


class Unit(models.Model):
    """A party organisation: the province committee, a commune or bloc committee, a
    grassroots committee or cell, a sub-grassroots cell. Any depth, any kind at a level."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=255)
    # Written with the name by the services and the import (committees.names).
    name_key = models.CharField(
        _("sort key of the name"), max_length=KEY_MAX_LENGTH, blank=True, default="", db_default="", editable=False,
        help_text=_("The name in Vietnamese alphabetical order."),
    )
    name_search = models.CharField(
        _("name for search"), max_length=255, blank=True, default="", db_default="", editable=False,
        help_text=_("The name without case, tones or marks, as searches compare it."),
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    kind = models.CharField(_("kind"), max_length=64, blank=True, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        related_name="children",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    path = models.CharField(_("tree path"), max_length=PATH_MAX_LENGTH, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["parent", "name"], name="unit_parent_name_idx"),
            models.Index(fields=["level"], name="unit_level_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("committees:unit_detail", kwargs={"pk": self.pk})

    @property
    def ancestor_ids(self) -> list[int]:
        """Primary keys of the ancestors, root first, without the unit itself."""
        return decode_path(self.path)[:-1]

    def is_descendant_of(self, other: "Unit", include_self: bool = True) -> bool:
        if self.pk == other.pk:
            return include_self
        return self.path.startswith(other.path)


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """One run of the unit import (committees.importing) on an uploaded file, in the
    background. The file is kept in the media storage, which no URL serves: only the
    task reads it. A preview (dry run) can be applied: a new job on the same stored file.

    "done" means the import ran to its end; the report then says whether the file was
    good (and written, unless a dry run) or lists its bad rows (and nothing was written).
    "failed" means the file could not be read at all, or the run broke; `error` says why.
    """

    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", max_length=255)
    original_name = models.CharField(_("original file name"), max_length=255)
    dry_run = models.BooleanField(_("preview only (dry run)"), default=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    report = models.JSONField(_("report"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    source = models.ForeignKey(
        "self",
        verbose_name=_("previewed in"),
        related_name="applications",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("The dry run whose file this job applies."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("unit import")
        verbose_name_plural = _("unit imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.original_name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("committees:unit_import_job", kwargs={"pk": self.pk})

    @property
    def progress_key(self) -> str:
        return f"import-job:{self.pk}:progress"

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def succeeded(self) -> bool:
        """Ran to its end on a file without bad rows."""
        return self.status == ImportStatus.DONE and bool(self.report.get("ok"))
