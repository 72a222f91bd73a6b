"""Salaries: structured min/max/currency/period fields and pay ranges written in the text.

Used by transforms.parse.to_posting; currencies come out as ISO 4217 codes ("$" is USD unless
the posting is Canadian, Australian...; "kr" follows the Nordic country), periods as hour,
day, week, month or year.
"""
from __future__ import annotations

import functools
import re
from typing import Iterator, NamedTuple, Optional

from transforms.formats.clean import RepairedText


class Salary(NamedTuple):
    minimum: Optional[float]
    maximum: Optional[float]
    currency: Optional[str]
    period: Optional[str]


_ISO_CODES = frozenset(
    "USD EUR GBP CAD AUD NZD SEK NOK DKK ISK CHF INR JPY CNY SGD HKD PLN CZK HUF RON ZAR BRL "
    "MXN ARS CLP COP PEN AED SAR QAR ILS TRY KRW TWD THB MYR IDR PHP VND NGN KES EGP MAD UAH "
    "RUB".split()
)
_DOLLAR_BY_COUNTRY = {"CA": "CAD", "AU": "AUD", "NZ": "NZD", "SG": "SGD", "HK": "HKD", "MX": "MXN",
                      "TW": "TWD", "AR": "ARS", "CL": "CLP", "CO": "COP"}
_KRONA_BY_COUNTRY = {"SE": "SEK", "NO": "NOK", "DK": "DKK", "IS": "ISK"}
_CURRENCY_WORDS = {
    "us$": "USD", "u.s. dollars": "USD", "dollars": "$", "dollar": "$", "$": "$",
    "ca$": "CAD", "c$": "CAD", "cdn$": "CAD", "a$": "AUD", "au$": "AUD", "nz$": "NZD",
    "hk$": "HKD", "s$": "SGD", "r$": "BRL", "£": "GBP", "pounds": "GBP", "pound": "GBP",
    "€": "EUR", "euro": "EUR", "euros": "EUR", "eur": "EUR", "¥": "JPY", "yen": "JPY",
    "₹": "INR", "rs": "INR", "rs.": "INR", "kr": "kr", "kr.": "kr", "kronor": "SEK",
    "kroner": "kr", "zł": "PLN", "chf": "CHF", "fr.": "CHF",
}
# Country names that settle "$" or "kr" when the posting carries no country code.
_COUNTRY_WORDS = re.compile(
    r"\b(canada|australia|new zealand|singapore|hong kong|mexico|méxico|sweden|sverige|"
    r"norway|norge|denmark|danmark|iceland)\b",
    re.IGNORECASE,
)
_COUNTRY_CODES = {
    "canada": "CA", "australia": "AU", "new zealand": "NZ", "singapore": "SG", "hong kong": "HK",
    "mexico": "MX", "méxico": "MX", "sweden": "SE", "sverige": "SE", "norway": "NO", "norge": "NO",
    "denmark": "DK", "danmark": "DK", "iceland": "IS",
}

_PERIOD_PATTERNS = (
    ("hour", re.compile(r"hour|hourly|\bhr\b|\bh\b|\bph\b|heure|timme|\btim\b|timlön", re.I)),
    ("day", re.compile(r"\bday\b|daily|per-day|\bpd\b|\bjour\b|\bdag\b|dagslön", re.I)),
    ("week", re.compile(r"\bweek\b|weekly|\bwk\b|\bpw\b|semaine|vecka|veckolön", re.I)),
    ("month", re.compile(r"month|\bmo\b|\bpm\b|\bmois\b|månad|\bmån\b|mensuel", re.I)),
    ("year", re.compile(r"year|annual|annum|\byr\b|\bpa\b|p\.a\.|\ban\b|année|\bår\b|årslön|"
                        r"annuel|salary", re.I)),
)
_BIWEEKLY = re.compile(r"bi-?weekly|fortnight|\bbw\b|semi-?monthly", re.I)
# USAJOBS RateIntervalCode values.
_RATE_CODES = {"PA": "year", "PH": "hour", "PD": "day", "PW": "week", "PM": "month"}

# Plausible amounts per period: outside them a number in the text is not this posting's pay.
_PLAUSIBLE = {"hour": (1, 2_000), "day": (20, 20_000), "week": (100, 100_000),
              "month": (200, 2_000_000), "year": (1_000, 100_000_000)}

_NUMBER = r"\d{1,3}(?:[,.\s\u00a0\u202f]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
# Any three capitals may be a code; the match is kept only when it is a real ISO code. Both
# patterns start with a character class so the regex engine can skip ahead to candidates (an
# alternation of every code, or a leading \b, is tried at every position and is 10x slower).
_SYMBOL = r"(?:[A-Z]{0,3}\$|[£€¥₹])"
_CODE = r"[A-Z]{3}(?![A-Za-z])"
_PREFIX = rf"(?:{_SYMBOL}|{_CODE})"
_SUFFIX = rf"(?:{_SYMBOL}|{_CODE}|kr\b\.?|kronor\b|euros?\b|dollars\b|:-)"
_DASH = r"\s*(?:-|–|—|to|à|till|bis)\s*"
_PREFIXED = re.compile(
    rf"(?P<cur>{_PREFIX})\s?(?P<low>{_NUMBER})(?P<lowk>\s?[kK]\b)?"
    rf"(?:{_DASH}(?:{_PREFIX})?\s?(?P<high>{_NUMBER})(?P<highk>\s?[kK]\b)?)?"
)
# The characters a _PREFIXED match starts with (a currency) and a _SUFFIXED one (a digit).
_PREFIXED_FIRST_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ$£€¥₹")
_DIGIT = re.compile(r"\d")
_SUFFIXED = re.compile(
    rf"(?P<low>{_NUMBER})(?P<lowk>\s?[kK]\b)?(?:\s?{_SUFFIX})?"
    rf"(?:{_DASH}(?P<high>{_NUMBER})(?P<highk>\s?[kK]\b)?)?\s?(?P<cur>{_SUFFIX})"
)
# Where a pay figure can be: next to a currency symbol, word or common code. Found with
# str.find (C speed); the regexes then run only in a window around each marker, because
# scanning a whole description with them costs about a millisecond.
_MARKERS = ("$", "£", "€", "¥", "₹", ":-", "kr", "euro", "dollar", "USD", "EUR", "GBP", "SEK",
            "CAD", "AUD", "CHF", "NOK", "DKK", "INR", "NZD", "SGD", "PLN")
# The currency codes among the markers are three capitals in a row, so a text whose capitals
# (read on their own: a few dozen bytes) never spell one cannot hold it and its scan is
# skipped, as are the non-ASCII symbols in an ASCII text. A multi-character str.find over a
# whole description costs ~3 us; thirteen of them were most of this function's time.
_ALL_BUT_CAPITALS = bytes(byte for byte in range(256) if not 0x41 <= byte <= 0x5A)
_CAPITALS = bytes(range(0x41, 0x5B))
_MARKER_SCANS = tuple(
    (marker, marker.encode("ascii") if len(marker) == 3 and marker.isupper() else None,
     not marker.isascii())
    for marker in _MARKERS)


# What a plain repaired text (clean.RepairedText) is searched for before its markers are
# looked for one by one: the currency codes in its capitals, the non-ASCII symbols in its
# non-ASCII bytes and the other markers in its UTF-8. A regex with a literal prefix skips
# ahead in a C loop, several times faster than str.find on text with characters past
# U+00FF; "euro" is looked for as "uro", whose first letter is rarer.
_CODE_MARKERS = tuple((marker, code) for marker, code, _ in _MARKER_SCANS if code is not None)
_SYMBOL_MARKERS = tuple((marker, marker.encode("utf-8")) for marker, _, symbol in _MARKER_SCANS
                        if symbol)
_WORD_MARKERS = tuple(
    (marker, re.compile(re.escape(marker[1:] if marker == "euro" else marker).encode("ascii")))
    for marker, code, symbol in _MARKER_SCANS if code is None and not symbol and marker != "$")
# The codes are looked for in the capitals as literal regexes, which skip to the code's first
# letter in a C loop: faster than `in` on these runs of capitals (and than one alternation,
# which is tried at every capital). Every symbol marker's UTF-8 holds one of the bytes a3 (£),
# a5 (¥) or 82 (€, ₹): three memchr calls spare most non-ASCII texts the symbol scan.
_CODE_SEARCHES = tuple((marker, re.compile(code).search) for marker, code in _CODE_MARKERS)
_WINDOW_BEFORE = 60
_WINDOW_AFTER = 90
# Candidates examined per text: the pay line is near the top or in one closing paragraph.
MAX_CANDIDATES = 20
_MAGNITUDE = re.compile(r"^\s*(?:million|billion|mn\b|bn\b|m\b|b\b|\+? ?employees)", re.I)
_PERIOD_AFTER = re.compile(
    r"^\s*(?:/\s*|per\s+|an?\s+|each\s+|par\s+|i\s+|om\s+|en\s+)?"
    r"(hour|hr|h|day|week|wk|month|mo|year|yr|annum|annually|yearly|monthly|weekly|daily|hourly|"
    r"p\.a\.|pa|heure|jour|semaine|mois|an|année|timme|tim|dag|vecka|veckan|månad|månaden|mån|år|"
    r"året)\b",
    re.I,
)


def country_from_location(location_text: Optional[str]) -> Optional[str]:
    """ISO code of a country named in a location string, for the few that decide currency."""
    if not location_text:
        return None
    # Location strings repeat across a feed; the cache holds only short ones.
    if len(location_text) > 500:
        return _country_named_in.__wrapped__(location_text)
    return _country_named_in(location_text)


@functools.lru_cache(maxsize=4096)
def _country_named_in(location_text: str) -> Optional[str]:
    match = _COUNTRY_WORDS.search(location_text)
    return _COUNTRY_CODES[match.group(1).lower()] if match else None


def currency_code(raw: object, country: Optional[str] = None) -> Optional[str]:
    """ISO 4217 code of a raw currency ("$", "US$", "usd", "€", "kr") in the posting's country."""
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if not text:
        return None
    upper = text.upper()
    if upper in _ISO_CODES:
        return upper
    word = _CURRENCY_WORDS.get(text.lower())
    if word is None and text.endswith("$"):
        return None  # an unknown "XY$" prefix
    if word == "$":
        return _DOLLAR_BY_COUNTRY.get(country or "", "USD")
    if word == "kr":
        return _KRONA_BY_COUNTRY.get(country or "", "SEK" if country is None else None)
    return word


def salary_period(raw: object) -> Optional[str]:
    """hour, day, week, month or year of a raw period ("per-year-salary", "yearly", "PA")."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    text = raw.strip()
    if text.upper() in _RATE_CODES:
        return _RATE_CODES[text.upper()]
    if _BIWEEKLY.search(text):
        return None
    for period, pattern in _PERIOD_PATTERNS:
        if pattern.search(text):
            return period
    return None


def parse_amount(raw: object) -> Optional[float]:
    """A number from a raw amount: 120000, "120,000", "$120.000", "45 000", "23.58", "60K"."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, (int, float)):
        return float(raw) if raw == raw and abs(raw) != float("inf") else None
    if not isinstance(raw, str):
        return None
    match = re.search(rf"({_NUMBER})(\s?[kK]\b)?", raw)
    if not match:
        return None
    amount = _number(match.group(1))
    if amount is not None and match.group(2):
        amount *= 1000
    return amount


def _number(text: str) -> Optional[float]:
    digits = re.sub(r"[\s\u00a0\u202f]", "", text)
    if "," in digits and "." in digits:
        decimal = "," if digits.rfind(",") > digits.rfind(".") else "."
        digits = digits.replace("." if decimal == "," else ",", "").replace(",", ".")
    elif "," in digits:
        digits = digits.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+", digits) else \
            digits.replace(",", ".")
    elif "." in digits and re.fullmatch(r"\d{1,3}(\.\d{3})+", digits):
        digits = digits.replace(".", "")
    try:
        return float(digits)
    except ValueError:
        return None


def infer_period(amount: Optional[float]) -> Optional[str]:
    """A period for an amount given without one: small numbers are hourly, large ones yearly."""
    if amount is None:
        return None
    if amount < 300:
        return "hour"
    if amount >= 15_000:
        return "year"
    return None


def structured_salary(
    minimum: object,
    maximum: object,
    currency: object,
    period: object,
    country: Optional[str] = None,
) -> Optional[Salary]:
    """A Salary from structured fields; zeros and blanks mean "not given"."""
    low, high = parse_amount(minimum), parse_amount(maximum)
    low = low if low else None
    high = high if high else None
    if low is None and high is None:
        return None
    if low is not None and high is not None and low > high:
        low, high = high, low
    currency_text = currency if isinstance(currency, str) else None
    if currency_text is None:
        # "$120,000" in a min field carries its own currency.
        for value in (minimum, maximum):
            if isinstance(value, str):
                match = re.match(rf"\s*({_PREFIX})", value)
                if match:
                    currency_text = match.group(1)
                    break
    period_code = salary_period(period) if isinstance(period, str) else None
    return Salary(low, high, currency_code(currency_text, country),
                  period_code or infer_period(low if low is not None else high))


def _marker_positions(text: str, repaired: Optional[RepairedText] = None) -> list[int]:
    if repaired is not None and repaired.utf8 is not None and repaired.text is text:
        return _plain_marker_positions(text, repaired)
    capitals = text.encode("utf-8", "surrogatepass").translate(None, _ALL_BUT_CAPITALS)
    ascii_text = text.isascii()
    return _first_positions(text, [
        marker for marker, code, symbol in _MARKER_SCANS
        if not ((code is not None and code not in capitals) or (symbol and ascii_text))])


def _first_positions(text: str, markers: list) -> list[int]:
    """Where the markers occur, in the order tried (the search stops at a count)."""
    positions: set[int] = set()
    for marker in markers:
        found = text.find(marker)
        while found != -1 and len(positions) < MAX_CANDIDATES * 4:
            positions.add(found)
            found = text.find(marker, found + 1)
    return sorted(positions)[:MAX_CANDIDATES]


def _plain_marker_positions(text: str, repaired: RepairedText) -> list[int]:
    """`_marker_positions` of a repaired text from what its repair kept: its capitals and
    non-ASCII bytes (a few dozen bytes) and its UTF-8, searched where str.find is slow."""
    marks = repaired.capitals_and_non_ascii
    capitals = marks.translate(None, _ALL_BUT_CAPITALS)
    present = {marker for marker, search in _CODE_SEARCHES if search(capitals)} \
        if len(capitals) >= 3 else set()
    if len(capitals) != len(marks) and (
            b"\xa3" in marks or b"\xa5" in marks or b"\x82" in marks):
        non_ascii = marks.translate(None, _CAPITALS)
        present.update(marker for marker, symbol in _SYMBOL_MARKERS if symbol in non_ascii)
    utf8 = repaired.utf8
    if b"$" in utf8:  # memchr
        present.add("$")
    present.update(marker for marker, literal in _WORD_MARKERS if literal.search(utf8))
    if not present:
        return []
    # In the order of _marker_positions, which stops at a count.
    return _first_positions(text, [marker for marker in _MARKERS if marker in present])


def parse_salary_text(text: Optional[str], country: Optional[str] = None,
                      repaired: Optional[RepairedText] = None) -> Optional[Salary]:
    """The first pay range or rate written in a text, or None.

    Needs a currency marker and either a range, a period ("an hour", "/yr", "per month") or a
    "k" suffix, so "$5 million in funding" or "a $500 bonus" are not read as pay. `repaired`,
    the RepairedText of `text` when the caller has it, makes the scan cheaper.
    """
    if not text:
        return None
    candidates = _pay_candidates(text, repaired)
    for key in sorted(candidates):
        salary = _salary_from_match(candidates[key], text, country)
        if salary is not None:
            return salary
    return None


def _pay_candidates(
    text: str, repaired: Optional[RepairedText]
) -> dict[tuple[int, int], re.Match]:
    """The pay figures worth reading near the text's currency markers, by (start, end)."""
    candidates: dict[tuple[int, int], re.Match] = {}
    for position in _marker_positions(text, repaired):
        high = position + _WINDOW_AFTER
        # The first match that starts from 3 characters before the marker to 3 after it (60
        # before, for an amount written before its currency) and is no part of a word or a
        # longer number. Every match starts with a currency or a digit: only those starts
        # are tried, where a search would try every start up to the window's end.
        for pattern, starts in (
                (_PREFIXED, _currency_starts(text, max(0, position - 3), position + 4)),
                (_SUFFIXED, _digit_starts(text, max(0, position - _WINDOW_BEFORE),
                                          position + 4))):
            for start in starts:
                match = pattern.match(text, start, high)
                # A match inside a word or a longer number is not a figure of its own.
                if match is not None and (not start or not (
                        text[start - 1].isalnum() or text[start - 1] in "$£€.,")):
                    candidates.setdefault((start, match.end()), match)
                    break
    return candidates


def _currency_starts(text: str, start: int, end: int) -> list[int]:
    """Where a _PREFIXED match may start in text[start:end]: at a capital or a currency sign."""
    return [index for index in range(start, min(end, len(text)))
            if text[index] in _PREFIXED_FIRST_CHARS]


def _digit_starts(text: str, start: int, end: int) -> Iterator[int]:
    """Where a _SUFFIXED match may start in text[start:end]: at a digit."""
    return (digit.start() for digit in _DIGIT.finditer(text, start, end))


def _salary_from_match(match: re.Match, text: str, country: Optional[str]) -> Optional[Salary]:
    after = text[match.end(): match.end() + 40]
    if _MAGNITUDE.match(after):
        return None
    low = _number(match.group("low"))
    high = _number(match.group("high")) if match.group("high") else None
    if low is None:
        return None
    low_k, high_k = bool(match.group("lowk")), bool(match.group("highk"))
    if high is not None and high_k and not low_k and low < 1000:  # "£45-55k"
        low_k = True
    low = low * 1000 if low_k else low
    high = (high * 1000 if high_k else high) if high is not None else None
    period_match = _PERIOD_AFTER.match(after)
    period = salary_period(period_match.group(1)) if period_match else None
    if period is None and high is None and not low_k:
        return None
    if period is None:
        period = "year" if (low_k or high_k) else infer_period(low)
    if period is None:
        return None
    lowest, highest = _PLAUSIBLE[period]
    if not lowest <= low <= highest or (high is not None and not lowest <= high <= highest):
        return None
    if high is not None and high < low:
        return None
    currency_text = match.group("cur")
    # "45 000:-" is how Swedish ads write kronor.
    currency = currency_code("kr" if currency_text == ":-" else currency_text, country)
    if currency is None:
        return None  # "FTE 40 - 45 per week": three capitals that are no currency
    return Salary(low, high if high is not None else low, currency, period)
