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


# --- Deadlines across weekends and holidays (fixed instants; WIB = UTC+7) ---

def test_friday_afternoon_four_hours_is_due_monday_eleven():
    # Fri 2026-11-27 15:00 WIB + 4 working hours: 1 h Friday, 3 h Monday -> Mon 11:00 WIB (04:00 UTC).
    assert add_working_time(datetime(2026, 11, 27, 8), 4, "working_hours", holidays=()) == datetime(2026, 11, 30, 4)


def test_evening_before_a_holiday_starts_after_it():
    # Wed 2026-12-23 19:00 WIB (after closing), Dec 24-25 holidays, weekend: the clock starts
    # Mon 28th 08:00 WIB; 4 working hours -> Mon 12:00 WIB (05:00 UTC).
    holidays = {date(2026, 12, 24), date(2026, 12, 25)}
    assert add_working_time(datetime(2026, 12, 23, 12), 4, "working_hours", holidays=holidays) == datetime(2026, 12, 28, 5)


def test_one_working_day_over_a_long_weekend():
    # Fri 2027-01-01 is a holiday. Thu 2026-12-31 13:00 WIB + 1 working day: 3 h Thursday,
    # Friday off, the weekend, 5 h Monday 2027-01-04 -> 13:00 WIB (06:00 UTC).
    holidays = {date(2027, 1, 1)}
    assert add_working_time(datetime(2026, 12, 31, 6), 1, "working_days", holidays=holidays) == datetime(2027, 1, 4, 6)


def test_filed_on_sunday_night_counts_from_monday():
    # Sun 2026-11-29 22:00 WIB + 4 working hours -> Mon 12:00 WIB (05:00 UTC).
    assert add_working_time(datetime(2026, 11, 29, 15), 4, "working_hours", holidays=()) == datetime(2026, 11, 30, 5)


def test_filed_on_saturday_with_monday_a_holiday():
    # Sat 2026-08-15 10:00 WIB; Mon 17 Aug holiday -> opens Tue 08:00; 4 h -> Tue 12:00 WIB (05:00 UTC).
    assert add_working_time(datetime(2026, 8, 15, 3), 4, "working_hours", holidays={date(2026, 8, 17)}) \
        == datetime(2026, 8, 18, 5)


def test_exactly_at_closing_time_rolls_to_next_day():
    # Mon 2026-11-23 16:00 WIB (09:00 UTC) + 1 working hour -> Tue 09:00 WIB (02:00 UTC).
    assert add_working_time(datetime(2026, 11, 23, 9), 1, "working_hours", holidays=()) == datetime(2026, 11, 24, 2)


def test_deadline_ending_at_closing_time_stays_that_day():
    # Mon 2026-11-23 08:00 WIB + 1 working day -> Mon 16:00 WIB, not Tue 08:00.
    assert add_working_time(datetime(2026, 11, 23, 1), 1, "working_days", holidays=()) == datetime(2026, 11, 23, 9)


def test_unknown_unit_is_refused():
    import pytest

    with pytest.raises(ValueError):
        add_working_time(datetime(2026, 11, 23, 1), 1, "weeks", holidays=())


# --- Holidays belong to each app, not to the process ---

def test_two_apps_keep_their_own_holidays(make_app):
    from plugins.rabeg.calendar import app_holidays

    plain = make_app(RABEG_HOLIDAYS="")
    festive = make_app(RABEG_HOLIDAYS="2026-12-24,2026-12-25")
    wed_afternoon = datetime(2026, 12, 23, 7)  # Wed 14:00 WIB
    with festive.app_context():
        assert app_holidays() == {date(2026, 12, 24), date(2026, 12, 25)}
        festive_due = add_working_time(wed_afternoon, 1, "working_days")
    with plain.app_context():
        assert app_holidays() == frozenset()
        plain_due = add_working_time(wed_afternoon, 1, "working_days")
    with festive.app_context():  # the other app did not overwrite this one's list
        assert add_working_time(wed_afternoon, 1, "working_days") == festive_due
    assert plain_due == datetime(2026, 12, 24, 7) and festive_due == datetime(2026, 12, 28, 7)


def test_filed_complaints_follow_their_apps_holidays(make_app, login_as):
    # Every day of the next six weeks a holiday in one app: its deadlines move far beyond the other's.
    today = datetime.utcnow().date()
    days = ",".join(str(date.fromordinal(today.toordinal() + i)) for i in range(0, 42))
    apps = {"plain": make_app(RABEG_HOLIDAYS=""), "festive": make_app(RABEG_HOLIDAYS=days)}
    due = {}
    for name, app in apps.items():
        headers = login_as("citizen", target_app=app)
        body = {"category": "SAMPAH", "description": "Sampah menumpuk di pinggir jalan.", "kelurahan": "36.73.01.1001"}
        answer = app.test_client().post("/api/v1/rabeg/complaints", json=body, headers=headers)
        assert answer.status_code == 201, answer.get_json()
        due[name] = answer.get_json()["first_response_due"]
    assert due["festive"] > due["plain"]
    assert due["festive"][:10] >= str(date.fromordinal(today.toordinal() + 42))


def test_a_bad_holiday_setting_fails_the_plugin_with_the_reason(make_app):
    app = make_app(RABEG_HOLIDAYS="2026-13-01")
    with app.app_context():
        records = {r.slug: r for r in app.extensions["ragem.plugins"].records.values() if getattr(r, "slug", None)}
    rabeg = records.get("rabeg")
    assert rabeg is not None and rabeg.status == "failed" and "RAGEM_RABEG_HOLIDAYS" in rabeg.reason
