"""Scraped plain-text job pages: header lines (title, company, location, "1 year ago",
"Applications closed"), then the posting, then page furniture.

Called by the format dispatch for `text` files; yields one RawRecord per page (or a Reject)
for the parse stage.
"""
from __future__ import annotations

import re
from typing import Iterator, Optional, Union

from schemas.posting import RawRecord
from schemas.rejects import EXCERPT_CHARS, Reject, make_reject
from transforms.formats.clean import (
    is_furniture_heading,
    is_furniture_line,
    is_posting_section_heading,
    repair_text,
    strip_page_furniture,
)

SOURCE_FORMAT = "text"
MAX_HEADER_LINES = 8
_MAX_TITLE_LINE_CHARS = 150
_MAX_HEADER_LINE_CHARS = 80
# Share of control characters above which a "text" file is really binary.
_MAX_CONTROL_SHARE = 0.05

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")
_HEADER_SEPARATOR = re.compile(r"\s+[·•|]\s+")
_BULLET = re.compile(r"^[-•*▪◦·]\s")
_SENTENCE_END = re.compile(r"[.!?;]$")
_DATE_LABEL = re.compile(
    r"(?:(?:date )?(?:posted|published|listed|reposted|updated)(?: on)?|date posted)\s*:?\s*", re.I
)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = re.compile(
    r"(?:\d+\+?|an?|one)\s+(?:second|minute|min|hour|hr|day|week|month|year)s?\s+ago"
    r"|today|yesterday|just (?:now|posted)"
    r"|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}",
    re.I,
)
_TRAILING_DATE = re.compile(rf"(?:^|\s)({_DATE.pattern})$", re.I)
_CLOSED = re.compile(
    r"applications? (?:are )?closed|no longer accepting applications|(?:this )?(?:job|position|"
    r"vacancy|posting) (?:has )?(?:expired|closed|been filled|is no longer available)|expired|closed",
    re.I,
)
_OPEN = re.compile(r"actively (?:hiring|recruiting)|(?:now )?accepting applications|hiring now", re.I)
_EMPLOYMENT_TYPE = re.compile(
    r"(?:full|part)[- ]?time|contract(?:or)?|temporary|temp|internship|permanent|freelance"
    r"|fixed[- ]term(?: contract)?|seasonal|apprenticeship",
    re.I,
)
_WORKPLACE = re.compile(r"(?:fully )?remote|hybrid|on[- ]?site|in[- ]office", re.I)
_SALARY = re.compile(r"[$£€¥₹]\s?\d|\d\s?[kK]?\s?(?:USD|EUR|GBP|CAD|AUD|CHF|SEK|INR)\b")


def parse_text_page(source_uri: str, text: str) -> Iterator[Union[RawRecord, Reject]]:
    """Yield the one RawRecord of a scraped plain-text page (source_record 0), or a Reject."""
    excerpt = text[:EXCERPT_CHARS]
    if text and len(_CONTROL.findall(text[:20_000])) > _MAX_CONTROL_SHARE * min(len(text), 20_000):
        yield make_reject(source_uri, 0, "parse", "binary_content",
                          "a text page made mostly of control characters", text)
        return
    lines = repair_text(text).split("\n")
    fields, body_start = _read_header(lines)
    description = strip_page_furniture("\n".join(lines[body_start:]))
    if description:
        fields["description"] = description
    if not fields.get("title") and not description:
        yield make_reject(source_uri, 0, "parse", "no_title_and_no_text",
                          "the page has neither a title line nor posting text", text)
        return
    yield RawRecord(source_uri, 0, SOURCE_FORMAT, fields, excerpt)


def _read_header(lines: list[str]) -> tuple[dict, int]:
    """Fields of the page's header lines and the index of the first body line."""
    index = _next_content_line(lines, 0)
    if index >= len(lines) or not _is_title_line(lines[index]):
        return {}, index
    fields = {"title": lines[index]}
    plain_parts: list[str] = []
    index += 1
    header_lines = 0
    while header_lines < MAX_HEADER_LINES:
        index = _next_content_line(lines, index)
        if index >= len(lines) or not _is_header_line(lines[index]):
            break
        for part in _HEADER_SEPARATOR.split(lines[index]):
            key, value = _classify_header_part(part)
            if key is None:
                plain_parts.append(value)
            else:
                fields.setdefault(key, value)
        index += 1
        header_lines += 1
    # Job boards print the employer before the place ("Spotify", "London").
    for key, value in zip(("company", "location"), plain_parts):
        fields[key] = value
    return fields, index


def _next_content_line(lines: list[str], index: int) -> int:
    while index < len(lines) and not lines[index]:
        index += 1
    return index


def _is_short_label(line: str, max_chars: int) -> bool:
    """A short line that is no sentence, bullet, section heading or furniture."""
    return (
        len(line) <= max_chars
        and not _SENTENCE_END.search(line)
        and not _BULLET.match(line)
        and not is_posting_section_heading(line)
        and not is_furniture_line(line)
    )


def _is_title_line(line: str) -> bool:
    return _is_short_label(line, _MAX_TITLE_LINE_CHARS)


def _is_header_line(line: str) -> bool:
    if _CLOSED.fullmatch(line) or _DATE_LABEL.match(line):
        return True
    return _is_short_label(line, _MAX_HEADER_LINE_CHARS) and not is_furniture_heading(line)


def _classify_header_part(part: str) -> tuple[Optional[str], str]:
    """(raw field key, value) of one header line or " · "-separated part; key None = plain."""
    part = part.strip()
    if _CLOSED.fullmatch(part):
        return "status", "closed"
    if _OPEN.fullmatch(part):
        return "status", "open"
    # The date closes the line in any language ("Posted 3 days ago", "Publicerad 2019-02-14").
    dated = _TRAILING_DATE.search(part)
    if dated and (dated.start() == 0 or _DATE_LABEL.fullmatch(part[: dated.start()])
                  or len(part[: dated.start()].split()) <= 2):
        return "date_posted", dated.group(1)
    if _EMPLOYMENT_TYPE.fullmatch(part):
        return "employment_type", part
    if _WORKPLACE.fullmatch(part):
        return "workplace_type", part
    if _SALARY.search(part):
        return "salary_text", part
    return None, part
