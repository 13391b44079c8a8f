"""The briefing pack (issue 14, point 8) and its quarter-end snapshot: the acceptance test
reads the .docx back with python-docx."""

from __future__ import annotations

import datetime as dt
import io

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from docx import Document

from briefings import hooks, services, snapshots
from briefings.models import ProposalStatus, QuarterSnapshot, SnapshotRow, Theme
from briefings.quarters import Quarter
from congresses.selectors import current_terms
from dashboards.selectors import unit_dashboard
from progress.models import OpenDueCount, StepCount

from .conftest import at, tick

Q2 = Quarter(2025, 2)


def _docx_text(response) -> str:
    document = Document(io.BytesIO(response.content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _live_totals(unit):
    return unit_dashboard(unit=unit, terms=current_terms(), today=timezone.localdate()).totals


def test_report_with_three_answered_proposals_is_in_the_pack_with_the_quarter_end_numbers(
        world, congress_a, congress_cell, secretary_a, secretary_cell, superior, client_for):
    # Q2 2025: the cell does three steps, commune A files three proposals, the province answers.
    tick(congress_cell, 3, user=secretary_cell, on=dt.date(2025, 6, 2))
    report = services.report_open(unit=world.commune_a, quarter=Q2, user=secretary_a)
    services.difficulty_add(report=report, user=secretary_a, theme=Theme.FACILITIES, text="Hội trường xuống cấp")
    texts = {Theme.PERSONNEL: "Xin ý kiến về nhân sự bí thư", Theme.DOCUMENTS: "Đề nghị góp ý dự thảo sớm",
             Theme.FACILITIES: "Hỗ trợ kinh phí tổ chức đại hội"}
    proposals = [services.proposal_add(report=report, user=secretary_a, theme=t, text=x) for t, x in texts.items()]
    services.report_submit(report=report, user=secretary_a)
    services.proposal_answer(proposal=proposals[0], user=superior, status=ProposalStatus.ANSWERED,
                             answer="Đồng ý phương án một")
    services.proposal_answer(proposal=proposals[1], user=superior, status=ProposalStatus.FORWARDED,
                             forwarded_to="Ban Tuyên giáo Tỉnh ủy")
    services.proposal_answer(proposal=proposals[2], user=superior, status=ProposalStatus.REJECTED,
                             answer="Ngân sách đã phân bổ")
    at_end = _live_totals(world.province)
    assert at_end.steps_done == 3

    # The first day after the quarter: beat's task takes the snapshot.
    with at(dt.date(2025, 7, 1), hour=0):
        from briefings.tasks import snapshot_previous_quarter

        assert "taken" in snapshot_previous_quarter()
    # July: more progress; today's numbers move on.
    with at(dt.date(2025, 7, 3)):
        tick(congress_a, 2, user=secretary_a, on=dt.date(2025, 7, 2))
        tick(congress_cell, 1, user=secretary_cell, on=dt.date(2025, 7, 2))
        now = _live_totals(world.province)
        assert now.steps_done == 6  # 3 at the quarter's end, then 3 more in July
        response = client_for(superior).get(reverse("briefings:pack_docx", args=[world.province.pk]),
                                            {"quarter": "2025-Q2"})
        page = client_for(superior).get(reverse("briefings:pack", args=[world.province.pk]), {"quarter": "2025-Q2"})
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    text = _docx_text(response)
    assert f"{at_end.steps_done}/{at_end.steps_total} plan steps done across the subtree." in text
    assert f"{now.steps_done}/{now.steps_total} plan steps done" not in text
    assert f"{at_end.registered}/{at_end.units_total} units below have registered" in text
    assert "30/06/2025" in text  # as of the quarter's end
    for proposal in texts.values():
        assert proposal in text
    assert "Đồng ý phương án một" in text
    assert "Forwarded to Ban Tuyên giáo Tỉnh ủy" in text
    assert "Not accepted: Ngân sách đã phân bổ" in text
    assert "Hội trường xuống cấp" in text
    assert "1/2 units below have submitted" in text
    assert "No snapshot of Q1/2025 to compare with." in text
    assert page.status_code == 200 and page.context["pack"].mode == "snapshot"
    assert page.context["pack"].d.totals.steps_done == at_end.steps_done


def test_current_quarter_is_live_and_a_missing_snapshot_is_said_plainly(world, superior, client_for):
    page = client_for(superior).get(reverse("briefings:pack", args=[world.province.pk]))
    assert page.context["pack"].mode == "live"
    assert "The quarter is not over" in page.content.decode()
    page = client_for(superior).get(reverse("briefings:pack", args=[world.province.pk]), {"quarter": "2025-Q1"})
    assert page.context["pack"].mode == "no_snapshot"
    assert "No snapshot was taken at the end of Q1/2025" in page.content.decode()
    future = client_for(superior).get(reverse("briefings:pack", args=[world.province.pk]), {"quarter": "2025-Q3"})
    assert future.status_code == 404


def test_what_changed_is_the_difference_of_two_snapshots(world, congress_cell, secretary_cell, superior, client_for):
    with at(dt.date(2025, 7, 1)):
        call_command("snapshot_quarter", stdout=io.StringIO())  # Q2, nothing done
    with at(dt.date(2025, 8, 1)):
        tick(congress_cell, 2, user=secretary_cell, on=dt.date(2025, 8, 1))
    with at(dt.date(2025, 10, 1)):
        call_command("snapshot_quarter", stdout=io.StringIO())  # Q3
        page = client_for(superior).get(reverse("briefings:pack", args=[world.province.pk]), {"quarter": "2025-Q3"})
    changes = {c.label: (c.before, c.now, c.delta) for c in page.context["pack"].changes}
    assert changes["Plan steps done"] == (0, 2, 2)


def test_snapshot_copies_every_counter_once_and_sums_dates(world, congress_cell, secretary_cell):
    with at(dt.date(2025, 7, 1)):
        snapshot, taken = snapshots.take(Q2)
        again, taken_again = snapshots.take(Q2)
    assert taken and not taken_again and again.pk == snapshot.pk
    assert QuarterSnapshot.objects.count() == 1
    steps = {(r.unit_id, r.key1): (r.value1, r.value2) for r in SnapshotRow.objects.filter(counter="steps")}
    assert steps == {(s.unit_id, str(s.step_id)): (s.total, s.done)
                     for s in StepCount.objects.exclude(total=0, done=0)}
    open_due = {r.unit_id: r.value1 for r in SnapshotRow.objects.filter(counter="open_due")}
    expected: dict[int, int] = {}
    for row in OpenDueCount.objects.filter(due_date__lte=Q2.end):
        expected[row.unit_id] = expected.get(row.unit_id, 0) + row.open
    assert open_due == {k: v for k, v in expected.items() if v}
    # --replace takes it again, without duplicating rows.
    rows = SnapshotRow.objects.count()
    with at(dt.date(2025, 7, 2)):
        call_command("snapshot_quarter", "--quarter", "2025-Q2", "--replace", stdout=io.StringIO())
    assert SnapshotRow.objects.count() == rows


def test_registered_sections_join_the_pack(world, superior, client_for):
    def petitions(ctx):
        return hooks.PackSection(title="Đơn thư", rows=[("Đang giải quyết", 2)])

    hooks.register_pack_section(petitions)
    try:
        page = client_for(superior).get(reverse("briefings:pack", args=[world.province.pk]))
        docx = client_for(superior).get(reverse("briefings:pack_docx", args=[world.province.pk]))
    finally:
        hooks.unregister_pack_section(petitions)
    assert "Đang giải quyết" in page.content.decode()
    assert "Đơn thư" in _docx_text(docx) and "Đang giải quyết | 2" in _docx_text(docx)
