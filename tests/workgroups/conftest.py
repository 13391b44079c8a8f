"""Fixtures of the working-group tests: a group of the province following commune A, with a
member who signs in (`wg_member`), and the province's staff who manage it (`province_secretary`)."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import GrantRole
from tests.factories import SecretaryFactory, UserFactory
from workgroups import services
from workgroups.models import MemberRole

DECIDED = dt.date(2025, 3, 1)


@pytest.fixture
def province_secretary(province):
    return SecretaryFactory(username="province_staff", full_name="Văn phòng Tỉnh ủy", unit=province)


@pytest.fixture
def member_user(db):
    # A portal user with no grant of their own: what they read comes from their assignments.
    return UserFactory(username="wg_member", full_name="Bùi Văn Cường", role=None, email="wg.member@example.vn")


@pytest.fixture
def group(province, term, province_secretary):
    return services.group_create(
        unit=province, term=term, number=1, name="Tổ công tác số 1", decision_number="1668-QĐ/TU",
        decision_date=DECIDED, user=province_secretary, sub_teams=["Văn kiện", "Nhân sự"],
    )


@pytest.fixture
def member(group, member_user, province_secretary):
    return services.member_add(group=group, person=member_user, position="Bí thư Tỉnh ủy", role=MemberRole.LEADER,
                               user=province_secretary, on=DECIDED)


@pytest.fixture
def assignment(member, commune_a, province_secretary):
    return services.assignment_add(member=member, unit=commune_a, user=province_secretary, on=DECIDED)


def follows(user) -> list[int]:
    return sorted(user.grants.filter(role=GrantRole.FOLLOWS).values_list("unit_id", flat=True))
