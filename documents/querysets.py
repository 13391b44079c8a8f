"""Which congress documents, versions, rounds and comment requests a user may see or
change. Scope is decided by accounts.access only; these say which path it goes through.

A recipient of a comment round sees the round's version and their own request even when
the sending unit is outside their scope (a cell's secretary does not read the bloc above
it): the request is addressed to a unit they read, or to them by name.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, OuterRef, Q

from accounts.access import scope_for


def _addressed_to(user, prefix: str = "") -> Q:
    """Requests (through `prefix`) addressed to a unit the user reads, or to the user."""
    q = scope_for(user).read_q(f"{prefix}unit__path") & Q(**{f"{prefix}unit__isnull": False})
    if user is not None and user.is_authenticated:
        q |= Q(**{f"{prefix}user_id": user.pk})
    return q


class CongressDocumentQuerySet(models.QuerySet):
    def visible_to(self, user) -> CongressDocumentQuerySet:
        return self.filter(scope_for(user).read_q("congress__unit__path"))

    def editable_by(self, user) -> CongressDocumentQuerySet:
        """Documents of the units whose congress the user keeps (their secretary, an admin)."""
        return self.filter(scope_for(user).edit_q("congress__unit_id"))

    def reviewable_by(self, user) -> CongressDocumentQuerySet:
        """Documents the user reviews as the superior: those of the units directly under a
        unit they edit (DOMAIN.md: the superior approves the final draft)."""
        return self.filter(scope_for(user).edit_q("congress__unit__parent_id"))

    def under(self, unit) -> CongressDocumentQuerySet:
        return self.filter(congress__unit__path__startswith=unit.path)


class DocumentVersionQuerySet(models.QuerySet):
    def visible_to(self, user) -> DocumentVersionQuerySet:
        from .models import CommentRecipient

        sent_to_user = CommentRecipient.objects.filter(_addressed_to(user), round__version_id=OuterRef("pk"))
        return self.filter(scope_for(user).read_q("document__congress__unit__path") | Q(Exists(sent_to_user)))


class CommentRoundQuerySet(models.QuerySet):
    def visible_to(self, user) -> CommentRoundQuerySet:
        return self.filter(scope_for(user).read_q("document__congress__unit__path"))

    def editable_by(self, user) -> CommentRoundQuerySet:
        return self.filter(scope_for(user).edit_q("document__congress__unit_id"))


class CommentRecipientQuerySet(models.QuerySet):
    def visible_to(self, user) -> CommentRecipientQuerySet:
        """The sender's readers see the whole ledger; a recipient sees their own request."""
        return self.filter(scope_for(user).read_q("round__document__congress__unit__path") | _addressed_to(user))

    def answerable_by(self, user) -> CommentRecipientQuerySet:
        """Requests the user answers: to a unit they edit (its secretary), or to them."""
        q = scope_for(user).edit_q("unit_id") & Q(unit__isnull=False)
        if user is not None and user.is_authenticated:
            q |= Q(user_id=user.pk)
        return self.filter(q)

    def open(self) -> CommentRecipientQuerySet:
        return self.filter(answered_at__isnull=True, round__closed_at__isnull=True)

    def late_first(self, today):
        """Unanswered past the deadline first, then unanswered, then answered by date."""
        from django.db.models import Case, IntegerField, Value, When

        return self.annotate(ledger_rank=Case(
            When(answered_at__isnull=True, round__deadline__lt=today, then=Value(0)),
            When(answered_at__isnull=True, then=Value(1)),
            default=Value(2), output_field=IntegerField(),
        )).order_by("ledger_rank", "answered_at", "unit__path", "user__username", "pk")


def documents_of_units(terms, kind: str, min_steps: int | None):
    """A subquery for unit lists: the unit's (OuterRef "pk") congress in its current term
    has a document of `kind` with at least `min_steps` drafting steps done."""
    from .models import CongressDocument
    from .progress import steps_done_expr

    qs = CongressDocument.objects.filter(terms.q("congress__term", "congress__unit__level"),
                                         congress__unit_id=OuterRef("pk"), kind=kind)
    if min_steps:
        qs = qs.annotate(steps=steps_done_expr()).filter(steps__gte=min_steps)
    return qs
