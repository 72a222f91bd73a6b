"""Posting dates and status: absolute, epoch, month-name, day-first and relative dates.

Used by transforms.parse.to_posting after a format parser has found the raw date strings;
relative forms ("3 days ago", "30+ days ago", "Just posted") resolve against the run's `as_of`.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Optional

from dateutil import parser as dateutil_parser
from dateutil.relativedelta import relativedelta

# Date strings repeat across a feed ("30+ days ago", one day's timestamps): they are parsed
# once per worker, through a cache that takes strings up to this length.
_CACHED_TEXT_CHARS = 256
# Postings older than this or further in the future are parse errors, not dates.
_EARLIEST = dt.date(1990, 1, 1)
_LATEST = dt.date(2100, 12, 31)

_MONTHS = {
    "jan": 1, "january": 1, "janv": 1, "janvier": 1, "januari": 1,
    "feb": 2, "february": 2, "fev": 2, "févr": 2, "février": 2, "fevrier": 2, "februari": 2,
    "mar": 3, "march": 3, "mars": 3,
    "apr": 4, "april": 4, "avr": 4, "avril": 4,
    "may": 5, "mai": 5, "maj": 5,
    "jun": 6, "june": 6, "juin": 6, "juni": 6,
    "jul": 7, "july": 7, "juil": 7, "juillet": 7, "juli": 7,
    "aug": 8, "august": 8, "aout": 8, "août": 8, "augusti": 8,
    "sep": 9, "sept": 9, "september": 9, "septembre": 9,
    "oct": 10, "october": 10, "okt": 10, "octobre": 10, "oktober": 10,
    "nov": 11, "november": 11, "novembre": 11,
    "dec": 12, "december": 12, "déc": 12, "décembre": 12, "decembre": 12,
}
_MONTH_ALT = "|".join(sorted((re.escape(name) for name in _MONTHS), key=len, reverse=True))

_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T\s])")
_COMPACT_ISO = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
_NUMERIC = re.compile(r"^\s*(\d{1,4})([/.-])(\d{1,2})\2(\d{2,4})(?:$|[T\s,])")
_EPOCH = re.compile(r"^\s*\d{9,13}(?:\.\d+)?\s*$")
# "Nov 3, 2025", "November 3rd 2025", "Nov 3" (year taken from as_of)
_MONTH_DAY = re.compile(
    rf"\b({_MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b", re.IGNORECASE
)
# "3 November 2025", "3rd Nov, 2025", "3 nov."
_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th|er)?\.?\s+({_MONTH_ALT})\.?,?(?:\s+(\d{{4}}))?\b", re.IGNORECASE
)
_RELATIVE = re.compile(
    r"\b(\d+|an?|one|un|une|en|ett)\s*\+?\s*"
    r"(minute|min|hour|hr|h|day|d|week|wk|w|month|mo|year|yr|y|"
    r"jour|semaine|mois|an|année|dag|dagar|vecka|veckor|månad|månader|år|timme|timmar)s?\b",
    re.IGNORECASE,
)
_AGO = re.compile(r"\bago\b|\bil y a\b|\bsedan\b|\bdepuis\b|^\s*posted\b|^\s*\d+\s*\+?\s*\w+\s*$",
                  re.IGNORECASE)
_TODAY = re.compile(
    r"^\s*(?:posted\s+|active\s+)?(?:just\s+posted|just\s+now|today|now|"
    r"aujourd'hui|idag|i dag)\b|\bhours?\s+ago\b|\bminutes?\s+ago\b",
    re.IGNORECASE,
)
_YESTERDAY = re.compile(r"^\s*(?:posted\s+)?(?:yesterday|hier|igår|i går)\b", re.IGNORECASE)
_WORDS_AS_ONE = {"a": 1, "an": 1, "one": 1, "un": 1, "une": 1, "en": 1, "ett": 1}
_UNIT_DAYS = {"day": 1, "d": 1, "jour": 1, "dag": 1, "dagar": 1, "week": 7, "wk": 7, "w": 7,
              "semaine": 7, "vecka": 7, "veckor": 7}
_UNIT_MONTHS = {"month": 1, "mo": 1, "mois": 1, "månad": 1, "månader": 1,
                "year": 12, "yr": 12, "y": 12, "an": 12, "année": 12, "år": 12}

_CLOSED = re.compile(
    r"applications?\s+(?:are\s+)?closed|no\s+longer\s+accepting\s+applications|"
    r"(?:job|position|posting|vacancy)\s+(?:is\s+|has\s+)?(?:been\s+)?(?:closed|filled|expired)|"
    r"candidatures?\s+closes?|offre\s+(?:expirée|pourvue)|annonsen\s+är\s+avslutad",
    re.IGNORECASE,
)
# Every _CLOSED alternative holds one of these stems. Looking for them in the lowercased text
# is a cheap necessary condition: a case-insensitive regex gets no literal prefix to skip to
# and tries all its alternatives at every position (~0.1 ms on a 400-character head). The
# three characters are the ones that re.IGNORECASE equates with i or s but str.lower() does
# not turn into them.
_CLOSED_STEMS = ("closed", "accepting", "filled", "expir", "candidature", "pourvue", "avslutad")
_CASE_FOLD_ODDITIES = ("\u0130", "\u0131", "\u017f")
_CLOSED_STEM_BYTES = tuple(stem.encode("ascii") for stem in _CLOSED_STEMS)
_CLOSED_WORDS = ("closed", "expired", "filled", "inactive", "archived", "cancelled", "canceled")
_OPEN = re.compile(
    r"^\s*(?:open|active|published|live|accepting applications|ouverte|publicerad)\s*$",
    re.IGNORECASE,
)


def _checked(year: int, month: int, day: int) -> Optional[dt.date]:
    if year < 100:
        year += 2000 if year < 70 else 1900
    try:
        parsed = dt.date(year, month, day)
    except ValueError:
        return None
    return parsed if _EARLIEST <= parsed <= _LATEST else None


def _from_epoch(seconds: float) -> Optional[dt.date]:
    # Anything past ~year 5000 in seconds is milliseconds (Lever createdAt, LinkedIn listedAt).
    if seconds > 1e11:
        seconds /= 1000.0
    try:
        parsed = dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc).date()
    except (OverflowError, OSError, ValueError):
        return None
    return parsed if _EARLIEST <= parsed <= _LATEST else None


def _relative(text: str, as_of: dt.date) -> Optional[dt.date]:
    if _YESTERDAY.search(text):
        return as_of - dt.timedelta(days=1)
    if _TODAY.search(text):
        return as_of
    match = _RELATIVE.search(text)
    if not match or not _AGO.search(text):
        return None
    count_text, unit = match.group(1).lower(), match.group(2).lower()
    count = _WORDS_AS_ONE.get(count_text) or int(count_text)
    if count > 10_000:
        return None
    # "30+ days ago" is at least 30 days old: its lower bound is the best date we have.
    if unit in _UNIT_DAYS:
        resolved = as_of - dt.timedelta(days=count * _UNIT_DAYS[unit])
    elif unit in _UNIT_MONTHS:
        resolved = as_of - relativedelta(months=count * _UNIT_MONTHS[unit])
    else:  # minutes and hours
        resolved = as_of
    return resolved if resolved >= _EARLIEST else None


def _month_name(text: str, as_of: dt.date) -> Optional[dt.date]:
    match = _MONTH_DAY.search(text)
    if match:
        month, day, year = _MONTHS[match.group(1).lower()], int(match.group(2)), match.group(3)
    else:
        match = _DAY_MONTH.search(text)
        if not match:
            return None
        day, month, year = int(match.group(1)), _MONTHS[match.group(2).lower()], match.group(3)
    if year:
        return _checked(int(year), month, day)
    # A date without a year is the most recent such day on or before as_of.
    resolved = _checked(as_of.year, month, day)
    if resolved and resolved > as_of:
        resolved = _checked(as_of.year - 1, month, day)
    return resolved


def parse_date(value: object, as_of: dt.date, day_first: bool = False) -> Optional[dt.date]:
    """The absolute date a raw date value stands for, or None when it is not a date.

    `day_first` decides ambiguous numeric dates ("03/11/2025" is 3 November in a French or
    Swedish source, March 11 in a US one); unambiguous ones ("16/04/2021") ignore it.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)):
        return _from_epoch(float(value)) if value > 0 else None
    if not isinstance(value, str):
        return None
    if len(value) > _CACHED_TEXT_CHARS:  # no date, or padding: not worth a cache entry
        return _parse_date_text.__wrapped__(value, as_of, day_first)
    return _parse_date_text(value, as_of, day_first)


@functools.lru_cache(maxsize=4096)
def _parse_date_text(value: str, as_of: dt.date, day_first: bool) -> Optional[dt.date]:
    """parse_date of a string."""
    text = value.strip()
    if not text or len(text) > 200:
        return None
    match = _ISO.match(text)
    if match:
        return _checked(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if _EPOCH.match(text):
        return _from_epoch(float(text))
    match = _COMPACT_ISO.match(text)
    if match:
        return _checked(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    match = _NUMERIC.match(text)
    if match:
        return _numeric(match, day_first)
    resolved = _month_name(text, as_of)
    if resolved:
        return resolved
    resolved = _relative(text, as_of)
    if resolved:
        return resolved
    return _fallback(text, as_of, day_first)


def _numeric(match: re.Match, day_first: bool) -> Optional[dt.date]:
    first, separator, second, year = (
        int(match.group(1)), match.group(2), int(match.group(3)), int(match.group(4)))
    if first > 31:  # 2025/11/03
        return _checked(first, second, year)
    # Dotted dates are European (03.11.2025); otherwise a number over 12 settles the order.
    if separator == "." or first > 12:
        day_first_here = True
    elif second > 12:
        day_first_here = False
    else:
        day_first_here = day_first
    day, month = (first, second) if day_first_here else (second, first)
    return _checked(year, month, day)


def _fallback(text: str, as_of: dt.date, day_first: bool) -> Optional[dt.date]:
    # dateutil is slow and guesses freely: only for strings that carry a four-digit year.
    if not re.search(r"\b(19|20)\d{2}\b", text):
        return None
    default = dt.datetime(as_of.year, 1, 1)
    try:
        parsed = dateutil_parser.parse(text, dayfirst=day_first, default=default, fuzzy=True)
    except (ValueError, OverflowError, TypeError):
        return None
    resolved = parsed.date()
    return resolved if _EARLIEST <= resolved <= _LATEST else None


def posting_status(
    status_text: Optional[str],
    valid_through: Optional[dt.date],
    description: str,
    as_of: dt.date,
) -> str:
    """open, closed or unknown: closing words win, then the validThrough date, then "open"."""
    if status_text and _CLOSED.search(status_text):
        return "closed"
    if status_text and status_text.strip().lower() in _CLOSED_WORDS:
        return "closed"
    # Scraped pages put "Applications closed" near the top; scanning the whole text would
    # also catch "applications closed on Friday" in the body of an open posting.
    head = description[:400] if description else ""
    if head and _may_say_closed(head) and _CLOSED.search(head):
        return "closed"
    if valid_through is not None:
        return "closed" if valid_through < as_of else "open"
    if status_text and _OPEN.match(status_text):
        return "open"
    return "unknown"


def _may_say_closed(text: str) -> bool:
    """False only when `_CLOSED` cannot match `text`."""
    # The stems are ASCII and hold no "k": lowering the UTF-8 bytes (ASCII letters only) finds
    # them as str.lower would, at a fraction of its cost on text that is not all ASCII.
    lowered = text.encode("utf-8", "surrogatepass").lower()
    for stem in _CLOSED_STEM_BYTES:
        if stem in lowered:
            return True
    return not text.isascii() and any(char in text for char in _CASE_FOLD_ODDITIES)
