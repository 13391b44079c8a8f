"""Writes of the quarterly briefing: a unit opens its report for a quarter, adds its
difficulties and proposals, submits it (its progress section is then kept as it was);
the superior answers each proposal and may reopen a report. Each is typed, keyword-only
and atomic; a report's row is locked before its rows change, so a submission and an edit
from two tabs cannot interleave (the edit sees "submitted" and is refused).

Who may call which is decided by accounts.access (Scope.can_file_report,
can_answer_reports), asked by the views; these functions keep the states."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from committees.models import Unit

from . import selectors
from .models import Difficulty, Proposal, ProposalStatus, QuarterlyReport, ReportStatus, Theme
from .quarters import Quarter

ANSWERS = (ProposalStatus.ANSWERED, ProposalStatus.FORWARDED, ProposalStatus.REJECTED)


def _save(obj, user) -> None:
    obj._history_user = user
    obj.full_clean()
    obj.save()


def _locked(report: QuarterlyReport) -> QuarterlyReport:
    return QuarterlyReport.objects.select_for_update().select_related("unit").get(pk=report.pk)


def _draft(report: QuarterlyReport) -> QuarterlyReport:
    """The report's row, locked, if it is still a draft."""
    report = _locked(report)
    if report.is_submitted:
        raise ValidationError(_("This report has been submitted; the superior can reopen it."))
    return report


def _text(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: _("This field is required.")})
    return value


def _theme(value: str) -> str:
    if value not in Theme.values:
        raise ValidationError({"theme": _("Choose a theme.")})
    return value


@transaction.atomic
def report_open(*, unit: Unit, quarter: Quarter, user, today: dt.date | None = None) -> QuarterlyReport:
    """The unit's report for `quarter`, opened as a draft the first time. A unit without a
    superior reports to nobody; a quarter that has not begun has nothing to report."""
    today = today or timezone.localdate()
    if unit.parent_id is None:
        raise ValidationError(_("A unit without a superior unit files no quarterly report."))
    if quarter.start > today:
        raise ValidationError(_("This quarter has not begun yet."))
    report = QuarterlyReport.objects.filter(unit=unit, year=quarter.year, quarter=quarter.quarter).first()
    if report is not None:
        return report
    report = QuarterlyReport(unit=unit, year=quarter.year, quarter=quarter.quarter, created_by=user)
    try:
        with transaction.atomic():
            _save(report, user)
    except IntegrityError:  # opened at the same moment in another tab
        return QuarterlyReport.objects.get(unit=unit, year=quarter.year, quarter=quarter.quarter)
    return report


@transaction.atomic
def report_update(*, report: QuarterlyReport, user, summary: str) -> QuarterlyReport:
    report = _draft(report)
    report.summary = (summary or "").strip()
    _save(report, user)
    return report


@transaction.atomic
def difficulty_add(*, report: QuarterlyReport, user, theme: str, text: str) -> Difficulty:
    report = _draft(report)
    difficulty = Difficulty(report=report, theme=_theme(theme), text=_text(text, "text"))
    difficulty.full_clean()
    difficulty.save()
    return difficulty


@transaction.atomic
def difficulty_remove(*, difficulty: Difficulty, user) -> None:
    _draft(difficulty.report)
    difficulty.delete()


@transaction.atomic
def proposal_add(*, report: QuarterlyReport, user, theme: str, text: str) -> Proposal:
    report = _draft(report)
    proposal = Proposal(report=report, theme=_theme(theme), text=_text(text, "text"))
    _save(proposal, user)
    return proposal


@transaction.atomic
def proposal_remove(*, proposal: Proposal, user) -> None:
    """Remove a proposal from a draft; one the superior has answered stays (the answer is
    the superior's word on it, kept even when the report is reopened)."""
    _draft(proposal.report)
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if not proposal.is_open:
        raise ValidationError(_("The superior has answered this proposal: it cannot be removed."))
    proposal._history_user = user
    proposal.delete()


@transaction.atomic
def report_submit(*, report: QuarterlyReport, user, today: dt.date | None = None) -> QuarterlyReport:
    """Submit the report to the superior. Steps: lock the draft; compute its progress
    section as of today (briefings.selectors.report_progress) and keep it; mark it
    submitted. From then on only the superior changes it (answers, reopening)."""
    today = today or timezone.localdate()
    report = _draft(report)
    report.progress = selectors.report_progress(unit=report.unit, today=today).as_json()
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = user
    _save(report, user)
    return report


@transaction.atomic
def report_reopen(*, report: QuarterlyReport, user, reason: str) -> QuarterlyReport:
    """The superior sends a submitted report back to the unit as a draft, with why."""
    report = _locked(report)
    if not report.is_submitted:
        raise ValidationError(_("Only a submitted report can be reopened."))
    report.reopen_reason = _text(reason, "reason")
    report.status = ReportStatus.DRAFT
    report.reopened_at = timezone.now()
    _save(report, user)
    return report


@transaction.atomic
def proposal_answer(*, proposal: Proposal, user, status: str, answer: str = "",
                    forwarded_to: str = "") -> Proposal:
    """The superior's answer to a proposal of a submitted report: answered (what was
    decided), forwarded (to whom; what was said, optional) or not accepted (the reason,
    required). An answer may be changed; the history keeps each one."""
    proposal = Proposal.objects.select_for_update().select_related("report").get(pk=proposal.pk)
    if not proposal.report.is_submitted:
        raise ValidationError(_("Proposals are answered once their report is submitted."))
    if status not in ANSWERS:
        raise ValidationError({"status": _("Choose an answer.")})
    answer, forwarded_to = (answer or "").strip(), (forwarded_to or "").strip()
    errors = {}
    if status == ProposalStatus.ANSWERED and not answer:
        errors["answer"] = _("Write the answer.")
    if status == ProposalStatus.REJECTED and not answer:
        errors["answer"] = _("Give the reason for not accepting it.")
    if status == ProposalStatus.FORWARDED and not forwarded_to:
        errors["forwarded_to"] = _("Say to whom it is forwarded.")
    if errors:
        raise ValidationError(errors)
    proposal.status = status
    proposal.answer = answer
    proposal.forwarded_to = forwarded_to if status == ProposalStatus.FORWARDED else ""
    proposal.answered_at = timezone.now()
    proposal.answered_by = user
    _save(proposal, user)
    return proposal
