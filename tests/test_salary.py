"""Salaries (transforms.formats.salary): structured fields and pay written in the text."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.formats import salary
from transforms.formats.clean import repaired_text
from transforms.formats.salary import (
    Salary,
    currency_code,
    parse_amount,
    parse_salary_text,
    salary_period,
    structured_salary,
)


@pytest.mark.parametrize(
    "text, country, expected",
    [
        ("$120,000 - $150,000", None, Salary(120000.0, 150000.0, "USD", "year")),
        ("£45k-£55k", None, Salary(45000.0, 55000.0, "GBP", "year")),
        ("£45-55k", None, Salary(45000.0, 55000.0, "GBP", "year")),
        ("€60K", None, Salary(60000.0, 60000.0, "EUR", "year")),
        ("Pay: 60K€", None, Salary(60000.0, 60000.0, "EUR", "year")),
        ("USD 50/hour", None, Salary(50.0, 50.0, "USD", "hour")),
        ("$25 - $30 an hour", None, Salary(25.0, 30.0, "USD", "hour")),
        ("$15 - $18 an hour", "CA", Salary(15.0, 18.0, "CAD", "hour")),
        ("CA$90,000 - CA$110,000", None, Salary(90000.0, 110000.0, "CAD", "year")),
        ("SEK 45 000 per month", "SE", Salary(45000.0, 45000.0, "SEK", "month")),
        ("Lön: 30 000 - 35 000 kr/mån", "SE", Salary(30000.0, 35000.0, "SEK", "month")),
        ("45 000:- i månaden", "SE", Salary(45000.0, 45000.0, "SEK", "month")),
        ("Salaire : 35 000 € - 40 000 € par an", "FR", Salary(35000.0, 40000.0, "EUR", "year")),
        # Indeed CA 2018 descriptions open with the pay line
        ("$65 - $75 an hour\nContract\nBICP, a leading edge", None, Salary(65.0, 75.0, "USD", "hour")),
        ("$29,000 - $40,000 a year\nCANNABIS INDUSTRY", None, Salary(29000.0, 40000.0, "USD", "year")),
        ("$23.58 - $27.82 an hour\nContract", None, Salary(23.58, 27.82, "USD", "hour")),
        ("$200,000 a year\nBS/MS/PhD in quantitative discipline", None,
         Salary(200000.0, 200000.0, "USD", "year")),
        ("401(k) match and a base of $120k-$140k", None, Salary(120000.0, 140000.0, "USD", "year")),
        ("Gehalt: CHF 95,000 - 110,000 per year", "CH", Salary(95000.0, 110000.0, "CHF", "year")),
        ("Senior Data Engineer (ETL, AWS, SQL) - 90-110K GBP", None,
         Salary(90000.0, 110000.0, "GBP", "year")),
        # not pay
        ("Team of 40 (SD, QA and UX) in NYC", None, None),
        ("We raised $5 million from investors", None, None),
        ("A $500 signing bonus", None, None),
        ("The FTE 40 - 45 per week", None, None),
        ("USA 2020 - 2021", None, None),
        ("5+ years of experience", None, None),
        ("", None, None),
    ],
)
def test_parse_salary_text(text, country, expected):
    assert parse_salary_text(text, country) == expected


@pytest.mark.parametrize(
    "minimum, maximum, currency, period, country, expected",
    [
        ("49960", "99314", "USD", None, None, Salary(49960.0, 99314.0, "USD", "year")),  # USAJOBS
        (180000, 210000, "USD", None, None, Salary(180000.0, 210000.0, "USD", "year")),  # Remote OK
        (30, 30, "USD", None, None, Salary(30.0, 30.0, "USD", "hour")),
        (0, 0, "USD", None, None, None),  # Remote OK's "no salary"
        ("0.0", "0.0", None, None, None, None),  # skills-ml's "no salary"
        (45000, 55000, "SEK", "per-month-salary", "SE", Salary(45000.0, 55000.0, "SEK", "month")),
        (100602, 130786, "USD", "per-year-salary", "US", Salary(100602.0, 130786.0, "USD", "year")),
        ("$120,000", "$150,000", None, "yearly", None, Salary(120000.0, 150000.0, "USD", "year")),
        (150000, 120000, "usd", "YEAR", None, Salary(120000.0, 150000.0, "USD", "year")),
        ("80000", "100000", "USD", "PA", None, Salary(80000.0, 100000.0, "USD", "year")),
        (25.5, None, "$", "hourly", "AU", Salary(25.5, None, "AUD", "hour")),
        (None, None, "USD", "year", None, None),
    ],
)
def test_structured_salary(minimum, maximum, currency, period, country, expected):
    assert structured_salary(minimum, maximum, currency, period, country) == expected


@pytest.mark.parametrize(
    "raw, country, expected",
    [("USD", None, "USD"), ("usd", None, "USD"), ("$", None, "USD"), ("$", "CA", "CAD"),
     ("$", "AU", "AUD"), ("US$", "CA", "USD"), ("£", None, "GBP"), ("€", None, "EUR"),
     ("kr", "SE", "SEK"), ("kr", "NO", "NOK"), ("kr", "DK", "DKK"), ("kr", "US", None),
     ("Euro", None, "EUR"), ("dollars", None, "USD"), ("XYZ$", None, None), ("", None, None),
     (None, None, None), (12, None, None)],
)
def test_currency_code(raw, country, expected):
    assert currency_code(raw, country) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [("per-year-salary", "year"), ("per-month-salary", "month"), ("per-hour-wage", "hour"),
     ("per-week-salary", "week"), ("per-day-wage", "day"), ("yearly", "year"), ("hourly", "hour"),
     ("monthly", "month"), ("PA", "year"), ("PH", "hour"), ("an hour", "hour"), ("a year", "year"),
     ("Annual salary", "year"), ("Biweekly", None), ("one-time", None), ("", None), (None, None)],
)
def test_salary_period(raw, expected):
    assert salary_period(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [(120000, 120000.0), ("$120,000", 120000.0), ("120.000", 120000.0), ("45 000", 45000.0),
     ("23.58", 23.58), ("23,58", 23.58), ("60K", 60000.0), ("1,234.50", 1234.5),
     ("1.234,50", 1234.5), ("n/a", None), (True, None), (float("nan"), None), (None, None)],
)
def test_parse_amount(raw, expected):
    assert parse_amount(raw) == expected


# Pieces of pay lines and of text around them: markers in and out of words, numbers that are
# and are not pay, periods, and characters past U+00FF.
PAY_PIECES = st.lists(st.sampled_from(
    ["$", "US$", "CA$", "USD", "EUR", "€", "£", "¥", "₹", "kr", "kronor", ":-", "euro", "euros",
     "dollars", "120,000", "45 000", "60k", "23.58", "2021", "5", " ", " - ", " – ", " to ",
     "per hour", "/yr", "a year", "per month", "SEK", "CAD", "k", "million", "Europe", "USDA",
     "Ukraine", "\n", ".", ",", "1.000.000", "mån", "année", "’", "Ω"]), max_size=40)


@settings(max_examples=300, deadline=None)
@given(PAY_PIECES, st.sampled_from([None, "CA", "SE", "US"]))
def test_pay_in_a_repaired_text_is_found_from_its_by_products(pieces, country):
    repaired = repaired_text("".join(pieces))
    assert salary._marker_positions(repaired.text, repaired) == \
        salary._marker_positions(repaired.text)
    assert parse_salary_text(repaired.text, country, repaired) == \
        parse_salary_text(repaired.text, country)


def _candidates_by_search(text: str) -> dict:
    """The pay candidates found as parse_salary_text found them before it tried only the
    starts a match can have: a search from each window's start, then from after each match
    that is part of a word or a longer number."""
    candidates = {}
    for position in salary._marker_positions(text):
        low, high = max(0, position - 60), position + 90
        for pattern, start_at in ((salary._PREFIXED, max(0, position - 3)),
                                  (salary._SUFFIXED, low)):
            match = pattern.search(text, start_at, high)
            while match is not None and match.start() <= position + 3:
                start = match.start()
                if not start or not (text[start - 1].isalnum() or text[start - 1] in "$£€.,"):
                    candidates.setdefault((start, match.end()), match.groupdict())
                    break
                match = pattern.search(text, start + 1, high)
    return candidates


@settings(max_examples=300, deadline=None)
@given(PAY_PIECES)
def test_windows_try_only_the_starts_a_match_can_have(pieces):
    text = "".join(pieces)
    assert {span: match.groupdict() for span, match in
            salary._pay_candidates(text, None).items()} == _candidates_by_search(text)


def test_every_symbol_marker_holds_a_byte_the_symbol_gate_looks_for():
    # _plain_marker_positions skips the symbol scan of a text whose non-ASCII bytes hold none
    # of a3, a5 and 82: each symbol marker must hold one of them.
    assert salary._SYMBOL_MARKERS
    for marker, symbol in salary._SYMBOL_MARKERS:
        assert set(symbol) & {0xA3, 0xA5, 0x82}, marker


@pytest.mark.parametrize(
    "text, country, expected",
    [
        # Markers without a single digit: no pay figure can be there (both pay patterns
        # need a number).
        ("Salary: competitive, paid in USD or € (we pay in kr in Sweden)", "SE", None),
        ("Pay in dollars, euros or kronor:-", None, None),
        # Digits that are not ASCII are digits to the pay patterns too.
        ("Lön: ٣٠٠٠٠ kr/mån", "SE", Salary(30000.0, 30000.0, "SEK", "month")),
        ("€ ６０K", None, Salary(60000.0, 60000.0, "EUR", "year")),
    ],
)
def test_pay_needs_a_digit(text, country, expected):
    assert parse_salary_text(text, country) == expected
    repaired = repaired_text(text)
    assert parse_salary_text(repaired.text, country, repaired) == expected


@settings(max_examples=200, deadline=None)
@given(PAY_PIECES)
def test_a_text_without_digits_has_no_pay_candidates(pieces):
    text = "".join(piece for piece in pieces if not any(char.isdigit() for char in piece))
    assert salary._pay_candidates(text, None) == {}
    assert parse_salary_text(text, "SE") is None
