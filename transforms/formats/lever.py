"""Lever postings API responses (an array of postings) -> RawRecords.

Called by the format dispatch for `lever` files: `text` is the title, `categories` hold
location/commitment/allLocations, the text is descriptionPlain + `lists` (HTML) + additional.
"""
from __future__ import annotations

import html
from typing import Iterator, Union

from schemas.posting import RawRecord
from schemas.rejects import Reject
from transforms.formats.fields import text_of, texts_of
from transforms.formats.json_records import parse_json

SOURCE_FORMAT = "lever"


def _description_parts(posting: dict) -> list:
    parts = []
    opening = posting.get("descriptionPlain") or posting.get("description")
    if isinstance(opening, str):
        parts.append(opening)
    sections = posting.get("lists") if isinstance(posting.get("lists"), list) else []
    for section in sections:
        if not isinstance(section, dict):
            continue
        heading = text_of(section.get("text"))
        content = section.get("content") if isinstance(section.get("content"), str) else ""
        if heading or content:
            # Lever's list content is bare <li> items: give them a list and their heading.
            parts.append(f"<h3>{html.escape(heading or '')}</h3><ul>{content}</ul>")
    closing = posting.get("additionalPlain") or posting.get("additional")
    if isinstance(closing, str):
        parts.append(closing)
    return parts


def lever_fields(posting: dict) -> dict:
    """RawRecord fields of one Lever posting object."""
    categories = posting.get("categories") if isinstance(posting.get("categories"), dict) else {}
    salary = posting.get("salaryRange") if isinstance(posting.get("salaryRange"), dict) else {}
    places = texts_of(categories.get("allLocations"))
    fields = {
        "id": posting.get("id"),
        "title": posting.get("text"),
        "location": categories.get("location"),
        "description": _description_parts(posting),
        "date_posted": posting.get("createdAt"),
        "url": posting.get("hostedUrl") or posting.get("applyUrl"),
        "employment_type": categories.get("commitment"),
        "location_country": posting.get("country"),
        "workplace_type": posting.get("workplaceType"),
        "salary_min": salary.get("min"),
        "salary_max": salary.get("max"),
        "salary_currency": salary.get("currency"),
        "salary_period": salary.get("interval"),
        "salary_text": posting.get("salaryDescriptionPlain"),
    }
    if len(places) > 1:
        fields["locations"] = places
    return {key: value for key, value in fields.items() if value not in (None, "", [])}


def parse_lever(source_uri: str, text: str) -> Iterator[Union[RawRecord, Reject]]:
    """Every posting of a Lever response: a top-level array, or {"data": [...]} pages."""
    yield from parse_json(source_uri, text, SOURCE_FORMAT, lever_fields)
