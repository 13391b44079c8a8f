"""A petition handler's day (issue 14): she registers a named letter about a commune's
personnel with the letter attached, finds it first in her queue, accepts it, starts the
verification, concludes with the signed conclusion and closes the case once answered. The
queue, the form and the case page fit a phone and a laptop and pass axe.

One journey: `live_server` empties the database after each test."""

import pytest
from playwright.sync_api import Page, expect

from petitions.models import Petition, PetitionSender, PetitionStatus
from tests.browser.journeys import axe_violations, log_in
from tests.browser.test_phone_and_desktop import OVERFLOW, WIDTHS
from tests.factories import HandlerFactory, NomineeFactory, PersonnelPlanFactory

pytestmark = [pytest.mark.browser, pytest.mark.axe, pytest.mark.django_db(transaction=True)]

SENDER = "Nguyễn Văn Tốcáo Bímật"


def _fits_and_passes_axe(page: Page) -> list[str]:
    problems = []
    for width, (w, h) in WIDTHS.items():
        page.set_viewport_size({"width": w, "height": h})
        page.reload()
        if (overflow := page.evaluate(OVERFLOW))["page"] > 0:
            problems.append(f"{width} {page.url}: scrolls sideways by {overflow['page']} px")
        if violations := axe_violations(page):
            problems.append(f"{width} {page.url}: axe: {violations}")
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS["laptop"])))
    return problems


def test_a_handler_registers_classifies_concludes_and_closes_a_case(page: Page, live_server, tmp_path, tree, term,
                                                                    congress_a, secretary_a):
    HandlerFactory(username="kiemtra", full_name="Ủy viên Ủy ban Kiểm tra", unit=tree.province)
    nominee = NomineeFactory(plan=PersonnelPlanFactory(congress=congress_a, user=secretary_a), user=secretary_a,
                             full_name="Trần Thị Đềcử")
    letter = tmp_path / "don-to-cao.pdf"
    letter.write_bytes(b"%PDF-1.4 the letter")
    conclusion = tmp_path / "ket-luan.pdf"
    conclusion.write_bytes(b"%PDF-1.4 the conclusion")
    base = live_server.url
    problems = []

    log_in(page, base, "kiemtra")
    page.locator("#nav-petitions").click()
    expect(page.locator("h1")).to_have_text("Đơn thư")
    expect(page.locator(".empty")).to_be_visible()
    problems += _fits_and_passes_axe(page)

    # Register: a denunciation about the commune's personnel, named, with the letter.
    page.locator("#register-petition").click()
    problems += _fits_and_passes_axe(page)
    page.select_option("#id_channel", "post")
    page.select_option("#id_kind", "denunciation")
    page.select_option("#id_unit", label=tree.commune_a.name)
    # The nominees offered are the commune's, asked for when the unit is chosen; choosing
    # one ticks "about congress personnel".
    expect(page.locator("#id_nominee option")).to_have_count(2)
    page.select_option("#id_nominee", str(nominee.pk))
    expect(page.locator("#id_about_personnel")).to_be_checked()
    page.fill("#id_summary", "Phản ánh việc kê khai tài sản của một đồng chí dự kiến tái cử")
    page.set_input_files("#id_attachments", str(letter))
    page.select_option("#id_handler", label="Ủy viên Ủy ban Kiểm tra")
    # Named without a name: refused, what she typed is kept.
    page.locator("#petition-save").click()
    expect(page.locator("#petition-form .errors")).to_contain_text("Nhập họ tên người gửi")
    expect(page.locator("#id_summary")).to_have_value("Phản ánh việc kê khai tài sản của một đồng chí dự kiến tái cử")
    page.fill("#id_sender_name", SENDER)
    page.fill("#id_sender_contact", "0912 345 678")
    page.set_input_files("#id_attachments", str(letter))
    page.locator("#petition-save").click()
    expect(page.locator("#case-status")).to_have_text("Đã tiếp nhận")
    expect(page.locator("#case-sender")).to_contain_text(SENDER)
    expect(page.locator("#case-due")).to_contain_text("còn 7 ngày")
    expect(page.locator("#case-files a")).to_have_text("don-to-cao.pdf")
    problems += _fits_and_passes_axe(page)

    # Her queue: the case, assigned to her, with its days left; never the sender.
    page.locator("#nav-petitions").click()
    expect(page.locator("#cases tr.case")).to_have_count(1)
    expect(page.locator("#cases")).not_to_contain_text(SENDER)
    page.locator("#cases tr.case a").click()

    # Classify (accept), verify, conclude with the signed file, close.
    page.check("input[name=decision][value=accepted]")
    page.locator("#classify-form button[type=submit]").click()
    expect(page.locator("#case-status")).to_have_text("Đã thụ lý")
    expect(page.locator("#case-due")).to_contain_text("còn 30 ngày")
    page.locator("#verify-form button[type=submit]").click()
    expect(page.locator("#case-status")).to_have_text("Đang xác minh")
    page.fill("#id_conclusion", "Nội dung phản ánh không có cơ sở.")
    page.set_input_files("#id_conclusion_file", str(conclusion))
    page.locator("#conclude-form button[type=submit]").click()
    expect(page.locator("#case-status")).to_have_text("Đã kết luận")
    expect(page.locator("#case-conclusion")).to_contain_text("không có cơ sở")
    page.fill("#close-form textarea", "Đã trả lời người gửi bằng văn bản")
    page.locator("#close-form button[type=submit]").click()
    expect(page.locator("#case-status")).to_have_text("Đã trả lời, kết thúc")
    expect(page.locator("#case-finished")).to_be_visible()
    expect(page.locator("#steps li")).to_have_count(6)  # registered, assigned, accepted, verifying, concluded, closed
    problems += _fits_and_passes_axe(page)

    case = Petition.objects.get()
    assert case.status == PetitionStatus.CLOSED and case.about_personnel and case.conclusion_file
    assert PetitionSender.objects.get(pk=case.pk).full_name == SENDER
    assert not problems, "\n".join(problems)


def test_a_handler_of_many_units_finds_the_unit_by_searching(page: Page, live_server, tree, term, congress_a,
                                                             secretary_a, monkeypatch):
    from petitions.forms import PetitionForm

    monkeypatch.setattr(PetitionForm, "SELECT_LIMIT", 2)  # the province handles more than two units
    HandlerFactory(username="kiemtra", full_name="Ủy viên Ủy ban Kiểm tra", unit=tree.province)
    nominee = NomineeFactory(plan=PersonnelPlanFactory(congress=congress_a, user=secretary_a), user=secretary_a,
                             full_name="Trần Thị Đềcử")
    log_in(page, live_server.url, "kiemtra")
    page.goto(live_server.url + "/petitions/register/")
    expect(page.locator("#id_unit")).to_have_count(0)
    problems = _fits_and_passes_axe(page)
    page.fill("#picker-unit", "an phu")
    page.locator(".picker-option").first.click()
    expect(page.locator(".picker-chosen li")).to_have_text(f"{tree.commune_a.name} ×")
    expect(page.locator("#id_nominee option")).to_have_count(2)
    problems += [f"with a unit chosen: {v}" for v in axe_violations(page)]
    assert problems == []
    page.select_option("#id_nominee", str(nominee.pk))
    page.select_option("#id_channel", "post")
    page.select_option("#id_kind", "proposal")
    page.fill("#id_summary", "Kiến nghị về nhân sự")
    page.check("#id_anonymous")
    page.locator("#petition-save").click()
    expect(page.locator("#case-status")).to_have_text("Đã tiếp nhận")
    case = Petition.objects.get()
    assert (case.unit_id, case.nominee_id, case.about_personnel) == (tree.commune_a.pk, nominee.pk, True)
