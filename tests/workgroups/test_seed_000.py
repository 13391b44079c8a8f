"""Acceptance (issue 11): seed 000 entered through the portal's pages. The Tỉnh ủy sets up
Tổ công tác số 1 by Quyết định 1668-QĐ/TU of 16/09/2019 to follow five units, with three
sub-teams; its coverage lists exactly those five; its members see those units' dashboards
and get a 404 elsewhere."""

from __future__ import annotations

import pytest
from django.urls import reverse

from committees.models import Level
from tests.factories import SecretaryFactory, TermFactory, UnitFactory, UserFactory
from workgroups.models import Assignment, GroupMember, WorkingGroup

pytestmark = pytest.mark.django_db

FIVE = [
    ("QS", "Đảng bộ Quân sự tỉnh"),
    ("KCQ", "Đảng bộ Khối các cơ quan và doanh nghiệp tỉnh"),
    ("BMT", "Đảng bộ thành phố Buôn Ma Thuột"),
    ("BD", "Đảng bộ huyện Buôn Đôn"),
    ("KA", "Đảng bộ huyện Krông Ana"),
]
SUB_TEAMS = ["Công tác Văn kiện đại hội", "Công tác nhân sự đại hội",
             "Công tác tuyên truyền, hậu cần, phục vụ đại hội"]


@pytest.fixture
def daklak(db):
    TermFactory(start_year=2020)
    province = UnitFactory(code="DL", name="Đảng bộ tỉnh Đắk Lắk", level=Level.PROVINCE)
    units = {code: UnitFactory(code=code, name=name, level=Level.UPPER, parent=province) for code, name in FIVE}
    units["EK"] = UnitFactory(code="EK", name="Đảng bộ huyện Ea Kar", level=Level.UPPER, parent=province)
    units["BD1"] = UnitFactory(code="BD1", name="Đảng bộ xã Ea Nuôl", level=Level.GRASSROOTS, parent=units["BD"])
    staff = SecretaryFactory(username="vp_tinh_uy", unit=province)
    cuong = UserFactory(username="bvcuong", full_name="Bùi Văn Cường", role=None)
    nghia = UserFactory(username="lvnghia", full_name="Lê Văn Nghĩa", role=None)
    return province, units, staff, cuong, nghia


def test_seed_000_entered_through_the_pages(daklak, client_for):
    province, units, staff, cuong, nghia = daklak
    office = client_for(staff)

    # The picker finds the units without their accents.
    found = office.get(reverse("workgroups:unit_picker"), {"q": "buon don", "under": province.pk}).json()["results"]
    assert [u["code"] for u in found] == ["BD"]

    # The group, from its decision, with the five units it names and its three sub-teams.
    response = office.post(reverse("workgroups:group_create", args=[province.pk]), {
        "number": "1", "name": "Tổ công tác số 1", "decision_number": "1668-QĐ/TU", "decision_date": "16/09/2019",
        "purpose": "Theo dõi, chỉ đạo đại hội 5 đảng bộ trực thuộc tỉnh", "sub_teams": "\n".join(SUB_TEAMS),
        "units": [units[code].pk for code, _name in FIVE],
    })
    group = WorkingGroup.objects.get()
    assert response.status_code == 302 and response["Location"] == group.get_absolute_url()
    assert (group.decision_number, group.decision_date.strftime("%d/%m/%Y")) == ("1668-QĐ/TU", "16/09/2019")
    assert list(group.sub_teams.values_list("name", flat=True)) == SUB_TEAMS

    # The leader and a member who use the portal, each assigned units.
    teams = list(group.sub_teams.all())
    for username, role, team in (("bvcuong", "leader", teams[0]), ("lvnghia", "member", teams[1])):
        response = office.post(reverse("workgroups:member_add", args=[group.pk]), {
            "username": username, "full_name": "", "position": "", "role": role, "sub_team": team.pk})
        assert response.status_code == 302
    leader, member = GroupMember.objects.get(user=cuong), GroupMember.objects.get(user=nghia)
    office.post(reverse("workgroups:assignment_add", args=[group.pk]),
                {"member": leader.pk, "units": [units["QS"].pk, units["KCQ"].pk, units["BMT"].pk]})
    office.post(reverse("workgroups:assignment_add", args=[group.pk]),
                {"member": member.pk, "units": [units["BD"].pk, units["KA"].pk]})
    assert Assignment.objects.active().count() == 5

    # The group's coverage lists exactly its five units.
    page = office.get(reverse("workgroups:coverage", args=[province.pk]), {"group": group.pk})
    assert [r.unit.code for r in page.context["c"].rows] == [code for code, _name in FIVE]
    # Unfiltered, the unit nobody follows comes first, and the count says 5/6.
    page = office.get(reverse("workgroups:coverage", args=[province.pk]))
    assert page.context["c"].rows[0].unit.code == "EK"
    assert "5/6 followed" in page.content.decode()

    # A member lands on "my units" and sees those units' dashboards, and a 404 elsewhere.
    reader = client_for(nghia)
    assert reader.get(reverse("home"))["Location"] == reverse("workgroups:my_units")
    mine = reader.get(reverse("workgroups:my_units"))
    assert [r.unit.code for r in mine.context["rows"]] == ["BD", "KA"]
    for code in ("BD", "KA", "BD1"):
        assert reader.get(reverse("dashboards:unit_dashboard", args=[units[code].pk])).status_code == 200
    for unit in (units["QS"], units["EK"], province):
        assert reader.get(reverse("dashboards:unit_dashboard", args=[unit.pk])).status_code == 404
        assert reader.get(reverse("committees:unit_detail", args=[unit.pk])).status_code == 404
