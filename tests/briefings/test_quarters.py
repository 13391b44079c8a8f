import datetime as dt

from briefings.quarters import Quarter, quarters_due_on


def test_quarter_bounds_and_neighbours():
    q = Quarter.of(dt.date(2025, 2, 14))
    assert q == Quarter(2025, 1) and q.start == dt.date(2025, 1, 1) and q.end == dt.date(2025, 3, 31)
    assert q.previous == Quarter(2024, 4) and Quarter(2024, 4).next == q
    assert Quarter(2024, 4).end == dt.date(2024, 12, 31)
    assert Quarter.parse("2025-Q3") == Quarter(2025, 3) and Quarter.parse("2025-Q5") is None
    assert Quarter.parse("junk") is None


def test_due_date_follows_the_setting(settings):
    settings.BRIEFINGS_REPORT_DUE_DAYS_BEFORE_END = 5
    assert Quarter(2025, 2).due_date == dt.date(2025, 6, 25)
    settings.BRIEFINGS_REPORT_DUE_DAYS_BEFORE_END = -10  # after the quarter's end
    assert Quarter(2025, 2).due_date == dt.date(2025, 7, 10)
    assert quarters_due_on([dt.date(2025, 7, 10), dt.date(2025, 7, 11)]) == [Quarter(2025, 2)]
    assert quarters_due_on([dt.date(2025, 6, 25)]) == []
