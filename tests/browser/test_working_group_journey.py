"""The province's office sets up a working group from its decision and assigns a member five
units with the search-as-you-type picker; the member signs in, lands on "my units", writes
a follow-up entry for a unit, and that unit's secretary reads it.

One journey, deliberately: `live_server` empties the database after each test."""

import re

import pytest
from playwright.sync_api import Page, expect

from committees.models import Level
from tests.browser.journeys import log_in as _log_in
from tests.factories import SecretaryFactory, UnitFactory, UserFactory
from workgroups.models import FollowUp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What to type in the picker (no accents) for each of the five units.
FIVE = [("an phu", "A"), ("binh minh", "B"), ("cu m'gar", "C"), ("dray bhang", "D"), ("ea tu", "E")]


def _log_out(page: Page) -> None:
    page.locator("header form[action$='/logout/'] button").click()
    expect(page.locator("#id_username")).to_be_visible()


def test_office_sets_up_a_group_member_follows_five_units_secretary_reads_the_log(
    page: Page, live_server, tree, term, secretary_b
):
    province = tree.province
    for code, name in (("C", "Đảng bộ xã Cư M'gar"), ("D", "Đảng bộ xã Dray Bhăng"), ("E", "Đảng bộ xã Ea Tu")):
        UnitFactory(code=code, name=name, level=Level.UPPER, parent=province)
    SecretaryFactory(username="province_staff", full_name="Văn phòng Tỉnh ủy", unit=province)
    UserFactory(username="wg_member", full_name="Bùi Văn Cường", role=None)
    base = live_server.url

    # The office creates the group from its decision.
    _log_in(page, base, "province_staff")
    page.goto(f"{base}/working-groups/")
    page.locator(f"a[href$='/units/{province.pk}/working-groups/new/']").click()
    page.fill("#id_number", "1")
    page.fill("#id_name", "Tổ công tác số 1")
    page.fill("#id_decision_number", "1668-QĐ/TU")
    page.fill("#id_decision_date", "2019-09-16")  # a native date picker takes ISO
    page.fill("#id_sub_teams", "Văn kiện\nNhân sự\nTuyên truyền, hậu cần, phục vụ")
    page.locator("#group-form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Tổ công tác số 1")
    expect(page.locator("#sub-teams li")).to_have_count(3)

    # Adds its leader, a portal user, and assigns him five units with the picker.
    page.fill("#id_username", "wg_member")
    page.select_option("#id_role", "leader")
    page.locator("#member-form button[type=submit]").click()
    expect(page.locator("tr.member")).to_contain_text("Bùi Văn Cường")
    page.select_option("#id_member", label="Bùi Văn Cường")
    for typed, code in FIVE:
        page.fill("#picker-units", typed)
        option = page.locator(".picker-option", has_text=f"({code},")
        expect(option).to_have_count(1)
        option.click()
    expect(page.locator(".picker-chosen li")).to_have_count(5)
    page.locator("#assignment-form button[type=submit]").click()
    expect(page.locator("#units li")).to_have_count(5)
    _log_out(page)

    # The member lands on "my units" and sees the five.
    _log_in(page, base, "wg_member")
    expect(page).to_have_url(re.compile(r"/my-units/$"))
    expect(page.locator("#my-units tbody tr")).to_have_count(5)
    row = page.locator("#my-units tbody tr[data-unit='B']")
    row.locator("a[href$='/follow-ups/']").click()
    page.select_option("#id_kind", "visit")
    page.fill("#id_happened_on", "2025-03-05")  # a native date picker takes ISO
    page.fill("#id_text", "Làm việc với Ban Thường vụ Đảng ủy xã Bình Minh về văn kiện")
    page.locator("#follow-up-form button[type=submit]").click()
    expect(page.locator("#follow-ups li")).to_contain_text("Làm việc với Ban Thường vụ")
    page.goto(f"{base}/my-units/")
    expect(page.locator("#my-units tbody tr[data-unit='B'] .latest")).to_contain_text("05/03/2025")
    _log_out(page)

    # Commune B's secretary reads the entry in the unit's follow-up log.
    _log_in(page, base, "secretary_b")
    page.goto(f"{base}/units/{tree.commune_b.pk}/")
    page.locator(f"a[href$='/units/{tree.commune_b.pk}/follow-ups/']").click()
    expect(page.locator("#follow-ups li")).to_contain_text("Làm việc với Ban Thường vụ Đảng ủy xã Bình Minh")
    expect(page.locator("#follow-ups li")).to_contain_text("Bùi Văn Cường")
    assert FollowUp.objects.count() == 1
