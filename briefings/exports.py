"""The briefing pack (briefings.pack) as a Word document. The numbers' sections are the
live briefing's (dashboards.exports: docx_overview, docx_steps), so both read alike."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _

from dashboards.exports import docx_document, docx_overview, docx_response, docx_steps, docx_table

from .models import ProposalStatus
from .pack import Pack


def _day(value) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def answer_text(p) -> str:
    """A proposal's answer in one line, as the pack prints it."""
    if p.status == ProposalStatus.FORWARDED:
        text = _("Forwarded to %(to)s") % {"to": p.forwarded_to}
        return f"{text}: {p.answer}" if p.answer else text
    if p.status == ProposalStatus.REJECTED:
        return _("Not accepted: %(reason)s") % {"reason": p.answer}
    if p.status == ProposalStatus.ANSWERED:
        return p.answer
    return _("Awaiting an answer")


def _sections(document, sections, number: int) -> int:
    for section in sections:
        number += 1
        document.add_heading(f"{number}. {section.title}", level=2)
        if section.note:
            document.add_paragraph(section.note)
        if section.rows:
            docx_table(document, ["", _("Number")], [[label, value] for label, value in section.rows])
    return number


def pack_docx(pack: Pack) -> HttpResponse:
    d = pack.d
    document = docx_document(
        _("Quarterly briefing %(quarter)s: %(unit)s") % {"quarter": pack.quarter.label, "unit": pack.unit.name},
        _("Term %(term)s · situation as of %(date)s") % {"term": d.terms_label, "date": _day(pack.as_of)})
    document.add_paragraph(pack.numbers_note)
    n = _sections(document, pack.first_sections, 0)

    n += 1
    docx_overview(document, d, f"{n}. " + _("The quarter's numbers"))
    n += 1
    docx_steps(document, d, f"{n}. " + _("Plan completion per step"))

    n += 1
    document.add_heading(f"{n}. " + _("What changed since the previous quarter"), level=2)
    if pack.changes is None:
        document.add_paragraph(_("No snapshot of %(quarter)s to compare with.") % {"quarter": pack.quarter.previous.label})
    else:
        docx_table(document, [_("Indicator"), pack.quarter.previous.label, pack.quarter.label, _("Change")],
                   [[c.label, c.before, c.now, c.delta_text] for c in pack.changes])

    n += 1
    document.add_heading(f"{n}. " + _("Units late and why") + f" ({len(pack.late)})", level=2)
    if pack.late:
        docx_table(document, [_("Unit"), _("Reason"), _("Difficulties they reported")], [
            [row.unit.name, row.reason, "; ".join(row.difficulties)] for row in pack.late])
    else:
        document.add_paragraph(_("No subordinate unit is late."))

    n += 1
    document.add_heading(f"{n}. " + _("Quarterly reports: %(n)s/%(total)s units below have submitted") % {
        "n": pack.reports_submitted, "total": pack.children_total}, level=2)
    document.add_paragraph(_("Due on %(date)s.") % {"date": _day(pack.due_date)})
    if pack.reports_missing:
        document.add_paragraph(_("Not submitted: %(units)s.") % {
            "units": ", ".join(u.name for u in pack.reports_missing)})

    n += 1
    document.add_heading(f"{n}. " + _("Difficulties, by theme"), level=2)
    if not pack.difficulties:
        document.add_paragraph(_("No difficulty was reported this quarter."))
    for group in pack.difficulties:
        document.add_heading(f"{group.label} ({group.count})", level=3)
        docx_table(document, [_("Unit"), _("Difficulty")], [[x.report.unit.name, x.text] for x in group.items])
    if pack.difficulties_more:
        document.add_paragraph(_("…and %(n)s more in the portal.") % {"n": pack.difficulties_more})

    n += 1
    document.add_heading(f"{n}. " + _("Proposals and the answers, by theme"), level=2)
    if not pack.proposals:
        document.add_paragraph(_("No proposal was made this quarter."))
    for group in pack.proposals:
        document.add_heading(f"{group.label} ({group.count})", level=3)
        docx_table(document, [_("Unit"), _("Proposal"), _("Answer")],
                   [[p.report.unit.name, p.text, answer_text(p)] for p in group.items])
    if pack.proposals_more:
        document.add_paragraph(_("…and %(n)s more in the portal.") % {"n": pack.proposals_more})

    _sections(document, pack.sections, n)
    return docx_response(document, pack.unit, f"briefing-{pack.quarter.key.lower()}", pack.today)
