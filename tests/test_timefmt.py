"""Splunk time-format variables and relative time modifiers.

VARS = https://help.splunk.com/en/splunk-enterprise/spl-search-reference/10.2/time-format-variables-and-modifiers/date-and-time-format-variables
MODS = https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/time-format-variables-and-modifiers/time-modifiers

Expected epochs are written as calendar dates (``at(...)``) so they can be checked by hand.
"""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spl.errors import SearchError
from spl.timefmt import parse_time_modifier, relative_time, strftime, strptime

LA, NY = "America/Los_Angeles", "America/New_York"


def at(*args, tz="UTC") -> float:
    """Epoch of a wall-clock time in ``tz``."""
    zone = UTC if tz == "UTC" else ZoneInfo(tz)
    return datetime(*args, tzinfo=zone).timestamp()


# VARS examples use 2025-04-29 23:45:22 in US Pacific time (PDT, -07:00).
DOC_TIME = at(2025, 4, 29, 23, 45, 22, tz=LA)
NOW = at(2023, 11, 14, 22, 13, 20)  # a Tuesday; 1700000000


# ------------------------------------------------------------------ strftime


@pytest.mark.parametrize("fmt, expected", [
    ("%Y-%m-%d", "2025-04-29"),
    ("%y-%m-%d", "25-04-29"),
    ("%b %d, %Y", "Apr 29, 2025"),
    ("%B %d, %Y", "April 29, 2025"),
    ("%a %b %d, %Y", "Tue Apr 29, 2025"),
    ("%d %b '%y = %Y-%m-%d", "29 Apr '25 = 2025-04-29"),
    ("%Y-%m-%dT%H:%M:%S.%Q", "2025-04-29T23:45:22.000"),
    ("%Y-%m-%dT %H:%M:%S.%Z", "2025-04-29T 23:45:22.PDT"),
    ("%Y-%m-%dT%H:%M:%S.%QZ", "2025-04-29T23:45:22.000Z"),
    ("%Y-%m-%dT%T", "2025-04-29T23:45:22"),
    ("%m-%d-%Y %I:%M:%S %p", "04-29-2025 11:45:22 PM"),
    ("%b %d, %Y %I:%M:%S %p", "Apr 29, 2025 11:45:22 PM"),
    ("%m-%d-%Y %H:%M:%S.%Q %z", "04-29-2025 23:45:22.000 -0700"),
    ("%d/%b/%Y:%H:%M:%S.%f %z", "29/Apr/2025:23:45:22.000000 -0700"),
])
def test_strftime_examples_of_the_variables_page(fmt, expected):
    # VARS: "Converting UNIX timestamps into dates (and times)" tables.
    assert strftime(DOC_TIME, fmt, LA) == expected


def test_strftime_zone_and_offset_page_example():
    # VARS: "%Y-%m-%dT %H:%M:%S %Z%:z" is shown as "... PDT -07:00"; the format has no space
    # between %Z and %:z, so the output has none either.
    assert strftime(DOC_TIME, "%Y-%m-%dT %H:%M:%S %Z%:z", LA) == "2025-04-29T 23:45:22 PDT-07:00"


def test_offset_variants():
    # VARS: %z -0500, %:z -05:00, %::z -05:00:00, %:::z -05 for US Eastern Standard Time;
    # %Ez is the offset in minutes.
    t = at(2024, 1, 15, 12, 0, 0, tz=NY)
    assert strftime(t, "%z|%:z|%::z|%:::z|%Ez", NY) == "-0500|-05:00|-05:00:00|-05|-300"
    assert strftime(t, "%Z", NY) == "EST"


def test_space_padded_day_and_hour():
    # VARS: %e is the day with a leading space; %k the 24-hour hour with a leading space.
    t = at(2024, 1, 5, 3, 4, 5)
    assert strftime(t, "[%e] [%k] [%d] [%H] [%I]") == "[ 5] [ 3] [05] [03] [03]"


def test_subsecond_variables():
    # VARS: %N defaults to %9N; %3N ms, %6N us, %9N ns; %Q defaults to %3Q; %f microseconds.
    t = 1700000000.123456
    assert strftime(t, "%3N|%6N|%9N|%N") == "123|123456|123456000|123456000"
    assert strftime(t, "%Q|%3Q|%6Q|%f") == "123|123|123456|123456"


def test_day_week_year_variables():
    # Worked out: 2023-11-14 is a Tuesday, day 318 of the year; %w counts Sunday as 0.
    assert strftime(NOW, "%A %a %w %j %C %s %%") == "Tuesday Tue 2 318 20 1700000000 %"
    assert strftime(NOW, "%F %T") == "2023-11-14 22:13:20"


@pytest.mark.parametrize("day, expected", [
    ((2025, 2, 3), "2025-06"), ((2025, 2, 2), "2025-05"), ((2025, 2, 1), "2025-05"),
    ((2025, 1, 31), "2025-05"), ((2025, 1, 30), "2025-05"),
])
def test_iso_week(day, expected):
    # VARS: "Converting timestamp results to the year of the week format" table (US Pacific).
    t = at(*day, tz=LA)
    assert strftime(t, "%Y-%V", LA) == expected
    assert strftime(t, "%G-%V", LA) == expected


def test_locale_formats_in_the_c_locale():
    # VARS: %c "Thu Jul 18 09:30:00 2019", %+ "Thu Jul 18 09:30:00 PDT 2019".
    t = at(2019, 7, 18, 9, 30, 0, tz=LA)
    assert strftime(t, "%c", LA) == "Thu Jul 18 09:30:00 2019"
    assert strftime(t, "%+", LA) == "Thu Jul 18 09:30:00 PDT 2019"


def test_unknown_variable_is_left_as_written():
    assert strftime(NOW, "%J-%Y") == "%J-2023"


def test_unknown_time_zone_is_a_search_error():
    with pytest.raises(SearchError):
        strftime(NOW, "%Y", "Mars/Olympus")


# ------------------------------------------------------------------ strptime


def test_strptime_examples_of_the_variables_page():
    # VARS: "2022-9-25T09:45:22.000" with %Y-%m-%dT%H:%M:%S.%Q -> 1664124322.000000 and
    # "2022-12-15 09:45:22" with %Y-%m-%d %H:%M:%S -> 1671126322.000000 (page in US Pacific).
    assert strptime("2022-9-25T09:45:22.000", "%Y-%m-%dT%H:%M:%S.%Q", LA) == 1664124322
    assert strptime("2022-12-15 09:45:22", "%Y-%m-%d %H:%M:%S", LA) == 1671126322


def test_strptime_cloudtrail_times():
    assert strptime("2023-11-14T22:13:20Z", "%Y-%m-%dT%H:%M:%SZ") == NOW
    assert strptime("2023-11-14T22:13:20.123Z", "%Y-%m-%dT%H:%M:%S.%3N%z") == \
        pytest.approx(NOW + 0.123)


def test_strptime_offsets_and_zone_names():
    assert strptime("2023-11-14 23:13:20 +0100", "%Y-%m-%d %H:%M:%S %z") == NOW
    assert strptime("2023-11-14 17:13:20 -05:00", "%Y-%m-%d %H:%M:%S %:z") == NOW
    assert strptime("2023-11-14 22:13:20 UTC", "%Y-%m-%d %H:%M:%S %Z", NY) == NOW
    # Without a zone in the text, the given zone applies.
    assert strptime("2023-11-14 17:13:20", "%Y-%m-%d %H:%M:%S", NY) == NOW


def test_strptime_names_12_hour_clock_and_day_of_year():
    assert strptime("14 nov 2023 10:13:20 PM", "%d %b %Y %I:%M:%S %p") == NOW
    assert strptime("Tuesday, November 14, 2023", "%A, %B %d, %Y") == at(2023, 11, 14)
    assert strptime("2023 318", "%Y %j") == at(2023, 11, 14)
    assert strptime("12:00:00 AM", "%I:%M:%S %p") == 0


def test_strptime_two_digit_years_pivot_at_69():
    # POSIX strptime: 69-99 are 1969-1999, 00-68 are 2000-2068.
    assert strptime("23-11-14", "%y-%m-%d") == at(2023, 11, 14)
    assert strptime("69-01-01", "%y-%m-%d") == at(1969, 1, 1)


def test_strptime_epoch_and_nanoseconds():
    assert strptime("1700000000", "%s") == NOW
    assert strptime("22:13:20.123456789", "%H:%M:%S.%N") == pytest.approx(80000.123457)


def test_strptime_failures_are_none():
    assert strptime("garbage", "%Y-%m-%d") is None
    assert strptime("2023-02-30", "%Y-%m-%d") is None


def test_strptime_ignores_trailing_text():
    # Decision: like C strptime, the format must match from the start; the rest is ignored.
    assert strptime("2023-11-14 trailing", "%Y-%m-%d") == at(2023, 11, 14)


def test_strptime_round_trips_strftime():
    fmt = "%Y-%m-%dT%H:%M:%S.%6N %z"
    for tz in ("UTC", NY, LA):
        assert strptime(strftime(NOW + 0.25, fmt, tz), fmt, tz) == pytest.approx(NOW + 0.25)


# ------------------------------------------------------------------ relative time


@pytest.mark.parametrize("spec, expected", [
    ("now", NOW),
    ("now()", NOW),
    ("-1d@d", at(2023, 11, 13)),
    ("@d", at(2023, 11, 14)),
    ("-h", NOW - 3600),                       # MODS: "-h" is "-1h"
    ("-60m", NOW - 3600),
    ("+3h", NOW + 3 * 3600),
    ("-2h@h", at(2023, 11, 14, 20)),          # MODS: offset first, then snap
    ("@d-2h", at(2023, 11, 13, 22)),          # MODS: "10 PM yesterday"
    ("@w0", at(2023, 11, 12)),                # MODS: w0 Sunday
    ("@w7", at(2023, 11, 12)),                # MODS: w7 is also Sunday
    ("@w", at(2023, 11, 12)),
    ("@week", at(2023, 11, 12)),
    ("@w1", at(2023, 11, 13)),
    ("@w2", at(2023, 11, 14)),                # today is Tuesday: snaps to today
    ("@w3", at(2023, 11, 8)),                 # the previous Wednesday
    ("-5d@w1", at(2023, 11, 6)),              # MODS: last full business week starts here
    ("@mon", at(2023, 11, 1)),
    ("@month", at(2023, 11, 1)),
    ("-mon@mon", at(2023, 10, 1)),            # MODS: the previous month
    ("@q", at(2023, 10, 1)),                  # MODS: Jan 1, Apr 1, Jul 1 or Oct 1
    ("@y", at(2023, 1, 1)),
    ("-1y", at(2022, 11, 14, 22, 13, 20)),
    ("-30s", NOW - 30),
    ("-500ms", NOW - 0.5),
])
def test_relative_time(spec, expected):
    assert relative_time(NOW, spec) == pytest.approx(expected)


def test_unsigned_offset_counts_back():
    # MODS uses `earliest=2d@d` in a subsearch for "the last 2 days". Decision: no sign means -.
    assert relative_time(NOW, "2d@d") == at(2023, 11, 12)


def test_snap_and_days_follow_the_time_zone():
    # @d is local midnight; -2d keeps the wall-clock hour across the DST change of 2023-11-05.
    assert relative_time(NOW, "@d", NY) == at(2023, 11, 14, tz=NY)
    noon = at(2023, 11, 6, 12, tz=NY)
    assert relative_time(noon, "-2d", NY) == at(2023, 11, 4, 12, tz=NY)
    assert noon - relative_time(noon, "-2d", NY) == 49 * 3600


def test_month_offset_past_the_end_of_a_month_rolls_over():
    # Decision (undocumented): like C mktime, 2023-03-31 minus one month is "February 31",
    # which normalizes to March 3.
    assert relative_time(at(2023, 3, 31), "-1mon") == at(2023, 3, 3)


@pytest.mark.parametrize("spec", ["-1x", "bogus", "@zz", "-1d@", "1"])
def test_invalid_relative_time_is_a_search_error(spec):
    with pytest.raises(SearchError):
        relative_time(NOW, spec)


# ------------------------------------------------------------------ earliest= / latest= values


def test_parse_time_modifier_epochs():
    # MODS: earliest=1 is the epoch second 1; earliest=0 the earliest event.
    assert parse_time_modifier("0", NOW) == 0
    assert parse_time_modifier("1", NOW) == 1
    assert parse_time_modifier("1700000000.5", NOW) == 1700000000.5


def test_parse_time_modifier_absolute_times():
    # MODS: earliest="11/15/2022:20:00:00"; "9/23/2022:17:00:00" (no leading zero).
    assert parse_time_modifier("11/15/2022:20:00:00", NOW) == at(2022, 11, 15, 20)
    assert parse_time_modifier("9/23/2022:17:00:00", NOW) == at(2022, 9, 23, 17)
    assert parse_time_modifier("11/15/2022:20:00:00", NOW, LA) == at(2022, 11, 15, 20, tz=LA)


def test_parse_time_modifier_relative_and_now():
    assert parse_time_modifier("-24h", NOW) == NOW - 86400
    assert parse_time_modifier("now", NOW) == NOW
    assert parse_time_modifier("now()", NOW) == NOW
    assert parse_time_modifier("-1d@d", NOW) == at(2023, 11, 13)


@pytest.mark.parametrize("value", ["garbage", "13/45/2022:99:00:00", "11/15/2022:20:00"])
def test_parse_time_modifier_rejects_bad_values(value):
    with pytest.raises(SearchError):
        parse_time_modifier(value, NOW)


@given(st.integers(min_value=0, max_value=4_000_000_000),
       st.sampled_from(["UTC", NY, LA, "Asia/Kolkata", "Australia/Lord_Howe"]))
def test_strftime_strptime_round_trip_any_time(epoch, tz):
    # With the offset written out, parsing gives back the same instant, DST folds included.
    fmt = "%Y-%m-%d %H:%M:%S %:z"
    assert strptime(strftime(epoch, fmt, tz), fmt, tz) == epoch


@given(st.integers(min_value=86400 * 400, max_value=4_000_000_000),
       st.sampled_from(["UTC", NY, "Asia/Kolkata"]),
       st.sampled_from(["s", "m", "h", "d", "w", "mon", "q", "y"]))
def test_snap_is_at_or_before_and_idempotent(epoch, tz, unit):
    # MODS: snapping always rounds down to "the latest time not after the specified time".
    snapped = relative_time(epoch, "@" + unit, tz)
    assert snapped <= epoch
    assert relative_time(snapped, "@" + unit, tz) == snapped


# ------------------------------------------------------------------ times beyond the calendar
# Times are calendar dates of years 1..9999 (the range of a calendar date); a modifier that
# leaves it is a SearchError naming it, never OverflowError/ValueError. Hand-worked: from 2023,
# -2000y is year 23 (in range), +8000y is year 10023 (out of range).

@pytest.mark.parametrize("spec", ["-99999999999y", "+9999999999999d", "-1000000y", "+8000y",
                                  "-99999999999999999999999h", "+" + "9" * 5000 + "s",
                                  "-99999999999w@w", "-1d+99999999999mon"])
def test_relative_time_beyond_the_calendar_is_a_search_error_naming_it(spec):
    with pytest.raises(SearchError, match="out of range") as err:
        relative_time(NOW, spec)
    assert spec[:20] in err.value.message


def test_relative_time_far_but_inside_the_calendar():
    assert relative_time(NOW, "-2000y") == at(23, 11, 14, 22, 13, 20)


@pytest.mark.parametrize("value", ["-99999999999y", "+9999999999999d", "9" * 400])
def test_parse_time_modifier_beyond_the_calendar(value):
    with pytest.raises(SearchError, match="out of range"):
        parse_time_modifier(value, NOW)


def test_earliest_beyond_the_calendar_points_at_the_modifier():
    from spltest import run
    search = "x=1 earliest=-99999999999y"
    with pytest.raises(SearchError, match="-99999999999y") as err:
        run(search, [{"x": "1", "_time": NOW}])
    assert err.value.span is not None
    assert search[err.value.span.start:err.value.span.end].startswith("earliest")


def test_eval_relative_time_beyond_the_calendar_is_null():
    # relative_time() gives null for a modifier it cannot apply, as for a malformed one.
    from spltest import column, run
    out = run('| eval t=if(isnull(relative_time(0, "+9999999999999d")), "null", "value"), '
              'u=if(isnull(relative_time(0, "bogus")), "null", "value")', [{"x": "1"}])
    assert column(out, "t") == ["null"] and column(out, "u") == ["null"]


def test_strftime_beyond_the_calendar_is_a_search_error():
    with pytest.raises(SearchError, match="out of range"):
        strftime(1e20, "%Y")
    with pytest.raises(SearchError, match="out of range"):
        strftime(float("inf"), "%Y")


def test_convert_ctime_leaves_a_time_beyond_the_calendar_as_it_is():
    # convert: a value the function cannot convert is left untouched (as for a non-number).
    from spltest import column, run
    out = run("| convert ctime(n)", [{"n": "99999999999999999999"}, {"n": "0"}])
    assert column(out, "n") == ["99999999999999999999", "01/01/1970 00:00:00"]
