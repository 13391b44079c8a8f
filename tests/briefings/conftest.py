"""Fixtures of the briefing tests: the standard tree with congresses for both communes and
cell A1, the province's secretary (the communes' superior), and a clock frozen in the
second quarter of 2025 (Asia/Ho_Chi_Minh)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from congresses.models import MilestoneStatus
from congresses.services import milestone_update
from tests.factories import SecretaryFactory

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: dt.date, hour: int = 9):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=HCM), tick=False)


@pytest.fixture
def frozen():
    with at(dt.date(2025, 6, 5)) as traveller:
        yield traveller


@pytest.fixture
def superior(province):
    return SecretaryFactory(username="secretary_province", full_name="Đỗ Văn Tỉnh", unit=province)


@pytest.fixture
def world(tree, term, congress_a, congress_b, congress_cell, secretary_a, secretary_b, secretary_cell, superior,
          frozen):
    return tree


def tick(congress, n: int, *, user, on: dt.date) -> None:
    """Mark the first `n` open milestones of the congress done on `on`."""
    open_ = [m for m in congress.milestones.select_related("step").order_by("step__order")
             if m.status != MilestoneStatus.DONE][:n]
    for m in open_:
        milestone_update(milestone=m, user=user, status=MilestoneStatus.DONE, done_on=on, evidence_number="01-KH")
