"""The working calendar: deadlines count office hours only, skipping weekends and holidays."""
from datetime import date, datetime

from plugins.rabeg.calendar import add_working_time, parse_holidays

def test_within_one_day():
    # Mon 2026-11-23 09:00 WIB = 02:00 UTC; 3 working hours -> 12:00 WIB = 05:00 UTC.
    assert add_working_time(datetime(2026, 11, 23, 2), 3, "working_hours", holidays=()) == datetime(2026, 11, 23, 5)

def test_one_working_day_spans_the_night():
    # Mon 10:00 WIB + 8 working hours = Tue 10:00 WIB.
    assert add_working_time(datetime(2026, 11, 23, 3), 1, "working_days", holidays=()) == datetime(2026, 11, 24, 3)

def test_friday_evening_runs_over_the_weekend():
    # Fri 2026-11-27 15:00 WIB + 2 working hours: 1 h on Friday, 1 h on Monday -> Mon 09:00 WIB.
    assert add_working_time(datetime(2026, 11, 27, 8), 2, "working_hours", holidays=()) == datetime(2026, 11, 30, 2)

def test_filed_on_saturday_starts_monday_morning():
    # Sat 2026-11-28 11:00 WIB + 1 working day -> Mon 16:00 WIB (09:00 UTC).
    assert add_working_time(datetime(2026, 11, 28, 4), 1, "working_days", holidays=()) == datetime(2026, 11, 30, 9)

def test_filed_before_opening_starts_at_eight():
    # Mon 06:00 WIB (Sunday 23:00 UTC) + 1 working hour -> Mon 09:00 WIB.
    assert add_working_time(datetime(2026, 11, 22, 23), 1, "working_hours", holidays=()) == datetime(2026, 11, 23, 2)

def test_holidays_are_skipped():
    # Wed 2026-12-23 14:00 WIB + 1 working day: Dec 24-25 holidays, weekend -> Mon 28th 14:00 WIB.
    holidays = {date(2026, 12, 24), date(2026, 12, 25)}
    assert add_working_time(datetime(2026, 12, 23, 7), 1, "working_days", holidays=holidays) == datetime(2026, 12, 28, 7)

def test_default_holidays_include_independence_day():
    # Fri 2026-08-14 16:00 WIB + 1 working hour: weekend, Mon 17 Aug holiday -> Tue 09:00 WIB.
    assert add_working_time(datetime(2026, 8, 14, 9), 1, "working_hours") == datetime(2026, 8, 18, 2)

def test_five_working_days_across_a_weekend():
    # Thu 2026-11-26 10:00 WIB + 5 working days -> Thu 2026-12-03 10:00 WIB.
    assert add_working_time(datetime(2026, 11, 26, 3), 5, "working_days", holidays=()) == datetime(2026, 12, 3, 3)

def test_holiday_setting_is_parsed_and_checked():
    dates, problems = parse_holidays("2027-01-01, 2027-03-10")
    assert dates == {date(2027, 1, 1), date(2027, 3, 10)} and problems == []
    _dates, problems = parse_holidays("2027-01-01,31/12/2027")
    assert problems and "31/12/2027" in problems[0]
