"""EDTF dates: bounds, wording and error messages."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from catalog import dates


@pytest.mark.parametrize(
    ("edtf", "display", "earliest", "latest"),
    [
        ("1944-02-02", "February 2, 1944", (1944, 2, 2), (1944, 2, 2)),
        ("1944-02", "February 1944", (1944, 2, 1), (1944, 2, 29)),
        ("1900-02", "February 1900", (1900, 2, 1), (1900, 2, 28)),
        ("1944", "1944", (1944, 1, 1), (1944, 12, 31)),
        ("1944-21", "Spring 1944", (1944, 3, 1), (1944, 5, 31)),
        ("1944~", "circa 1944", (1944, 1, 1), (1944, 12, 31)),
        ("1944?", "1944 (uncertain)", (1944, 1, 1), (1944, 12, 31)),
        ("1944%", "circa 1944 (uncertain)", (1944, 1, 1), (1944, 12, 31)),
        ("194X", "1940s", (1940, 1, 1), (1949, 12, 31)),
        ("1944-XX", "1944", (1944, 1, 1), (1944, 12, 31)),
        ("1891-03/1892-04", "between March 1891 and April 1892", (1891, 3, 1), (1892, 4, 30)),
        ("1944/..", "1944 onwards", (1944, 1, 1), (9999, 12, 31)),
        ("../1944", "up to 1944", (1, 1, 1), (1944, 12, 31)),
        ("1944/", "1944 or later", (1944, 1, 1), (9999, 12, 31)),
    ],
)
def test_parse_gives_bounds_and_wording(edtf, display, earliest, latest):
    """Each EDTF level 0/1 form gets the bounds a range filter needs and a reader's wording."""
    info = dates.parse(edtf)
    assert info.display == display
    assert dates.display(edtf) == display  # the fast path used by list pages agrees
    assert info.earliest == datetime.date(*earliest)
    assert info.latest == datetime.date(*latest)


def test_qualifiers_set_certainty_flags():
    """~ marks a date approximate, ? uncertain, % both."""
    assert (dates.parse("1944~").approximate, dates.parse("1944~").uncertain) == (True, False)
    assert (dates.parse("1944?").approximate, dates.parse("1944?").uncertain) == (False, True)
    assert (dates.parse("1944%").approximate, dates.parse("1944%").uncertain) == (True, True)


@pytest.mark.parametrize(
    ("edtf", "reason"),
    [
        ("1944-13-01", "there is no month 13"),
        ("1944-02-30", "February 1944 has no day 30"),
        ("2 Feb 1944", "not as words"),
        ("1944-02/1944-01", "ends before it begins"),
        ("-0100", "before 1 CE"),
    ],
)
def test_invalid_dates_say_what_is_wrong(edtf, reason):
    """An invalid date raises an error naming the problem and showing valid examples."""
    with pytest.raises(ValidationError) as error:
        dates.parse(edtf)
    message = " ".join(error.value.messages)
    assert reason in message
    if "before 1 CE" not in reason and "ends before" not in reason:
        assert "1944-02-02" in message  # a valid example is shown


def test_empty_date_is_undated():
    """A blank date is 'Undated' with no bounds."""
    info = dates.parse("")
    assert (info.display, info.earliest, info.latest) == ("Undated", None, None)


def test_display_falls_back_to_the_stored_string():
    """A value the wording rules cannot read is shown as stored rather than failing."""
    assert dates.display("1944-02-02T10:00:00") == "1944-02-02T10:00:00"
    assert dates.display("") == "Undated"


PLAIN_VALUES = [
    "1944",
    "1944-02",
    "1944-02-02",
    "1944~",
    "1944-02?",
    "1944-02-02%",
    "1891-03/1892-04",
    "1944/",
    "/1944",
    "1900-02",
    "2000-02-29",
    "1544-11-15/1545",
]


@pytest.mark.parametrize("value", PLAIN_VALUES)
def test_plain_dates_skip_the_edtf_parser_with_the_same_result(value, monkeypatch):
    """The fast path for plain dates and intervals gives what the edtf package gives."""
    fast = dates._parse_plain(value)
    assert fast is not None
    monkeypatch.setattr(dates, "_parse_plain", lambda value: None)
    assert fast == dates.parse.__wrapped__(value)


@pytest.mark.parametrize(
    "value", ["1944-13", "1944-02-30", "0000", "194X", "1944-21", "..", "1944/1943"]
)
def test_other_dates_take_the_edtf_parser(value):
    assert dates._parse_plain(value) is None
