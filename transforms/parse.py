"""Second stage: RawRecord (generic raw fields from any format) -> validated posting row.

`to_posting` cleans and normalizes one record (text, dates, status, employment type, salary,
location hints) and validates it once at the pydantic boundary; `ParsePostings` applies it and
sends records that cannot be postings to the rejects output.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from typing import Optional

import apache_beam as beam
import pycountry
from apache_beam.metrics import Metrics
from pydantic import ValidationError

from schemas.posting import (
    MAX_TEXT_CHARS,
    MAX_TITLE_CHARS,
    RawRecord,
    validated_posting_row,
)
from schemas.rejects import REJECTS_TAG, make_reject
from transforms.formats.clean import (
    HtmlTooDeep,
    RepairedText,
    html_to_repaired_text,
    html_to_text,
    is_clean_line,
    looks_like_html,
    repair_text,
    repaired_text,
)
from transforms.formats.dates import parse_date, posting_status
from transforms.formats.employment import map_employment_type
from transforms.formats.fields import text_of, texts_of
from transforms.formats.salary import (
    country_from_location,
    parse_salary_text,
    structured_salary,
)
from transforms.runs import InRunsFn

STAGE = "parse"
# A title made from the first line of the text stops at a word boundary near this length.
DERIVED_TITLE_CHARS = 120
# Countries that write numeric dates month first; everywhere else "03/11/2025" is 3 November.
_MONTH_FIRST_COUNTRIES = frozenset({"US", "PH", "CA", "FM", "MH", "PW", "GU", "PR", "VI", "AS"})
_WORKPLACE_TYPES = {
    "remote": "remote", "fully remote": "remote", "telecommute": "remote", "wfh": "remote",
    "work from home": "remote", "hybrid": "hybrid", "onsite": "onsite", "on-site": "onsite",
    "on site": "onsite", "on_site": "onsite", "in office": "onsite", "in-office": "onsite",
    "office": "onsite", "in person": "onsite", "in-person": "onsite",
}
_SPACES = re.compile(r"\s+")
# Titles, employers, places and levels repeat across a feed: each distinct short value is
# cleaned once per worker (a failed one, html_too_deep, is not cached and raises each time).
_CACHED_LINE_CHARS = 300
# Real markup uses HTML's own tags; "<ORGANIZATION>" or "<LOCATION>" are de-identification
# placeholders in plain text (SkillSpan) and must survive as words.
_HTML_TAG = re.compile(
    r"</?(?:p|div|br|ul|ol|li|b|i|u|em|strong|span|a|h[1-6]|table|tr|td|th|section|article|"
    r"font|small|blockquote|pre|code|hr|img|dl|dt|dd|header|footer|main|body|html)\b[^<>]*>",
    re.I,
)
# Endonyms and short forms that sources use for the country field and pycountry does not know.
_LOCAL_COUNTRY_NAMES = {
    "sverige": "SE", "usa": "US", "u.s.": "US", "uk": "GB", "deutschland": "DE", "españa": "ES",
    "italia": "IT", "norge": "NO", "danmark": "DK", "suomi": "FI", "schweiz": "CH",
    "österreich": "AT", "nederland": "NL", "belgique": "BE",
}
_ASCII_BYTES = bytes(range(0x80))
_CAPITAL_BYTES = bytes(range(0x41, 0x5B))
# Fields to_posting has repaired: repair drops lone surrogates, so validation need not look.
_REPAIRED_FIELDS = frozenset({"title", "company", "description", "location_raw", "seniority_hint"})
_HINT_FIELDS = frozenset({
    "location_city", "location_region", "location_postal_code", "remote_scope",
    "location_country", "is_remote", "workplace_type", "locations"})
_TRUE_WORDS = frozenset({"true", "yes", "y", "1", "remote", "t"})
_FALSE_WORDS = frozenset({"false", "no", "n", "0", "f", "onsite", "on-site"})


class RecordRejected(Exception):
    """A record that cannot be a posting; `reason` is short and countable."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def _is_html(text: str) -> bool:
    return looks_like_html(text) and ("&lt;" in text or _HTML_TAG.search(text) is not None)


def _one_line(value: Optional[str]) -> Optional[str]:
    if not value:
        return None
    if len(value) <= _CACHED_LINE_CHARS:
        return _cached_one_line(value)
    return _clean_one_line(value)


@functools.lru_cache(maxsize=8192)
def _cached_one_line(value: str) -> Optional[str]:
    return _clean_one_line(value)


def _clean_one_line(value: str) -> Optional[str]:
    if "<" not in value and is_clean_line(value):
        return value  # already one clean line: most titles, companies and places
    if "<" in value and _is_html(value):
        try:
            value = html_to_text(value)
        except HtmlTooDeep as err:
            raise RecordRejected("html_too_deep", str(err)) from err
    cleaned = _SPACES.sub(" ", repair_text(value)).strip()
    return cleaned or None


def _field_text(fields: dict, key: str, strict: bool = False) -> Optional[str]:
    value = fields.get(key)
    text = text_of(value)
    if strict and text is None and value is not None and not isinstance(value, str) and not (
            isinstance(value, (list, dict)) and not value):
        raise RecordRejected("invalid_field", f"{key} is {type(value).__name__}, not text")
    return text


def _description(fields: dict) -> RepairedText:
    """The posting's text, repaired: its parts joined by blank lines and cut at
    MAX_TEXT_CHARS. It keeps its parts' repair by-products when every part has them."""
    parts: list[RepairedText] = []
    for key in ("description", "description_html"):
        value = fields.get(key)
        for part in value if isinstance(value, list) else [value]:
            if not isinstance(part, str) or not part.strip():
                continue
            try:
                repaired = html_to_repaired_text(part) if _is_html(part) else repaired_text(part)
            except HtmlTooDeep as err:
                raise RecordRejected("html_too_deep", f"{key}: {err}") from err
            if repaired.text:
                parts.append(repaired)
    if len(parts) == 1 and len(parts[0].text) <= MAX_TEXT_CHARS:
        return parts[0]
    description = "\n\n".join(part.text for part in parts)
    if len(description) > MAX_TEXT_CHARS or any(part.utf8 is None for part in parts):
        return RepairedText(description[:MAX_TEXT_CHARS], None, None)
    return RepairedText(description, b"\n\n".join(part.utf8 for part in parts),
                        b"".join(part.capitals_and_non_ascii for part in parts))


def _derived_title(description: str) -> str:
    first_line = next(line for line in description.split("\n") if line.strip()).strip()
    return _cut_at_word(first_line, DERIVED_TITLE_CHARS)


def _cut_at_word(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:-")


@functools.lru_cache(maxsize=2048)
def country_code(raw: Optional[str]) -> Optional[str]:
    """ISO 3166-1 alpha-2 code of a country code or name ("SE", "Sverige", "France"), or None."""
    if not raw:
        return None
    text = raw.strip()
    if len(text) == 2 and text.isalpha():
        return text.upper() if pycountry.countries.get(alpha_2=text.upper()) else None
    if text.lower() in _LOCAL_COUNTRY_NAMES:
        return _LOCAL_COUNTRY_NAMES[text.lower()]
    try:
        return pycountry.countries.lookup(text).alpha_2
    except LookupError:
        return None


def content_hash(title: str, company: Optional[str], location: Optional[str],
                 description: str, repaired: Optional[RepairedText] = None) -> str:
    """"h:" + 16 hex chars of sha1 over the normalized title, company, location and text.
    `repaired`, the RepairedText of `description` when the caller has it, saves work."""
    if repaired is not None and repaired.utf8 is not None and repaired.text is description:
        text_words = _plain_text_words(repaired)
    else:
        text_words = _hash_words(description)
    normalized = b"\x1f".join(
        (_hash_words(title), _hash_words(company), _hash_words(location), text_words))
    return "h:" + hashlib.sha1(normalized).hexdigest()[:16]


def _plain_text_words(repaired: RepairedText) -> bytes:
    """_hash_words of a plain repaired text (see RepairedText): it holds no whitespace but
    single spaces and runs of one or two "\\n", so the words are its lowered UTF-8 with each
    run as one space, when lowering leaves its non-ASCII characters as they are."""
    if not repaired.text.isascii():
        others = repaired.capitals_and_non_ascii.translate(None, _CAPITAL_BYTES).decode("utf-8")
        if others.lower() != others:
            return _hash_words(repaired.text)
    words = repaired.utf8.lower()
    if b"\n" in words:
        words = words.replace(b"\n\n", b" ").replace(b"\n", b" ")
    return words


def _hash_words(part: Optional[str]) -> bytes:
    """" ".join(part.lower().split()) in UTF-8, computed on the UTF-8 bytes where that gives
    the same words: str.lower costs ~8 ns a character on text that is not all ASCII, and
    split/join builds an object per word. The bytes path needs non-ASCII characters that
    neither change case nor are whitespace, and no whitespace besides " " and "\\n"."""
    if not part:
        return b""
    if len(part) < 100:  # a title, employer or place: str methods cost less than the checks
        return " ".join(part.lower().split()).encode("utf-8")
    try:
        encoded = part.encode("utf-8")
    except UnicodeEncodeError:
        encoded = b""  # lone surrogates: the str path raises as it always did
    if not encoded or _has_rare_ascii_space(encoded):
        return " ".join(part.lower().split()).encode("utf-8")
    if not part.isascii():
        others = encoded.translate(None, _ASCII_BYTES).decode("utf-8")
        if others.lower() != others or "".join(others.split()) != others:
            return " ".join(part.lower().split()).encode("utf-8")
    words = encoded.lower().replace(b"\n", b" ")
    while True:  # one replace costs what a search for "  " does: no search first
        shorter = words.replace(b"  ", b" ")
        if len(shorter) == len(words):
            return words.strip(b" ")
        words = shorter


def _has_rare_ascii_space(encoded: bytes) -> bool:
    """True when the bytes hold ASCII whitespace (to str.split) other than " " and "\\n"."""
    # One memchr each; a regex character class costs ten times as much.
    return (b"\t" in encoded or b"\r" in encoded or b"\x0b" in encoded or b"\x0c" in encoded
            or b"\x1c" in encoded or b"\x1d" in encoded or b"\x1e" in encoded
            or b"\x1f" in encoded)


def _bool(value: object) -> Optional[bool]:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    return None


def _location_hints(fields: dict, country: Optional[str]) -> dict:
    if fields.keys().isdisjoint(_HINT_FIELDS):
        return {}  # most sources give none of them
    hints: dict = {}
    for hint, key in (("city", "location_city"), ("region", "location_region"),
                      ("postal_code", "location_postal_code"), ("remote_scope", "remote_scope")):
        value = fields.get(key)
        if value is None:
            continue  # most sources give few of these
        text = _one_line(text_of(value))
        if text:
            hints[hint] = text
    raw_country = _one_line(text_of(fields.get("location_country")))
    if raw_country:
        hints["country"] = country or raw_country
    is_remote = _bool(fields.get("is_remote"))
    if is_remote is not None:
        hints["is_remote"] = is_remote
    workplace = text_of(fields.get("workplace_type"))
    if workplace:
        arrangement = _WORKPLACE_TYPES.get(workplace.strip().lower().replace("_", " "))
        if arrangement is None and workplace.strip().lower() == "on site":
            arrangement = "onsite"
        if arrangement:
            hints["workplace_type"] = arrangement
    places = [place for place in (_one_line(text) for text in texts_of(fields.get("locations")))
              if place]
    if places:
        hints["locations"] = places
    return hints


def _experience_months(value: object) -> Optional[int]:
    if isinstance(value, bool) or value is None:
        return None
    try:
        months = int(float(value))
    except (TypeError, ValueError, OverflowError):
        return None
    return months if 0 <= months <= 720 else None


def to_posting(raw: RawRecord, as_of: dt.date) -> dict:
    """The first PostingRow of one raw record; raises RecordRejected when it is no posting."""
    fields = raw.fields
    title = _one_line(_field_text(fields, "title", strict=True))
    repaired = _description(fields)
    description = repaired.text
    if not title and not description:
        raise RecordRejected("no_title_and_no_text", "the record has neither a title nor any text")
    if not title:
        title = _derived_title(description)
    elif len(title) > MAX_TITLE_CHARS:
        # Keep every word: the full first line goes to the text, a cut one is the title.
        if not description.startswith(title[:100]):
            description = (title + "\n\n" + description)[:MAX_TEXT_CHARS]
        title = _cut_at_word(title, MAX_TITLE_CHARS)
    company = _one_line(_field_text(fields, "company"))
    location_texts = texts_of(fields.get("location"))
    location_raw = _one_line("; ".join(location_texts)) if location_texts else None
    country = country_code(text_of(fields.get("location_country"))) or \
        country_from_location(location_raw)
    day_first = country is not None and country not in _MONTH_FIRST_COUNTRIES
    posted_date = parse_date(fields.get("date_posted"), as_of, day_first)
    valid_through = parse_date(fields.get("valid_through"), as_of, day_first)
    salary = structured_salary(fields.get("salary_min"), fields.get("salary_max"),
                               fields.get("salary_currency"), fields.get("salary_period"), country)
    if salary is None:
        salary_text = text_of(fields.get("salary_text"))
        salary = parse_salary_text(salary_text, country) if salary_text else None
        if salary is None:
            salary = parse_salary_text(description, country, repaired)
    posting_id = _field_text(fields, "id")
    if posting_id is None or not posting_id.strip():
        posting_id = content_hash(title, company, location_raw, description, repaired)
    try:
        return validated_posting_row(dict(
            posting_id=posting_id,
            source_uri=raw.source_uri,
            source_record=raw.source_record,
            source_format=raw.source_format,
            url=_field_text(fields, "url"),
            title=title,
            company=company,
            description=description,
            posted_date=posted_date,
            status=posting_status(text_of(fields.get("status")), valid_through, description, as_of),
            employment_type=map_employment_type(fields.get("employment_type")),
            location_raw=location_raw,
            location_hints=_location_hints(fields, country),
            seniority_hint=_one_line(_field_text(fields, "seniority")),
            experience_months=_experience_months(fields.get("experience_months")),
            salary_min=salary.minimum if salary else None,
            salary_max=salary.maximum if salary else None,
            salary_currency=salary.currency if salary else None,
            salary_period=salary.period if salary else None,
        ), surrogate_free=_REPAIRED_FIELDS)
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
            for error in err.errors()[:5])
        raise RecordRejected("invalid_field", problems) from err


# ---------------------------------------------------------------------------------------------
# Beam


class ToPostingFn(beam.DoFn):
    """RawRecord -> posting row (main output) or Reject (REJECTS_TAG), counted per reason."""

    def __init__(self, as_of: dt.date):
        self._as_of = as_of
        self._counters: dict = {}

    def process(self, raw: RawRecord):
        try:
            yield to_posting(raw, self._as_of)
        except RecordRejected as rejected:
            counter = self._counters.get(rejected.reason)
            if counter is None:
                counter = self._counters[rejected.reason] = Metrics.counter(STAGE, rejected.reason)
            counter.inc()
            yield beam.pvalue.TaggedOutput(REJECTS_TAG, make_reject(
                raw.source_uri, raw.source_record, STAGE, rejected.reason, rejected.detail,
                raw.excerpt))


class ParsePostings(beam.PTransform):
    """RawRecords -> DoOutputsTuple with "postings" (rows) and "rejects" (Reject rows)."""

    def __init__(self, as_of: dt.date):
        super().__init__()
        if not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
            raise ValueError(f"as_of must be a datetime.date, not {as_of!r}")
        self._as_of = as_of

    def expand(self, raw_records):
        return raw_records | "ToPosting" >> beam.ParDo(
            InRunsFn(ToPostingFn(self._as_of))).with_outputs(REJECTS_TAG, main="postings")
