"""Documents the congress preparation refers to: directives, plans, decisions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Document(models.Model):
    """A numbered party document, e.g. Chỉ thị 35-CT/TW (30/5/2019) of the Politburo or the
    province's Kế hoạch 100-KH/TU. Terms cite them as their guiding documents."""

    number = models.CharField(_("number"), max_length=64, help_text=_("e.g. 35-CT/TW"))
    issued_on = models.DateField(_("date issued"))
    title = models.CharField(_("title"), max_length=500)
    issuer = models.CharField(_("issued by"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["issued_on", "number"]
        constraints = [
            models.UniqueConstraint(fields=["number", "issued_on"], name="document_number_date_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.issued_on:%d/%m/%Y})"
