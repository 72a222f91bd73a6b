"""Greenhouse job board API responses ({"jobs": [...], "meta": {...}}) -> RawRecords.

Called by the format dispatch for `greenhouse` files: `content` is entity-escaped HTML (escaped
twice by some exporters), pay ranges come in cents, offices list the posting's places.
"""
from __future__ import annotations

import html
import re
from typing import Iterator, Optional, Union

from schemas.posting import RawRecord
from schemas.rejects import Reject
from transforms.formats.fields import text_of
from transforms.formats.json_records import parse_json

SOURCE_FORMAT = "greenhouse"
# Unescaping stops once real tags appear; three rounds cover every exporter seen.
MAX_UNESCAPE_ROUNDS = 3
_REAL_TAG = re.compile(r"<\s*/?\s*[A-Za-z][A-Za-z0-9]*[\s/>]")
_EMPLOYMENT_METADATA = re.compile(r"employment|commitment|job type|schedule|time type", re.I)


def unescape_content(content: str) -> str:
    """Greenhouse `content` as HTML: "&lt;p&gt;" -> "<p>", "&amp;lt;p&amp;gt;" -> "<p>"."""
    for _ in range(MAX_UNESCAPE_ROUNDS):
        if _REAL_TAG.search(content) or "&" not in content:
            break
        content = html.unescape(content)
    return content


def _pay_range(job: dict) -> dict:
    ranges = job.get("pay_input_ranges")
    if not isinstance(ranges, list):
        return {}
    for pay in ranges:
        if not isinstance(pay, dict):
            continue
        low, high = _cents(pay.get("min_cents")), _cents(pay.get("max_cents"))
        if low is None and high is None:
            continue
        label = " ".join(filter(None, (text_of(pay.get("title")), text_of(pay.get("blurb")))))
        return {"salary_min": low, "salary_max": high,
                "salary_currency": text_of(pay.get("currency_type")),
                "salary_period": label or None}
    return {}


def _cents(value: object) -> Optional[float]:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        return float(value) / 100.0
    except ValueError:
        return None


def greenhouse_fields(job: dict) -> dict:
    """RawRecord fields of one Greenhouse job object."""
    location = job.get("location")
    offices = job.get("offices") if isinstance(job.get("offices"), list) else []
    offices = [office for office in offices if isinstance(office, dict)]
    office_places = [text_of(office.get("location")) or text_of(office.get("name"))
                     for office in offices]
    office_places = list(dict.fromkeys(place for place in office_places if place))
    content = job.get("content")
    metadata = job.get("metadata") if isinstance(job.get("metadata"), list) else []
    employment = [text_of(entry.get("value")) for entry in metadata
                  if isinstance(entry, dict) and _EMPLOYMENT_METADATA.search(
                      text_of(entry.get("name")) or "")]
    fields = {
        "id": job.get("id"),
        "title": job.get("title"),
        "company": job.get("company_name"),
        "location": text_of(location) if isinstance(location, dict) else location,
        "description_html": unescape_content(content) if isinstance(content, str) else content,
        "date_posted": job.get("first_published") or job.get("updated_at"),
        "url": job.get("absolute_url"),
        "employment_type": [kind for kind in employment if kind],
    }
    if len(office_places) > 1:
        fields["locations"] = office_places
    fields.update(_pay_range(job))
    return {key: value for key, value in fields.items() if value not in (None, "", [])}


def parse_greenhouse(source_uri: str, text: str) -> Iterator[Union[RawRecord, Reject]]:
    """Every job of a Greenhouse board response (or of a single-job response)."""
    yield from parse_json(source_uri, text, SOURCE_FORMAT, greenhouse_fields)
