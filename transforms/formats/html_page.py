"""HTML job pages: schema.org JobPosting JSON-LD first, then job-card listings, then the page's
main content, each turned into RawRecords with generic field names.

Called by the format dispatch for `html` files; the parse stage validates what it yields.
"""
from __future__ import annotations

import json
import re
from typing import Any, Iterable, Iterator, Optional, Union

from selectolax.lexbor import LexborHTMLParser, LexborNode

from schemas.posting import RawRecord
from schemas.rejects import EXCERPT_CHARS, Reject, make_reject
from transforms.formats.clean import (
    HtmlTooDeep,
    html_to_text,
    looks_like_html,
    node_to_text,
    parse_html_tree,
    repair_text,
    strip_page_furniture,
)

SOURCE_FORMAT = "html"
# JSON-LD walks stop here: a page's metadata is never this deep or this large legitimately.
MAX_JSON_LD_DEPTH = 64
MAX_JSON_LD_NODES = 100_000

_SCHEMA_PREFIX = re.compile(r"^(?:https?://schema\.org/|schema:)", re.I)
_CDATA = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$|^\s*<!--|-->\s*$")
_LEVEL = re.compile(
    r"(?:entry|junior|mid|middle|mid[-_ ]senior|senior|associate|lead|principal|staff|director"
    r"|executive|intern|internship|graduate|trainee|manager|not applicable)(?:[-_ ]level)?",
    re.I,
)
_SKILL_SEPARATOR = re.compile(r"\s*[,;]\s*")

# Single-posting pages: the most specific selector of each field wins.
_TITLE_SELECTORS = (
    "[data-testid=simpler-jobTitle]", "[data-testid=jobsearch-JobInfoHeader-title]",
    ".jobsearch-JobInfoHeader-title", ".top-card-layout__title", ".topcard__title",
    "[itemprop=title]", ".posting-headline h2", ".app-title", "h1",
)
_COMPANY_SELECTORS = (
    "[data-testid=inlineHeader-companyName]", ".jobsearch-JobInfoHeader-companyNameSimple",
    ".topcard__org-name-link", "[itemprop=hiringOrganization] [itemprop=name]", ".company-name",
)
_LOCATION_SELECTORS = (
    "[data-testid=job-location]", "[data-testid=inlineHeader-companyLocation]",
    ".topcard__flavor--bullet", ".posting-categories .location", "[itemprop=jobLocation]",
    ".job-location", ".location",
)
_DESCRIPTION_SELECTORS = (
    "#jobDescriptionText", ".show-more-less-html__markup", ".description__text",
    "[itemprop=description]", "[data-testid=job-description]", "#job-description",
    ".job-description", ".posting-page .section-wrapper", "#content .body",
)
_MAIN_SELECTORS = ("main", "[role=main]", "article")
# Site furniture removed before the generic main-content fallback reads the page.
_FURNITURE_SELECTOR = ", ".join(
    ["nav", "header", "footer", "aside", "form", "dialog", "[role=navigation]", "[role=banner]",
     "[role=contentinfo]", "[role=complementary]", "[role=dialog]", "[role=alertdialog]",
     "[aria-modal=true]"]
    + [f'[class*="{word}" i], [id*="{word}" i]' for word in (
        "cookie", "consent", "gdpr", "newsletter", "subscribe", "related", "similar",
        "recommend", "share", "social", "breadcrumb", "promo", "advert", "footer", "navbar",
    )]
)
_CONTAINER_TAGS = frozenset(("html", "body", "main", "article"))

# Listing pages: one record per card. (card, title, company, location, link) selectors.
_CARD_LAYOUTS = (
    (".base-search-card", ".base-search-card__title", ".base-search-card__subtitle",
     ".job-search-card__location", "a.base-card__full-link"),
    (".job_seen_beacon", "h2.jobTitle", "[data-testid=company-name]",
     "[data-testid=text-location]", "h2.jobTitle a"),
)


def parse_html_page(source_uri: str, text: str) -> Iterator[Union[RawRecord, Reject]]:
    """Yield the RawRecords of one HTML page: one per JSON-LD JobPosting (source_record = its
    index), one per job card on a listing page, else one from the page's main content."""
    excerpt = text[:EXCERPT_CHARS]
    try:
        tree = parse_html_tree(text)
    except HtmlTooDeep as error:
        yield make_reject(source_uri, 0, "parse", "html_too_deep", str(error), text)
        return
    postings = list(_json_ld_job_postings(tree))
    if postings:
        yield from _json_ld_records(source_uri, tree, postings)
        return
    cards = _job_cards(tree)
    # A job page that also lists other jobs (Indeed's view pane) is one posting, not a listing;
    # its canonical URL then names the listing, not the posting.
    if cards and tree.css_first(_DESCRIPTION_SELECTORS[0]) is None:
        for index, (fields, card_html) in enumerate(cards):
            yield _record_or_reject(source_uri, index, fields, card_html[:EXCERPT_CHARS])
        return
    fields = _main_content_fields(tree, page_url=not cards)
    yield _record_or_reject(source_uri, 0, fields, excerpt)


def _record_or_reject(source_uri: str, index: int, fields: dict, excerpt: str):
    if not fields.get("title") and not fields.get("description"):
        return make_reject(source_uri, index, "parse", "no_title_and_no_text",
                           "no job title and no posting text found in the HTML", excerpt)
    return RawRecord(source_uri, index, SOURCE_FORMAT, fields, excerpt)


# ---------------------------------------------------------------------------------------------
# schema.org JobPosting JSON-LD


def _json_ld_job_postings(tree: LexborHTMLParser) -> Iterator[tuple[dict, str]]:
    """(JobPosting object, its script's raw JSON) in document order, across all blocks."""
    for script in tree.css('script[type*="ld+json" i]'):
        raw = script.text(deep=True) or ""
        document = _load_json_ld(raw)
        if document is not None:
            for posting in find_job_postings(document):
                yield posting, raw


def _load_json_ld(raw: str) -> Any:
    """The JSON of one script block, or None when it is not JSON (then the page falls back to
    its HTML content rather than being rejected)."""
    try:
        return json.loads(_CDATA.sub("", raw), strict=False)
    except (ValueError, RecursionError):
        return None


def find_job_postings(document: Any) -> list[dict]:
    """Every schema.org JobPosting in a JSON-LD document, through lists, @graph containers
    and nested objects, in document order; bounded in depth and size."""
    found: list[dict] = []
    stack: list[tuple[Any, int]] = [(document, 0)]
    visited = 0
    while stack and visited < MAX_JSON_LD_NODES:
        node, depth = stack.pop()
        visited += 1
        if depth > MAX_JSON_LD_DEPTH:
            continue
        if isinstance(node, list):
            stack.extend((child, depth + 1) for child in reversed(node))
        elif isinstance(node, dict):
            if _is_job_posting(node):
                found.append(node)
                continue
            stack.extend(
                (child, depth + 1) for child in reversed(list(node.values()))
                if isinstance(child, (list, dict))
            )
    return found


def _is_job_posting(node: dict) -> bool:
    kinds = node.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return any(isinstance(kind, str) and _SCHEMA_PREFIX.sub("", kind) == "JobPosting" for kind in kinds)


def _json_ld_records(
    source_uri: str, tree: LexborHTMLParser, postings: list[tuple[dict, str]]
) -> Iterator[Union[RawRecord, Reject]]:
    page_fields: Optional[dict] = None
    for index, (posting, raw) in enumerate(postings):
        excerpt = raw.strip()[:EXCERPT_CHARS]
        try:
            fields = job_posting_fields(posting)
        except HtmlTooDeep as error:
            yield make_reject(source_uri, index, "parse", "html_too_deep", str(error), raw)
            continue
        if len(postings) == 1 and not fields.get("description"):
            # Some sites put only the metadata in JSON-LD and the description in the page.
            page_fields = page_fields or _main_content_fields(tree)
            fields.update({key: value for key, value in page_fields.items() if key not in fields})
        yield _record_or_reject(source_uri, index, fields, excerpt)


def job_posting_fields(posting: dict) -> dict:
    """Generic raw fields (schemas.posting.RAW_FIELD_KEYS) of one schema.org JobPosting object.

    Raises HtmlTooDeep when its description HTML is nested beyond the limit.
    """
    fields: dict[str, Any] = {}
    _put(fields, "title", _plain_text(posting.get("title") or posting.get("name")))
    _put(fields, "description", _description_text(posting.get("description")))
    _put(fields, "id", _identifier(posting.get("identifier")))
    _put(fields, "url", _first_text(posting.get("url")))
    _put(fields, "date_posted", _first_text(posting.get("datePosted")))
    _put(fields, "valid_through", _first_text(posting.get("validThrough")))
    _put(fields, "company", _name_of(posting.get("hiringOrganization")))
    _put(fields, "employment_type", "|".join(_texts(posting.get("employmentType"))))
    _put(fields, "workplace_type", "|".join(_texts(posting.get("jobLocationType"))))
    scopes = [_name_of(scope) for scope in _as_list(posting.get("applicantLocationRequirements"))]
    _put(fields, "remote_scope", "; ".join(scope for scope in scopes if scope))
    fields.update(_salary_fields(posting.get("baseSalary") or posting.get("estimatedSalary")))
    fields.update(_location_fields(posting.get("jobLocation")))
    fields.update(_experience_fields(posting.get("experienceRequirements")))
    skills = [
        skill for value in _as_list(posting.get("skills"))
        for skill in _SKILL_SEPARATOR.split(_name_of(value) or "") if skill
    ]
    _put(fields, "tags", skills)
    return fields


def _put(fields: dict, key: str, value: Any) -> None:
    if value not in (None, "", []):
        fields[key] = value


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _scalar_text(value: Any) -> Optional[str]:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return " ".join(repair_text(value).split()) or None
    return None


def _first_text(value: Any) -> Optional[str]:
    texts = _texts(value)
    return texts[0] if texts else None


def _texts(value: Any) -> list[str]:
    return [text for text in map(_scalar_text, _as_list(value)) if text]


def _plain_text(value: Any) -> Optional[str]:
    value = _first_text(value) if not isinstance(value, str) else value
    if not value:
        return None
    text = html_to_text(value) if looks_like_html(value) else repair_text(value)
    return " ".join(text.split()) or None


def _description_text(value: Any) -> Optional[str]:
    if isinstance(value, list):
        value = "\n".join(part for part in value if isinstance(part, str))
    if not isinstance(value, str) or not value.strip():
        return None
    return strip_page_furniture(html_to_text(value)) or None


def _name_of(value: Any) -> Optional[str]:
    """The text of a schema.org Thing given as text, {"name": ...} or a list of either."""
    for candidate in _as_list(value):
        if isinstance(candidate, dict):
            candidate = candidate.get("name") or candidate.get("value")
            if isinstance(candidate, (list, dict)):
                candidate = _name_of(candidate)
        text = _plain_text(candidate) if isinstance(candidate, str) else _scalar_text(candidate)
        if text:
            return text
    return None


def _identifier(value: Any) -> Optional[str]:
    for candidate in _as_list(value):
        if isinstance(candidate, dict):
            candidate = candidate.get("value") or candidate.get("@id") or candidate.get("name")
        text = _scalar_text(candidate)
        if text:
            return text
    return None


def _salary_fields(salary: Any) -> dict:
    amount = next((entry for entry in _as_list(salary) if isinstance(entry, (dict, int, float, str))), None)
    if amount is None:
        return {}
    if not isinstance(amount, dict):
        value = _scalar_text(amount)
        return {"salary_min": value, "salary_max": value} if value else {}
    fields: dict[str, Any] = {}
    quantity = amount.get("value")
    if isinstance(quantity, list):
        quantity = quantity[0] if quantity else None
    if isinstance(quantity, dict):
        single = _raw_number(quantity.get("value"))
        _put(fields, "salary_min", _raw_number(quantity.get("minValue")) or single)
        _put(fields, "salary_max", _raw_number(quantity.get("maxValue")) or single)
        _put(fields, "salary_period", _scalar_text(quantity.get("unitText")))
        _put(fields, "salary_currency", _scalar_text(quantity.get("currency")))
    else:
        single = _raw_number(quantity)
        _put(fields, "salary_min", _raw_number(amount.get("minValue")) or single)
        _put(fields, "salary_max", _raw_number(amount.get("maxValue")) or single)
    _put(fields, "salary_currency", _scalar_text(amount.get("currency")))
    _put(fields, "salary_period", _scalar_text(amount.get("unitText")))
    return fields


def _raw_number(value: Any) -> Any:
    """A salary figure as the source gave it: numbers stay numbers, text stays text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    return _scalar_text(value)


def _location_fields(job_location: Any) -> dict:
    places = [_place(entry) for entry in _as_list(job_location)]
    places = [place for place in places if place.get("location")]
    if not places:
        return {}
    if len(places) == 1:
        return places[0]
    names = list(dict.fromkeys(place["location"] for place in places))
    return {"location": "; ".join(names), "locations": names}


def _place(entry: Any) -> dict:
    """Raw location fields of one schema.org Place (or a bare address or text)."""
    if isinstance(entry, str):
        return {"location": _plain_text(entry)}
    if not isinstance(entry, dict):
        return {}
    address = entry.get("address", entry if entry.get("@type") == "PostalAddress" else None)
    if isinstance(address, list):
        address = address[0] if address else None
    if isinstance(address, str) or address is None:
        return {"location": _plain_text(address) or _name_of(entry.get("name"))}
    if not isinstance(address, dict):
        return {}
    parts = {
        "location_city": _name_of(address.get("addressLocality")),
        "location_region": _name_of(address.get("addressRegion")),
        "location_postal_code": _name_of(address.get("postalCode")),
        "location_country": _name_of(address.get("addressCountry")),
    }
    readable = [parts[key] for key in ("location_city", "location_region", "location_country")]
    location = ", ".join(dict.fromkeys(part for part in readable if part))
    location = location or _name_of(address.get("streetAddress")) or _name_of(entry.get("name"))
    fields = {key: value for key, value in parts.items() if value}
    if location:
        fields["location"] = location
    return fields


def _experience_fields(requirement: Any) -> dict:
    for entry in _as_list(requirement):
        if isinstance(entry, dict):
            months = entry.get("monthsOfExperience")
            if isinstance(months, (int, float, str)) and not isinstance(months, bool):
                return {"experience_months": months}
        text = _scalar_text(entry)
        if text and _LEVEL.fullmatch(text):
            return {"seniority": text}
    return {}


# ---------------------------------------------------------------------------------------------
# Listing pages and single-posting pages without JSON-LD


def _job_cards(tree: LexborHTMLParser) -> list[tuple[dict, str]]:
    """(fields, card HTML) of every job card of the first known listing layout on the page."""
    for card_sel, title_sel, company_sel, location_sel, link_sel in _CARD_LAYOUTS:
        cards = tree.css(card_sel)
        if not cards:
            continue
        records = []
        for card in cards:
            card_html = card.html or ""
            fields: dict[str, Any] = {}
            _put(fields, "id", _card_id(card))
            _put(fields, "title", _node_line(card.css_first(title_sel)))
            _put(fields, "company", _node_line(card.css_first(company_sel)))
            _put(fields, "location", _node_line(card.css_first(location_sel)))
            date = card.css_first("time")
            if date is not None:
                _put(fields, "date_posted", date.attributes.get("datetime") or _node_line(date))
            link = card.css_first(link_sel)
            if link is not None:
                _put(fields, "url", _scalar_text(link.attributes.get("href")))
            records.append((fields, card_html))
        return records
    return []


def _card_id(card: LexborNode) -> Optional[str]:
    urn = card.attributes.get("data-entity-urn") or ""
    if urn:
        return urn.rsplit(":", 1)[-1] or None
    link = card.css_first("a[data-jk]")
    return link.attributes.get("data-jk") if link is not None else None


def _node_line(node: Optional[LexborNode]) -> Optional[str]:
    if node is None:
        return None
    if node.tag == "meta":
        return _scalar_text(node.attributes.get("content"))
    node.strip_tags(["script", "style", "noscript", "template"])
    return _scalar_text(node.text(deep=True, separator=" "))


def _first_match(tree: LexborHTMLParser, selectors: Iterable[str]) -> Optional[str]:
    for selector in selectors:
        text = _node_line(tree.css_first(selector))
        if text:
            return text
    return None


def _remove_furniture(container: LexborNode) -> None:
    """Drop nav, footer, cookie, related-jobs... elements under `container`.

    Only outermost matches are decomposed: freeing a node frees its subtree, and touching a
    freed descendant afterwards would be a use-after-free in the C parser.
    """
    matches = [
        node for node in container.css(_FURNITURE_SELECTOR)
        if node.tag not in _CONTAINER_TAGS and node.attributes.get("role") != "main"
    ]
    matched_ids = {node.mem_id for node in matches}
    outermost = []
    for node in matches:
        ancestor = node.parent
        while ancestor is not None and ancestor.mem_id not in matched_ids:
            ancestor = ancestor.parent
        if ancestor is None:
            outermost.append(node)
    for node in outermost:
        node.decompose()


def _main_content_fields(tree: LexborHTMLParser, page_url: bool = True) -> dict:
    """Fields of a single-posting page read from its markup; the description comes from the
    posting's own container, else from the main content with site furniture removed."""
    fields: dict[str, Any] = {}
    _put(fields, "title", _first_match(tree, _TITLE_SELECTORS + (
        'meta[property="og:title"]', 'meta[name="twitter:title"]', "title")))
    _put(fields, "company", _first_match(tree, _COMPANY_SELECTORS + ('meta[property="og:site_name"]',)))
    _put(fields, "location", _first_match(tree, _LOCATION_SELECTORS))
    if page_url:
        canonical = tree.css_first('link[rel="canonical"]')
        url = canonical.attributes.get("href") if canonical is not None else None
        _put(fields, "url", _scalar_text(url) or _first_match(tree, ('meta[property="og:url"]',)))
    container = next(filter(None, map(tree.css_first, _DESCRIPTION_SELECTORS)), None)
    if container is None:
        container = next(filter(None, map(tree.css_first, _MAIN_SELECTORS)), None) or tree.body
        if container is None:
            return fields
        _remove_furniture(container)
    description = strip_page_furniture(repair_text(node_to_text(container)))
    title = fields.get("title")
    if title and description.startswith(title):
        description = description[len(title):].lstrip()
    _put(fields, "description", description)
    return fields
