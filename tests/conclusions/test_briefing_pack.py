"""The next quarterly briefing pack opens with the last conclusion (issue 16, point 5), and
carries the petitions as counts (issue 14, point 8): the sections the conclusions and
petitions apps register in the briefings pack (briefings.hooks), on the page and in the
.docx read back with python-docx."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from docx import Document

from conclusions import services
from conclusions.models import MeetingKind
from petitions import services as petition_services
from tests.conclusions.test_pack import tracked  # noqa: F401  (the fixture)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def _docx_lines(response) -> list[str]:
    document = Document(io.BytesIO(response.content))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return lines


def _pack(client, unit, quarter):
    page = client.get(reverse("briefings:pack", args=[unit.pk]), {"quarter": quarter})
    docx = client.get(reverse("briefings:pack_docx", args=[unit.pk]), {"quarter": quarter})
    assert page.status_code == 200 and docx.status_code == 200
    return page.content.decode(), _docx_lines(docx)


def test_the_next_pack_opens_with_the_last_conclusion_and_each_tasks_state(tracked, province, viewer, client_for,
                                                                          term):
    """Quarter II's conclusion (07/07/2025, three tasks): by 10/10 the organisation board
    closed its task, the propaganda board is late, the office's was carried over — the pack
    of quarter III lists each with its state, before the quarter's numbers: 1 done, 2 open."""
    with time_machine.travel(dt.datetime(2025, 10, 10, 9, 0, tzinfo=HCM), tick=False):
        page, lines = _pack(client_for(viewer), province, "2025-Q3")

    heading = "The last conclusion: "
    assert heading in page
    assert page.index(heading) < page.index("Tham mưu đề án nhân sự")
    assert "1 done, 2 open (of which 1 late, 1 carried over)" in page
    first = next(i for i, line in enumerate(lines) if heading in line)  # "1. The last conclusion: …"
    assert "07/07/2025" in lines[first]
    rows = [line for line in lines if line.startswith(("1. ", "2. ", "3. ")) and " | " in line]
    assert len(rows) == 3
    assert any("Tham mưu đề án nhân sự" in r and "Done" in r and "Đã trình đề án nhân sự" in r for r in rows)
    assert any("Tuyên truyền đại hội" in r and "Late" in r and "Đã in 5.000 tờ rơi" in r for r in rows)
    assert any("Tổng hợp báo cáo" in r and "Carried over" in r for r in rows)


def test_the_briefing_of_the_quarter_itself_belongs_to_the_next_pack(tracked, province, office, chair, bodies,
                                                                     viewer, client_for, term):
    with time_machine.travel(dt.datetime(2025, 10, 10, 9, 0, tzinfo=HCM), tick=False):
        services.conclusion_record(
            unit=province, kind=MeetingKind.BRIEFING, held_on=dt.date(2025, 9, 30), year=2025, quarter=3,
            chair=chair, text="Kết luận giao ban quý III.", user=office,
            tasks=[services.TaskSpec(what="Hoàn thiện văn kiện", body=bodies.propaganda, next_quarter=True)])
        q3, _ = _pack(client_for(viewer), province, "2025-Q3")
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, 0, tzinfo=HCM), tick=False):
        q4, _ = _pack(client_for(viewer), province, "2025-Q4")

    assert "Tham mưu đề án nhân sự" in q3 and "Hoàn thiện văn kiện" not in q3
    assert "Hoàn thiện văn kiện" in q4 and "30/09/2025" in q4


def test_the_pack_carries_the_petitions_as_counts_never_the_case(province, commune_a, viewer, client_for, term):
    handler = UserFactory(username="inspector", full_name="Ủy ban Kiểm tra", role="petitions", unit=province)
    petition_services.petition_register(
        user=handler, unit=commune_a, received_on=dt.date.today(), channel="post", kind="complaint",
        summary="Nội dung vụ việc bí mật", anonymous=False,
        sender={"full_name": "Người Gửi Đơn Kín", "contact": "0912345678"}, handler=handler)

    page, lines = _pack(client_for(viewer), province, "")

    assert "Petitions" in page
    assert any(line.startswith("Open | 1") for line in lines)
    for text in ("Người Gửi Đơn Kín", "0912345678", "Nội dung vụ việc bí mật"):
        assert text not in page and not any(text in line for line in lines)
