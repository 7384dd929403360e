"""
Dates as archivists write them: EDTF in, (earliest, latest, display, certainty) out.

Parsing and validation go through the Library of Congress ``edtf`` package (levels 0 and 1:
day, month, year, season, ``~`` approximate, ``?`` uncertain, ``%`` both, unspecified digits
such as ``194X`` or ``1944-XX``, intervals with open ``..`` or unknown ends).  This module adds
what the package does not: bounds as ``datetime.date`` for the indexed columns, the wording a
reader expects ("February 2, 1944", "circa 1944", "1940s", "between March 1891 and April 1892")
and error messages that say what is wrong and show a valid example.

Open or unknown interval ends are stored as ``date.min`` / ``date.max`` so that a range filter
by overlap stays a plain indexed comparison and still finds "1944 or later" for any later range.
"""

import calendar
import datetime
import re
from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import ValidationError
from edtf import parse_edtf
from edtf.parser.edtf_exceptions import EDTFParseException

EXAMPLES = (
    "1944-02-02 (a day), 1944-02 (a month), 1944 (a year), 1944-21 (spring 1944), "
    "1944~ (circa), 1944? (uncertain), 194X (the 1940s) or 1891-03/1892-04 (a range)"
)
SEASONS = {21: "Spring", 22: "Summer", 23: "Autumn", 24: "Winter"}
OPEN_START = datetime.date.min
OPEN_END = datetime.date.max

_SINGLE = re.compile(
    r"^(?P<pre>[~?%]?)(?P<year>-?[0-9X]{4})(?:-(?P<month>[0-9X]{2}))?"
    r"(?:-(?P<day>[0-9X]{2}))?(?P<post>[~?%]?)$"
)


@dataclass(frozen=True)
class DateInfo:
    """What the catalogue stores and shows for one EDTF value."""

    edtf: str
    earliest: datetime.date | None
    latest: datetime.date | None
    display: str
    approximate: bool
    uncertain: bool


def _struct_to_date(value, *, end):
    if isinstance(value, float):  # the edtf package's ±infinity for open ends
        return OPEN_END if end else OPEN_START
    year, month, day = value.tm_year, value.tm_mon, value.tm_mday
    if year < 1:
        raise ValidationError(
            "Years before 1 CE cannot be catalogued yet; write the nearest supported date and "
            "keep the source's wording in “Date as written”.",
            code="edtf_year_range",
        )
    if year > 9999:
        raise ValidationError("Years after 9999 are not supported.", code="edtf_year_range")
    day = min(day, calendar.monthrange(year, month)[1])
    return datetime.date(year, month, day)


def _diagnose(value):
    """A specific reason why ``value`` is not EDTF, where one can be told."""
    for part in value.split("/"):
        match = _SINGLE.match(part)
        if not match:
            continue
        month, day = match["month"], match["day"]
        if month and "X" not in month and not (1 <= int(month) <= 12 or int(month) in SEASONS):
            return f"there is no month {month} (use 01–12, or 21–24 for a season)"
        if month and day and "X" not in match["year"] + month + day and 1 <= int(month) <= 12:
            last = calendar.monthrange(int(match["year"]), int(month))[1]
            if not 1 <= int(day) <= last:
                return f"{calendar.month_name[int(month)]} {int(match['year'])} has no day {day}"
    if re.search(r"\d{1,2}[./]\d{1,2}[./]\d{2,4}", value) or re.search(r"[A-Za-z]{3,}", value):
        return "write the date as year-month-day numbers, not as words or day/month/year"
    return "it is not in the Extended Date/Time Format"


def _year_text(year):
    if year.startswith("-"):
        return f"{int(year[1:])} BCE"
    if "X" in year:
        stem = year.rstrip("X")
        if not stem or "X" in stem:
            return "unknown year"
        return f"{int(stem) * 10 ** (4 - len(stem))}s"
    return str(int(year))


def _single_text(part):
    """Wording for one EDTF date (no interval)."""
    if part == "..":
        return None
    match = _SINGLE.match(part)
    if not match:
        return part
    year, month, day = match["year"], match["month"], match["day"]
    text = _year_text(year)
    if month and "X" not in month and "X" not in year:
        number = int(month)
        if number in SEASONS:
            text = f"{SEASONS[number]} {text}"
        elif day and "X" not in day:
            text = f"{calendar.month_name[number]} {int(day)}, {text}"
        else:
            text = f"{calendar.month_name[number]} {text}"
    qualifiers = match["pre"] + match["post"]
    if "~" in qualifiers or "%" in qualifiers:
        text = f"circa {text}"
    if "?" in qualifiers or "%" in qualifiers:
        text = f"{text} (uncertain)"
    return text


def _display(value):
    if "/" not in value:
        if value.startswith("[") or value.startswith("{"):
            joiner = " or " if value.startswith("[") else " and "
            items = [_single_text(p.strip()) for p in value.strip("[]{}").split(",")]
            return ("one of " if joiner == " or " else "") + joiner.join(filter(None, items))
        return _single_text(value)
    start, end = value.split("/", 1)
    if start in ("", ".."):
        prefix = "up to" if start == ".." else "on or before"
        return f"{prefix} {_single_text(end)}"
    if end in ("", ".."):
        suffix = "onwards" if end == ".." else "or later"
        return f"{_single_text(start)} {suffix}"
    return f"between {_single_text(start)} and {_single_text(end)}"


_PLAIN_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?([~?%]?)$")


def _plain_bounds(part):
    """(earliest, latest, qualifier) for "yyyy[-mm[-dd]][~?%]" with year >= 1, else None."""
    match = _PLAIN_DATE.match(part)
    if not match or int(match[1]) < 1:
        return None
    year, month, day = int(match[1]), match[2], match[3]
    try:
        if day:
            start = end = datetime.date(year, int(month), int(day))
        elif month:
            last = calendar.monthrange(year, int(month))[1] if 1 <= int(month) <= 12 else 0
            start, end = datetime.date(year, int(month), 1), datetime.date(year, int(month), last)
        else:
            start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    except ValueError:
        return None
    return start, end, match[4]


def _parse_plain(value):
    """
    :func:`parse` for plain dates and intervals of them (“1944-02-02”, “1944~”,
    “1891-03/1892-04”, “1944/”), with the same result, without the ``edtf`` package's parse
    (about 5 ms each, which held imports to 200 rows a second).  None for anything else.
    """
    parts = value.split("/")
    if len(parts) > 2 or parts == ["", ""]:
        return None
    bounds = [_plain_bounds(part) if part else "open" for part in parts]
    if None in bounds:
        return None
    if len(bounds) == 1:
        earliest, latest, marks = bounds[0]
    else:
        start, end = bounds
        earliest = OPEN_START if start == "open" else start[0]
        latest = OPEN_END if end == "open" else end[1]
        marks = "".join(bound[2] for bound in bounds if bound != "open")
    if earliest > latest:
        return None  # the full parse words the order error
    return DateInfo(
        edtf=value,
        earliest=earliest,
        latest=latest,
        display=display(value),
        approximate="~" in marks or "%" in marks,
        uncertain="?" in marks or "%" in marks,
    )


@lru_cache(maxsize=4096)
def parse(value):
    """
    Parse an EDTF string into a :class:`DateInfo`.

    Raises ``ValidationError`` (code ``edtf_invalid`` and friends) with a message that says
    what is wrong and shows valid examples.
    """
    value = (value or "").strip()
    if not value:
        return DateInfo("", None, None, "Undated", False, False)
    if plain := _parse_plain(value):
        return plain
    try:
        parsed = parse_edtf(value)
    except EDTFParseException:
        raise ValidationError(
            "“%(value)s” is not a date the catalogue can read: %(reason)s. Valid examples: "
            "%(examples)s.",
            code="edtf_invalid",
            params={"value": value, "reason": _diagnose(value), "examples": EXAMPLES},
        ) from None
    earliest = _struct_to_date(parsed.lower_strict(), end=False)
    latest = _struct_to_date(parsed.upper_strict(), end=True)
    if "/" in value:
        start, end = value.split("/", 1)
        if start in ("", ".."):
            earliest = OPEN_START
        if end in ("", ".."):
            latest = OPEN_END
    if earliest > latest:
        raise ValidationError(
            "“%(value)s” ends before it begins; write the earlier date first, "
            "as in 1891-03/1892-04.",
            code="edtf_order",
            params={"value": value},
        )
    return DateInfo(
        edtf=value,
        earliest=earliest,
        latest=latest,
        display=_display(value),
        approximate="~" in value or "%" in value,
        uncertain="?" in value or "%" in value,
    )


def display(value):
    """
    The reader's wording for a stored EDTF string, worked out from the string alone: the
    ``edtf`` package's full parse takes milliseconds, too slow for every row of a list page.
    Values are validated by :func:`parse` when they are saved.
    """
    value = (value or "").strip()
    if not value:
        return "Undated"
    try:
        return _display(value)
    except (ValueError, KeyError, IndexError):
        return value


def validate_edtf(value):
    """Model-field validator: raises the same specific ``ValidationError`` as :func:`parse`."""
    parse(value)


def year_bounds(year_from=None, year_to=None):
    """The dates that open and close a span of years; a missing end is open."""
    start = datetime.date(year_from, 1, 1) if year_from else None
    end = datetime.date(year_to, 12, 31) if year_to else None
    return start, end
