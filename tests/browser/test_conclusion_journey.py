"""Issue 16's journey: the provincial office records a briefing's conclusion with three
tasks; a member of the Organisation Board finds the task on "my tasks" and closes it with
evidence; the conclusion's print page (the briefing pack's first section) shows 1 done,
2 open. The pages pass axe-core (no critical or serious violation) on the way.

One journey: `live_server` empties the database after each test."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from django.utils import translation

from conclusions.models import Conclusion, Task, TaskStatus
from conclusions.pack import section_for
from tests.browser.journeys import axe_violations as _axe
from tests.browser.journeys import log_in, log_out as _log_out
from tests.conclusions.conftest import bodies, chair, office, organisation_member  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.axe, pytest.mark.django_db(transaction=True)]

def _task_row(page: Page, index: int, body_name: str, what: str) -> None:
    row = page.locator(f"fieldset.task-row[data-row='{index}']")
    row.locator("select[name$='-responsible']").select_option(label=body_name)
    row.locator("textarea[name$='-what']").fill(what)
    row.locator("input[name$='-next_quarter']").check()


def test_office_records_three_tasks_a_board_member_closes_one_the_print_page_shows_it(
    page: Page, live_server, tmp_path, term, province, bodies, office, organisation_member, chair
):
    base = live_server.url
    evidence = tmp_path / "de-an-nhan-su.pdf"
    evidence.write_bytes(b"%PDF-1.4 de an nhan su")

    # The office records the conclusion of the briefing about last quarter, held today: the
    # pack of this quarter (the next briefing's) opens with it.
    log_in(page, base, "office")
    page.goto(f"{base}/units/{province.pk}/conclusions/")
    expect(page.locator("main .empty")).to_be_visible()
    page.locator("#new-conclusion").click()
    assert _axe(page) == []
    page.select_option("#id_kind", "briefing")
    # Held today (the browser runs on the real clock): the tasks are due at the end of the
    # quarter after the briefing's, this one.
    today = dt.date.today()
    quarter = (today.month - 1) // 3 + 1
    last_year, last_quarter = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
    page.fill("#id_held_on", today.isoformat())
    page.fill("#id_year", str(last_year))
    page.select_option("#id_quarter", str(last_quarter))
    page.fill("#id_chair_name", "đồng chí Lê Quang Huy, Phó Bí thư Tỉnh ủy")
    page.fill("#id_chair_username", "chair")
    page.fill("#id_text", "Các Ban Đảng và Văn phòng Tỉnh ủy tập trung chỉ đạo Đại hội Đảng cấp trên cơ sở.")
    _task_row(page, 0, "Ban Tổ chức Tỉnh ủy", "Tham mưu đề án nhân sự đại hội")
    _task_row(page, 1, "Ban Tuyên giáo Tỉnh ủy", "Tuyên truyền trước, trong và sau đại hội")
    # The "add a row" button adds a seventh row; the third task goes in it.
    page.locator("#add-task-row").click()
    expect(page.locator("fieldset.task-row")).to_have_count(7)
    _task_row(page, 6, "Văn phòng Tỉnh ủy", "Tổng hợp ý kiến góp ý văn kiện")
    page.locator("#conclusion-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/conclusions/\d+/$"))
    expect(page.locator("#task-summary")).to_contain_text("0")
    expect(page.locator("#tasks tbody tr")).to_have_count(3)
    conclusion_url = page.url
    _log_out(page)

    # A member of the Organisation Board lands on "my tasks" and closes the task with evidence.
    log_in(page, base, "org_member")
    expect(page.locator("#my-tasks tbody tr")).to_have_count(1)
    page.locator("#my-tasks tbody tr a").click()
    assert _axe(page) == []
    page.fill("#close-form textarea[name=text]", "Đã trình Ban Thường vụ đề án nhân sự")
    page.set_input_files("#close-form input[type=file]", str(evidence))
    page.locator("#close-form button[type=submit]").click()
    expect(page.locator("#task-done")).to_contain_text("Đã trình Ban Thường vụ đề án nhân sự")
    expect(page.locator("#task-evidence")).to_be_visible()
    _log_out(page)

    # The office's print page of the conclusion: 1 done, 2 open.
    log_in(page, base, "office")
    page.goto(conclusion_url)
    page.locator("#conclusion-print").click()
    summary = page.locator("#task-summary")
    expect(summary).to_have_attribute("data-done", "1")
    expect(summary).to_have_attribute("data-open", "2")
    expect(page.locator("#pack-tasks tr[data-state='done']")).to_have_count(1)
    expect(page.locator("#pack-tasks tr[data-state='open']")).to_have_count(2)
    assert _axe(page) == []
    assert Task.objects.filter(status=TaskStatus.DONE).count() == 1

    # This quarter's briefing pack opens with that conclusion: 1 done, 2 open.
    page.goto(f"{base}/units/{province.pk}/briefing-pack/")
    first = page.locator("main section.pack-extra").first
    with translation.override("vi"):  # the portal's default language, which the browser gets
        summary = section_for(Conclusion.objects.get(), on=today).summary
    expect(first).to_contain_text(summary)
    assert summary.startswith("1 ") and " 2 " in summary
    expect(first.locator("tbody tr")).to_have_count(3)
    expect(first.locator("tbody tr", has_text="Đã trình Ban Thường vụ đề án nhân sự")).to_have_count(1)
    assert first.evaluate("s => s.compareDocumentPosition(document.getElementById('pack-numbers'))") & 4
    assert _axe(page) == []

    # On a phone (390 px) the pages do not scroll sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    task = Task.objects.get(status=TaskStatus.DONE)
    for path in (f"/units/{province.pk}/conclusions/new/", conclusion_url.removeprefix(base), task.get_absolute_url(),
                 f"/units/{province.pk}/bodies/", "/my-tasks/"):
        page.goto(base + path)
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, path
