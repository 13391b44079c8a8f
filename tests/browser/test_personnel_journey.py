"""A commune secretary enters a personnel plan with nominees; a check warns, she
acknowledges it with a reason and submits; the province's secretary returns it with a
comment; she fixes it and submits again; the province approves it and the plan is frozen.

One journey, deliberately: `live_server` empties the database after each test."""

import pytest
from playwright.sync_api import Page, expect

from personnel.models import PersonnelPlan, PlanStatus, PlanTransition
from tests.browser.journeys import log_in as _log_in
from tests.factories import SecretaryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_out(page: Page) -> None:
    page.locator("header form[action$='/logout/'] button").click()
    expect(page.locator("#id_username")).to_be_visible()


def _add_nominee(page: Page, name: str, born: str, gender: str, *, another: bool) -> None:
    page.fill("#id_full_name", name)
    page.fill("#id_date_of_birth", born)
    page.select_option("#id_gender", gender)
    page.fill("#id_ethnicity", "Kinh")
    page.check("input[name=bodies][value=executive]")
    page.locator("#nominee-save-another" if another else "#nominee-save").click()
    page.wait_for_load_state()


def test_secretary_enters_acknowledges_submits_superior_returns_then_approves(
    page: Page, live_server, tree, congress_a, secretary_a
):
    SecretaryFactory(username="province_secretary", full_name="Bí thư Tỉnh ủy", unit=tree.province)
    base = live_server.url

    # The commune's secretary opens the plan of her congress: three seats.
    _log_in(page, base, "secretary_a")
    page.locator("#nav-personnel").click()
    page.locator(f"#open-plan-{congress_a.pk}").click()
    page.fill("#id_executive_seats", "3")
    for name in ("standing_seats", "deputy_seats", "inspection_seats", "delegation_seats"):
        page.fill(f"#id_{name}", "0")
    page.fill("#id_planning_reviewed", "30")
    page.fill("#id_planning_added", "23")
    page.locator("#plan-form button[type=submit]").click()
    page.locator("#nominee-add").click()

    # Three nominees, all men: the women's target (15%) warns, live before saving too.
    _add_nominee(page, "Nguyễn Văn Một", "01/01/1975", "male", another=True)
    _add_nominee(page, "Trần Văn Hai", "02/02/1988", "male", another=True)
    page.fill("#id_full_name", "Lê Văn Ba")
    page.fill("#id_date_of_birth", "03/03/1970")
    page.select_option("#id_gender", "male")
    page.check("input[name=bodies][value=executive]")
    page.locator("#nominee-preview").click()
    expect(page.locator("#plan-checks li.check.warn[data-code=women]")).to_contain_text("0/3 = 0%")
    page.locator("#nominee-save").click()
    expect(page.locator("#nominees tr.nominee")).to_have_count(3)
    expect(page.locator("#plan-checks li.check.warn[data-code=women]")).to_be_visible()

    # Submitting before acknowledging is refused; she acknowledges with a reason, submits.
    page.locator("#submit-form button[type=submit]").click()
    expect(page.locator("#plan-status")).to_have_attribute("class", "status s-draft")
    page.fill(".ack-form[data-code=women] textarea", "Chưa có cán bộ nữ đủ tiêu chuẩn")
    page.locator(".ack-form[data-code=women] button").click()
    for code in [c for c in ("surplus_secretary",) if page.locator(f".ack-form[data-code={c}]").count()]:
        page.fill(f".ack-form[data-code={code}] textarea", "Bầu bí thư tại hội nghị cấp ủy")
        page.locator(f".ack-form[data-code={code}] button").click()
    expect(page.locator("#acknowledgements li[data-code=women]")).to_contain_text("Chưa có cán bộ nữ")
    page.locator("#submit-form button[type=submit]").click()
    expect(page.locator("#plan-status")).to_have_attribute("class", "status s-submitted")
    expect(page.locator("#nominee-add")).to_have_count(0)
    _log_out(page)

    # The province's secretary reads the warning and its reason, and returns the plan.
    plan = PersonnelPlan.objects.get(congress=congress_a)
    _log_in(page, base, "province_secretary")
    page.goto(f"{base}/personnel/plans/{plan.pk}/")
    expect(page.locator("#acknowledgements li[data-code=women]")).to_contain_text("Chưa có cán bộ nữ")
    page.fill("#return-form textarea", "Bổ sung một đồng chí nữ")
    page.locator("#return-form button[type=submit]").click()
    expect(page.locator("#plan-status")).to_have_attribute("class", "status s-returned")
    _log_out(page)

    # She replaces a nominee by a woman and submits again: the check passes now.
    _log_in(page, base, "secretary_a")
    page.goto(f"{base}/personnel/plans/{plan.pk}/")
    expect(page.locator("#transitions")).to_contain_text("Bổ sung một đồng chí nữ")
    page.locator("#nominees tr.nominee").nth(2).locator("a").click()
    page.fill("#id_full_name", "Lê Thị Ba")
    page.select_option("#id_gender", "female")
    page.locator("#nominee-save").click()
    expect(page.locator("#plan-checks li.check.ok[data-code=women]")).to_contain_text("1/3 = 33.3%")
    page.locator("#submit-form button[type=submit]").click()
    expect(page.locator("#plan-status")).to_have_attribute("class", "status s-submitted")
    _log_out(page)

    # The province approves: the plan is frozen.
    _log_in(page, base, "province_secretary")
    page.goto(f"{base}/personnel/plans/{plan.pk}/")
    page.locator("#approve-form button[type=submit]").click()
    expect(page.locator("#plan-status")).to_have_attribute("class", "status s-approved")
    expect(page.locator("#frozen")).to_be_visible()
    _log_out(page)
    _log_in(page, base, "secretary_a")
    page.goto(f"{base}/personnel/plans/{plan.pk}/")
    expect(page.locator("#frozen")).to_be_visible()
    expect(page.locator("#nominee-add")).to_have_count(0)
    expect(page.locator("#plan-edit")).to_have_count(0)
    expect(page.locator("#submit-form")).to_have_count(0)
    expect(page.locator("#revise-form")).to_be_visible()

    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    assert list(PlanTransition.objects.filter(plan=plan).values_list("to_status", flat=True)) == [
        "submitted", "returned", "submitted", "approved"]
