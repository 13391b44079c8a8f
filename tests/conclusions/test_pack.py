"""The briefing pack's first section (issue 16, point 5): the last conclusion before the
briefing, each task with its state and the body's last report; the print fragment and the
.docx writer; the conclusion's own print page and .docx."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse
from docx import Document

from conclusions import pack, services
from conclusions.models import MeetingKind, TaskState
from conclusions.selectors import last_conclusion

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def tracked(conclusion, bodies, organisation_member, propaganda_member, office):
    """By 10/10/2025: the organisation board closed its task, the propaganda board reported and
    is late (due 31/08), the office's task was carried over to quarter IV."""
    tasks = {t.body_id: t for t in conclusion.tasks.all()}
    with time_machine.travel(dt.datetime(2025, 8, 20, 9, 0, tzinfo=HCM), tick=False):
        services.task_close(task=tasks[bodies.organisation.pk], text="Đã trình đề án nhân sự",
                            user=organisation_member)
        services.task_report(task=tasks[bodies.propaganda.pk], text="Đã in 5.000 tờ rơi", user=propaganda_member)
    with time_machine.travel(dt.datetime(2025, 9, 29, 9, 0, tzinfo=HCM), tick=False):
        services.task_carry_over(task=tasks[bodies.office.pk], reason="Chờ số liệu cấp huyện", user=office)
    return conclusion


def test_last_conclusion_is_the_latest_held_before_the_day(province, office, chair, bodies, conclusion):
    later = services.conclusion_record(
        unit=province, kind=MeetingKind.BRIEFING, held_on=dt.date(2025, 10, 8), year=2025, quarter=3, chair=chair,
        text="Kết luận quý III", user=office,
        tasks=[services.TaskSpec(what="x", body=bodies.office, next_quarter=True)])

    assert later.tasks.get().due_date == dt.date(2025, 12, 31)
    assert last_conclusion(province, before=dt.date(2025, 10, 8)) == conclusion
    assert last_conclusion(province, before=dt.date(2025, 10, 9)) == later
    assert last_conclusion(province, before=dt.date(2025, 7, 7)) is None


def test_the_section_gives_each_tasks_state_and_last_report(tracked, province, english):
    section = pack.pack_section(province, before=dt.date(2025, 10, 10), on=dt.date(2025, 10, 10))

    assert [(t.responsible, t.state) for t in section.tasks] == [
        ("Ban Tổ chức Tỉnh ủy", TaskState.DONE), ("Ban Tuyên giáo Tỉnh ủy", TaskState.LATE),
        ("Văn phòng Tỉnh ủy", TaskState.CARRIED_OVER)]
    assert section.tasks[1].last_report == "Đã in 5.000 tờ rơi"
    assert section.tasks[2].due_changes == [(dt.date(2025, 9, 30), dt.date(2025, 12, 31), "Chờ số liệu cấp huyện")]
    assert section.counts == {"done": 1, "late": 1, "carried_over": 1, "open": 0}
    assert section.summary == "1 done, 2 open (of which 1 late, 1 carried over)"

    html = render_to_string("conclusions/_pack_section.html", {"section": section})
    assert html.count('data-state="done"') == 1 and 'data-state="late"' in html and "Đã in 5.000 tờ rơi" in html


def test_the_docx_writer_reads_back(tracked, province, english):
    section = pack.pack_section(province, before=dt.date(2025, 10, 10), on=dt.date(2025, 10, 10))
    document = Document()
    pack.write_docx_section(document, section)
    buffer = io.BytesIO()
    document.save(buffer)

    read = Document(io.BytesIO(buffer.getvalue()))
    text = "\n".join(p.text for p in read.paragraphs)
    assert "The last conclusion: Quarterly briefing, quarter 2/2025, 07/07/2025" in text
    assert "1 done, 2 open" in text
    rows = [[c.text for c in row.cells] for row in read.tables[0].rows]
    assert rows[1][1:] == ["Ban Tổ chức Tỉnh ủy", "Tham mưu đề án nhân sự", "30/09/2025", "Done (20/08/2025)",
                           "Đã trình đề án nhân sự"]
    assert rows[2][4] == "Late" and rows[2][5] == "Đã in 5.000 tờ rơi"
    assert rows[3][4] == "Carried over" and "Chờ số liệu cấp huyện" in rows[3][3]


def test_no_conclusion_yet(province, english):
    assert pack.pack_section(province) is None
    document = Document()
    pack.write_docx_section(document, None)
    assert "No conclusion has been recorded yet." in [p.text for p in document.paragraphs]


def test_the_conclusions_print_page_and_docx(tracked, client_for, viewer):
    client = client_for(viewer)
    with time_machine.travel(dt.datetime(2025, 10, 10, 9, 0, tzinfo=HCM), tick=False):
        page = client.get(reverse("conclusions:conclusion_print", args=[tracked.pk])).content.decode()
        docx = client.get(reverse("conclusions:conclusion_docx", args=[tracked.pk]))
    assert 'data-done="1" data-open="2"' in page and "<script>" not in page.split("<main")[1]
    read = Document(io.BytesIO(docx.content))
    assert [row.cells[4].text for row in read.tables[0].rows][1:] == ["Done (20/08/2025)", "Late", "Carried over"]
