"""Exports of what the user sees: the list of units below a unit (with its filters and
ordering, every row rather than one page) and the dashboard, as CSV and XLSX.

- CSV streams (StreamingHttpResponse): a national list is 60,000 rows. UTF-8 with a BOM,
  so that Excel reads the Vietnamese names; dates dd/mm/yyyy as on the page.
- XLSX is an openpyxl write-only workbook: a title row naming the unit, a row with the
  filters and the "as of" date, a bold header, frozen panes, column widths, and dates as
  real dates shown dd/mm/yyyy.
- Formula injection (OWASP "CSV injection"): a unit name or code typed as `=HYPERLINK(…)`
  must not run in the reader's spreadsheet. In CSV a text starting with = + - @ tab or CR
  gets a leading apostrophe; in XLSX every text is a string cell (data type "s": openpyxl
  would make a text starting with = a formula, so those are forced), which Excel never
  evaluates.

Every label is translated while the request's language is active, before the CSV
generator runs (it runs after the view has returned).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from committees.models import Level, Unit, UnitKind
from congresses.models import CongressStatus, Light

from .briefing import Briefing
from .lists import UnitList
from .selectors import Dashboard

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT_XLSX = "DD/MM/YYYY"
PERCENT_FORMAT_XLSX = "0%"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_CHUNK = 2000


@dataclass(frozen=True)
class Column:
    header: str
    width: int


# --- Cells ----------------------------------------------------------------------------------


def csv_cell(value, *, yes_no: tuple[str, str] | None = None) -> str | int | float:
    """A value as the CSV shows it: dates dd/mm/yyyy, numbers as they are, texts defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        yes, no = yes_no or (_("Yes"), _("No"))
        return yes if value else no
    if isinstance(value, int | float):
        return value
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    """The file a csv.writer writes to, returning each line instead (Django's streaming
    CSV recipe)."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    yes_no = (_("Yes"), _("No"))  # now, in the request's language: the lines stream later

    def lines() -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield "\ufeff"  # the BOM: Excel otherwise reads UTF-8 as the local code page
        yield writer.writerow([csv_cell(h) for h in header])
        for row in rows:
            yield writer.writerow([csv_cell(v, yes_no=yes_no) for v in row])

    return lines()


def _filename(unit: Unit, what: str, today: dt.date, extension: str) -> str:
    return f"{slugify(unit.code) or unit.pk}-{what}-{today:%Y-%m-%d}.{extension}"


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


class _Sheet:
    """One sheet of a write-only workbook: title rows, a bold header, typed cells."""

    def __init__(self, workbook, title: str, columns: list[Column], heading: list[str]):
        self.ws = workbook.create_sheet(_sheet_title(title))
        self.bold = Font(bold=True)
        self.yes, self.no = _("Yes"), _("No")
        for i, column in enumerate(columns, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = column.width
        # Title lines, then the header, frozen with it so it stays in view while scrolling.
        self.ws.freeze_panes = f"A{len(heading) + 2}"
        for i, line in enumerate(heading):
            self.append([line], bold=(i == 0))
        self.append([c.header for c in columns], bold=True)

    def cell(self, value, *, bold: bool = False, number_format: str | None = None):
        """The value as openpyxl should write it: plain when openpyxl's own typing is right
        (numbers, ordinary texts), a styled cell for dates, bold and percentages, a cell
        forced to text for anything openpyxl would take for a formula."""
        if isinstance(value, bool):
            value = self.yes if value else self.no
        is_date = isinstance(value, dt.date)
        formula_like = isinstance(value, str) and value.startswith("=")
        if not (bold or number_format or is_date or formula_like):
            return value
        cell = WriteOnlyCell(self.ws, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # never a formula, whatever the text starts with
        if is_date:
            cell.number_format = DATE_FORMAT_XLSX
        if number_format:
            cell.number_format = number_format
        if bold:
            cell.font = self.bold
        return cell

    def append(self, values: list, *, bold: bool = False, formats: dict[int, str] | None = None) -> None:
        formats = formats or {}
        self.ws.append([self.cell(v, bold=bold, number_format=formats.get(i)) for i, v in enumerate(values)])


def _sheet_title(title: str) -> str:
    # Excel: at most 31 characters, none of []:*?/\
    return "".join(ch for ch in title if ch not in "[]:*?/\\")[:31]


def _workbook() -> Workbook:
    return Workbook(write_only=True)


def _xlsx_response(workbook, filename: str) -> HttpResponse:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _attachment(HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE), filename)


def _as_of(term_name: str, today: dt.date) -> str:
    return _("Term %(term)s · as of %(date)s") % {"term": term_name, "date": today.strftime("%d/%m/%Y")}


# --- The list of units ----------------------------------------------------------------------

LIST_FIELDS = (
    "name", "code", "level", "kind", "parent_name", "congress_date", "registered_on", "congress_status",
    "is_pilot", "steps_done", "steps_total", "steps_overdue", "next_step",
)


def _list_columns() -> list[Column]:
    return [
        Column(_("Unit"), 42), Column(_("Code"), 14), Column(_("Level"), 18), Column(_("Kind"), 14),
        Column(_("Parent unit"), 36), Column(_("Congress date"), 14), Column(_("Date registered"), 14),
        Column(_("Status"), 16), Column(_("Pilot congress"), 10), Column(_("Steps done"), 10),
        Column(_("Steps"), 10), Column(_("Overdue steps"), 10), Column(_("Next step"), 40),
    ]


def _list_values(listing: UnitList) -> Iterator[list]:
    """The rows as lists of plain values, read in chunks (a server-side cursor on
    PostgreSQL). The labels are translated now, in the request's language; the rows are
    read as the response streams."""
    levels = {k: str(v) for k, v in Level.choices}
    kinds = {k: str(v) for k, v in UnitKind.choices}
    statuses = {k: str(v) for k, v in CongressStatus.choices}
    no_congress = _("No congress")
    rows = listing.rows.values_list(*LIST_FIELDS)

    def values() -> Iterator[list]:
        for row in rows.iterator(chunk_size=CSV_CHUNK):
            r = dict(zip(LIST_FIELDS, row, strict=True))
            yield [
                r["name"], r["code"], levels.get(r["level"], r["level"]), kinds.get(r["kind"], r["kind"]), r["parent_name"],
                r["congress_date"], r["registered_on"], statuses.get(r["congress_status"] or "", no_congress),
                r["is_pilot"], r["steps_done"], r["steps_total"], r["steps_overdue"], r["next_step"],
            ]

    return values()


def list_heading(listing: UnitList) -> list[str]:
    """The title lines: what the list is, its filters, the term and the date."""
    title = _("Units below %(unit)s") % {"unit": listing.unit.name}
    if listing.missing_label:
        title += " — " + _("%(what)s first") % {"what": listing.missing_label}
    filters = "; ".join(f"{label}: {value}" for label, value in listing.filters) or _("no filter")
    return [title, _("Filters: %(filters)s") % {"filters": filters} + " · " + _as_of(listing.terms_label, listing.today)]


def unit_list_csv(listing: UnitList) -> StreamingHttpResponse:
    header = [c.header for c in _list_columns()]
    response = StreamingHttpResponse(_csv_lines(header, _list_values(listing)), content_type="text/csv; charset=utf-8")
    return _attachment(response, _filename(listing.unit, "units", listing.today, "csv"))


def unit_list_xlsx(listing: UnitList) -> HttpResponse:
    workbook = _workbook()
    sheet = _Sheet(workbook, _("Units"), _list_columns(), list_heading(listing))
    for values in _list_values(listing):
        sheet.append(values)
    return _xlsx_response(workbook, _filename(listing.unit, "units", listing.today, "xlsx"))


# --- The dashboard --------------------------------------------------------------------------




def _children_columns() -> list[Column]:
    return [
        Column(_("Unit"), 42), Column(_("Code"), 14), Column(_("Level"), 18), Column(_("Congress date"), 14),
        Column(_("Level deadline"), 14), Column(_("Status"), 16), Column(_("Pilot congress"), 10),
        Column(_("Steps done"), 10), Column(_("Steps"), 10), Column(_("Overdue steps"), 10), Column(_("Progress"), 14),
        Column(_("Reason"), 48), Column(_("Units below"), 10), Column(_("Below: held"), 10),
        Column(_("Below: steps done"), 12), Column(_("Below: steps"), 12),
        *_teams_columns(),
    ]


# Issue 11: subcommittees set up and units followed by working groups.


def _teams_columns() -> list[Column]:
    return [Column(_("Below: subcommittees set up"), 14), Column(_("Below: congresses"), 12),
            Column(_("Below: followed by a working group"), 14)]


def _teams_values(t) -> list:
    return [t.subcommittees, t.congresses_total, t.followed_total]


def _teams_summary_rows(d: Dashboard) -> list[list]:
    """"Subcommittees set up: 57/60" and "followed: 135/135 (twice: 2)" per level below."""
    rows = []
    for row in d.subcommittees_by_level:
        rows.append([_("%(level)s: subcommittees set up") % {"level": row["label"]}, row["subcommittees"],
                     row["congresses"], _ratio(row["subcommittees"], row["congresses"])])
    for row in d.followed_by_level:
        rows.append([_("%(level)s: followed by a working group") % {"level": row["label"]}, row["followed"],
                     row["units"], _ratio(row["followed"], row["units"])])
        rows.append([_("%(level)s: followed twice") % {"level": row["label"]}, row["followed_twice"], None, None])
    return rows


def _children_values(d: Dashboard) -> list[list]:
    levels = {k: str(v) for k, v in Level.choices}
    rows = []
    for r in d.children:
        c = r.congress
        rows.append([
            r.unit.name, r.unit.code, levels.get(r.unit.level, r.unit.level),
            c.counts_on if c else None, r.deadline.date if r.deadline else None,
            c.get_status_display() if c else _("No congress"),
            c.is_pilot if c else False, c.steps_done if c else None, c.steps_total if c else None,
            c.steps_overdue if c else None, str(Light(r.light).label), r.reason,
            r.totals.units_total, r.totals.held, r.totals.steps_done, r.totals.steps_total,
            *_teams_values(r.totals),
        ])
    return rows


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _summary_rows(d: Dashboard) -> list[list]:
    t = d.totals
    c = d.congress
    rows = [
        [_("Congress date of this unit"), c.counts_on if c else None, None, None],
        [_("Deadline of this unit's level"), d.deadline.date if d.deadline else None,
         d.deadline.days_label if d.deadline else None, None],
        [_("Units below"), t.units_total, None, None],
        [_("Congress date registered"), t.registered, t.units_total, _ratio(t.registered, t.units_total)],
        [_("Congresses held"), t.held, t.units_total, _ratio(t.held, t.units_total)],
        [_("Pilot congresses held"), t.pilots_held, t.pilots, _ratio(t.pilots_held, t.pilots)],
        [_("Steps done"), t.steps_done, t.steps_total, _ratio(t.steps_done, t.steps_total)],
        [_("Overdue steps"), t.overdue, None, None],
    ]
    for row in t.by_level():
        label, units = row["label"], row["units"]
        rows.append([_("%(level)s: congress date registered") % {"level": label}, row["registered"], units,
                     _ratio(row["registered"], units)])
        rows.append([_("%(level)s held") % {"level": label}, row["held"], units, _ratio(row["held"], units)])
        if row["pilots"]:
            rows.append([_("%(level)s: pilot congresses held") % {"level": label}, row["pilots_held"], row["pilots"],
                         _ratio(row["pilots_held"], row["pilots"])])
    for deadline in (d.deadline_of(level) for level in d.levels_below):
        if deadline is not None:
            rows.append([_("Deadline: %(level)s") % {"level": deadline.level_label}, deadline.date,
                         deadline.days_label, None])
    rows += [
        [_("units below dated before one of their subordinate units' congresses"), t.before_subordinates, None, None],
        [_("units below dated after their level's deadline"), d.after_deadline, None, None],
    ]
    rows += _documents_rows(d)
    return rows + _teams_summary_rows(d)


def _documents_rows(d: Dashboard) -> list[list]:
    """Congress documents (documents.selectors.dashboard_documents): the unit's own steps
    done, and below it the units by the document's furthest step ("3/6 at 57 of 60")."""
    tile = d.documents
    if tile is None:
        return []
    rows = [[_("%(document)s: drafting steps done") % {"document": o.title}, o.done, o.total,
             _ratio(o.done, o.total)] for o in tile.own]
    for k in tile.below:
        for done, n in k.rows:
            rows.append([_("%(document)s: %(done)s/%(total)s drafting steps") % {
                "document": k.label, "done": done, "total": k.total}, n, d.totals.units_total,
                _ratio(n, d.totals.units_total)])
    if tile.requests:
        rows.append([_("Comment requests to units below answered"), tile.answered, tile.requests,
                     _ratio(tile.answered, tile.requests)])
    return rows


def _dashboard_heading(d: Dashboard) -> list[str]:
    return [_("Dashboard — %(unit)s") % {"unit": d.unit.name}, _as_of(d.terms_label, d.today)]


def dashboard_csv(d: Dashboard) -> StreamingHttpResponse:
    """The dashboard's table of subordinate units (the summary and the steps are in the
    workbook: one CSV holds one table)."""
    header = [c.header for c in _children_columns()]
    response = StreamingHttpResponse(_csv_lines(header, _children_values(d)), content_type="text/csv; charset=utf-8")
    return _attachment(response, _filename(d.unit, "dashboard", d.today, "csv"))


def dashboard_xlsx(d: Dashboard) -> HttpResponse:
    workbook = _workbook()
    heading = _dashboard_heading(d)
    percent = {3: PERCENT_FORMAT_XLSX}
    summary = _Sheet(workbook, _("Summary"), [
        Column(_("Indicator"), 60), Column(_("Number"), 10), Column(_("Of"), 10), Column(_("Share"), 10),
    ], heading)
    for row in _summary_rows(d):
        summary.append(row, formats=percent)
    steps = _Sheet(workbook, _("Steps"), [
        Column(_("Step"), 52), Column(_("Code"), 16), Column(_("Done"), 10), Column(_("Of"), 10), Column(_("Share"), 10),
    ], heading)
    for s in d.steps:
        steps.append([s.step.title, s.step.code, s.done, s.total, _ratio(s.done, s.total)], formats={4: PERCENT_FORMAT_XLSX})
    children = _Sheet(workbook, _("Subordinate units"), _children_columns(), heading)
    for values in _children_values(d):
        children.append(values)
    return _xlsx_response(workbook, _filename(d.unit, "dashboard", d.today, "xlsx"))


# --- The briefing as a Word document ----------------------------------------------------------

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _docx_table(document, header: list[str], rows: Iterable[list]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(str(text)).bold = True
    from docx.table import _Cell

    for values in rows:
        # The row's own cells: `_Row.cells` walks every cell of the table, which makes a
        # table of n rows cost n² (7 s for the national briefing pack's 800 rows).
        row = table.add_row()
        for tc, value in zip(row._tr.tc_lst, values, strict=True):
            _Cell(tc, table).text = "—" if value in (None, "") else str(value)


def _day(value) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def docx_document(title: str, subtitle: str):
    """An A4 Word document with 20 mm margins, its title and the line under it. Plain
    styles, so that the document takes the house style of whoever edits it."""
    from docx import Document  # python-docx: only the Word exports need it
    from docx.shared import Mm

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(20))
    document.add_heading(title, level=1)
    document.add_paragraph(subtitle)
    return document


def docx_table(document, header: list[str], rows: Iterable[list]) -> None:
    _docx_table(document, header, rows)


def docx_overview(document, d: Dashboard, heading: str) -> None:
    """The dashboard's headline numbers: the unit's congress, the subtree's counts, and the
    table per level (the briefing's section 1, the briefing pack's numbers)."""
    t = d.totals
    document.add_heading(heading, level=2)
    c = d.congress
    if c is not None:
        document.add_paragraph(_("This unit's congress: %(date)s (%(status)s).") % {
            "date": _day(c.counts_on), "status": c.get_status_display()}, style="List Bullet")
    if t.units_total:
        document.add_paragraph(_("%(n)s/%(total)s units below have registered their congress date with the superior.")
                               % {"n": t.registered, "total": t.units_total}, style="List Bullet")
        document.add_paragraph(_("%(n)s/%(total)s congresses held.") % {"n": t.held, "total": t.units_total},
                               style="List Bullet")
        if t.pilots:
            document.add_paragraph(_("%(n)s/%(total)s pilot congresses held.") % {"n": t.pilots_held, "total": t.pilots},
                                   style="List Bullet")
        document.add_paragraph(_("%(n)s/%(total)s plan steps done across the subtree.") % {
            "n": t.steps_done, "total": t.steps_total}, style="List Bullet")
        if t.overdue:
            document.add_paragraph(_("Overdue steps") + f": {t.overdue}", style="List Bullet")
        _docx_table(document, [_("Level"), _("Units"), _("Congress date registered"), _("Congresses held"),
                               _("Pilot congresses held"), _("Deadline")], [
            [row["label"], row["units"], f"{row['registered']}/{row['units']}", f"{row['held']}/{row['units']}",
             f"{row['pilots_held']}/{row['pilots']}" if row["pilots"] else "—",
             _day(row["deadline"].date) if row["deadline"] else "—"]
            for row in d.by_level
        ])


def docx_steps(document, d: Dashboard, heading: str) -> None:
    """Completion per plan step (the briefing's section 3, the briefing pack's too)."""
    document.add_heading(heading, level=2)
    _docx_table(document, [_("Step"), _("Done"), "%"], [
        [s.step.title, f"{s.done}/{s.total}", f"{round(100 * s.done / s.total)}%" if s.total else "—"] for s in d.steps
    ])


def docx_response(document, unit, name: str, day) -> HttpResponse:
    buffer = io.BytesIO()
    document.save(buffer)
    return _attachment(HttpResponse(buffer.getvalue(), content_type=DOCX_TYPE), _filename(unit, name, day, "docx"))


def briefing_docx(b: Briefing) -> HttpResponse:
    """The briefing (dashboards.briefing) as .docx: the summary's numbers and tables, then
    the annex on a page of its own."""
    from docx.enum.text import WD_BREAK

    d, t = b.d, b.d.totals
    document = docx_document(
        _("Congress preparation: briefing report of %(unit)s") % {"unit": d.unit.name},
        _("Term %(term)s · situation as of %(date)s") % {"term": d.terms_label, "date": _day(d.today)})
    docx_overview(document, d, "1. " + _("Overview"))

    document.add_heading("2. " + _("Checks"), level=2)
    for issue in d.own_issues:
        document.add_paragraph(issue, style="List Bullet")
    document.add_paragraph(_("units below dated before one of their subordinate units' congresses")
                           + f": {t.before_subordinates}", style="List Bullet")
    document.add_paragraph(_("units below dated after their level's deadline") + f": {d.after_deadline}",
                           style="List Bullet")

    docx_steps(document, d, "3. " + _("Plan completion per step"))

    document.add_heading("4. " + _("Units needing attention") + f" ({b.attention_total})", level=2)
    if b.attention:
        _docx_table(document, [_("Unit"), _("Reason"), _("Congress date")], [
            [a.row.unit.name, a.row.reason, _day(a.row.congress.counts_on if a.row.congress else None)]
            for a in b.attention
        ])
    else:
        document.add_paragraph(_("No subordinate unit is late."))

    if not d.is_leaf:
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        document.add_heading(_("Annex: units below missing something or late") + f" ({b.annex_total})", level=2)
        document.add_paragraph(_("%(n)s of %(total)s units below have not registered their congress date.") % {
            "n": b.not_registered, "total": t.units_total})
        if b.annex_cut:
            document.add_paragraph(_("The %(shown)s worst of these %(total)s units are named below;") % {
                "shown": len(b.annex), "total": b.annex_total} + " " + _("the unit list names them all") + ".")
        _docx_table(document, [_("Unit"), _("Superior unit"), _("Level"), _("What is missing or late"),
                               _("Congress date")], [
            [a.unit.name, a.unit.parent_name, a.unit.level_label, a.problem, _day(a.unit.congress_date)]
            for a in b.annex
        ])
    return docx_response(document, d.unit, "briefing", d.today)
