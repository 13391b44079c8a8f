import datetime as dt

import pytest

from tests.factories import NomineeFactory, PersonnelPlanFactory, SecretaryFactory

# Fifteen seats, three women, two under 40, one Xơ Đăng, five new: the figures the checks show.
WOMEN = 3


def fifteen(plan, *, user=None):
    """Fifteen executive nominees: three women, two young (born 1990), one minority, five
    new; the first is proposed for secretary, the second for deputy."""
    out = []
    for i in range(15):
        bodies = ["executive"]
        if i == 0:
            bodies.append("secretary")
        if i == 1:
            bodies.append("deputy")
        out.append(NomineeFactory(
            plan=plan, user=user, full_name=f"Người Đề Cử ZQX{i:02d}",
            gender="female" if i < WOMEN else "male",
            date_of_birth=dt.date(1990, 1, 1) if i in (3, 4) else dt.date(1972, 3, 10),
            ethnicity="Xơ Đăng" if i == 5 else "Kinh",
            renominated=i >= 5, bodies=bodies))
    return out


@pytest.fixture
def plan_a(congress_a, secretary_a):
    return PersonnelPlanFactory(congress=congress_a, user=secretary_a, executive_seats=15, standing_seats=0,
                                deputy_seats=1, inspection_seats=0, delegation_seats=0)


@pytest.fixture
def province_secretary(province):
    return SecretaryFactory(username="province_secretary", full_name="Bí thư Tỉnh", unit=province)


@pytest.fixture
def plan_b(congress_b, secretary_b):
    return PersonnelPlanFactory(congress=congress_b, user=secretary_b, executive_seats=9)
