"""Work arrangement (onsite / hybrid / remote) and remote scope from a posting's structured
fields, its location string and its text; used by transforms.location after the place is known.
Patterns are compiled once at import; each text is scanned a fixed, small number of times.
"""
from __future__ import annotations

import re
from typing import Optional

# Region names a remote scope may take besides an ISO country code.
SCOPE_REGIONS = {
    "worldwide": "Worldwide", "global": "Worldwide", "globally": "Worldwide",
    "anywhere in the world": "Worldwide", "emea": "EMEA", "apac": "APAC", "asia pacific": "APAC",
    "asia-pacific": "APAC", "americas": "Americas", "the americas": "Americas",
    "latam": "Latin America", "latin america": "Latin America", "north america": "North America",
    "europe": "Europe", "european": "Europe", "eu": "Europe", "european union": "Europe",
    "european region": "Europe", "european economic area": "Europe", "eea": "Europe",
    "asia": "Asia", "africa": "Africa", "middle east": "Middle East", "mena": "Middle East",
    "oceania": "Oceania", "anz": "Oceania",
}
_SCOPE_REGION_PATTERN = "|".join(
    re.escape(name) for name in sorted(SCOPE_REGIONS, key=len, reverse=True))

_WORKPLACE_TYPES = {
    "remote": "remote", "telecommute": "remote", "fully remote": "remote", "hybrid": "hybrid",
    "on-site": "onsite", "onsite": "onsite", "on site": "onsite", "in office": "onsite",
    "in-office": "onsite", "office": "onsite",
}

# In a location string: the markers and the words that glue them to the place.
LOCATION_REMOTE = re.compile(
    r"\b(?:fully\s+|100%\s+)?remote(?:\s+(?:job|work|first|only|position|role|option))?\b"
    r"|\bwork(?:ing)?\s+from\s+home\b|\bwfh\b|\bhome[- ]?based\b|\btelecommute\b"
    r"|\btelework(?:ing)?\b|\bvirtual\b|\banywhere\b", re.I)
LOCATION_HYBRID = re.compile(r"\bhybrid(?:\s+(?:work|remote|working))?\b", re.I)
LOCATION_ONSITE = re.compile(r"\bon[- ]?site\b|\bin[- ]office\b", re.I)
_LOCATION_GLUE = re.compile(
    r"^\s*(?:in\s+(?:the\s+)?|[-–—:|,/]\s*)+|\s*(?:[-–—:|,/(]+|\bonly)\s*$", re.I)
_DANGLING_GLUE = re.compile(r"\s*[-–—:|/]\s*(?=,)|(?<=,)\s*,")
_WRAPPED = re.compile(r"^\((.*)\)$")
_EMPTY_PARENS = re.compile(r"\(\s*\)|\[\s*\]")
_ONLY_REGION_SCOPE = re.compile(rf"^\s*(?:{_SCOPE_REGION_PATTERN})\s*(?:only|based)?\s*$", re.I)

# In a posting's text.
_TEXT_REMOTE_NEGATED = re.compile(
    r"\b(?:not|isn['’]t|is\s+not|no|non)[- ](?:a\s+)?(?:fully\s+|100%\s+)?remote\b"
    r"|\bremote\s+(?:work\s+)?(?:is\s+)?not\s+(?:possible|available|an\s+option|offered)"
    r"|\bno\s+(?:option\s+for\s+)?remote\b|\bcannot\s+be\s+(?:done\s+)?remote", re.I)
_TEXT_REMOTE_PERK = re.compile(
    r"\b(?:work|working)\s+(?:from\s+)?(?:anywhere|remotely|from\s+home)\s+(?:for\s+)?"
    r"(?:up\s+to\s+)?(?:\w+\s+){0,2}(?:weeks?|days?|months?)\s+(?:a|per|each)\s+(?:year|month)"
    r"|\b(?:\w+\s+){0,2}(?:weeks?|days?)\s+(?:a|per|each)\s+year\s+(?:of\s+)?"
    r"(?:remote|working\s+from\s+anywhere|work\s+from\s+anywhere)"
    r"|\boccasional(?:ly)?\s+(?:remote|work\s+from\s+home|home\s+working)", re.I)
_TEXT_HYBRID = re.compile(
    r"\bhybrid\b"
    r"|\b(?:\d|one|two|three|four)(?:\s*(?:-|–|to|or)\s*(?:\d|two|three|four))?\s+days?\s+"
    r"(?:a|per|each|every)\s+week\s+(?:in|at|from)\s+(?:the|our)\s+(?:office|studio|site)"
    r"|\b(?:\d|one|two|three|four)(?:\s*(?:-|–|to|or)\s*(?:\d|two|three|four))?\s+days?\s+"
    r"(?:in|at)\s+(?:the|our)\s+(?:office|studio)"
    r"|\b(?:split|mix)\s+(?:of\s+)?(?:time\s+)?between\s+(?:home|remote)\s+and\s+(?:the\s+)?office"
    r"|\bpartly\s+remote\b|\bpartially\s+remote\b", re.I)
_TEXT_REMOTE = re.compile(
    r"\b(?:fully|100%|completely|entirely|full[- ]time)\s+remote\b"
    r"|\bremote[- ](?:first|only)\b"
    r"|\bthis\s+(?:is\s+a\s+|role\s+is\s+|position\s+is\s+|job\s+is\s+)(?:fully\s+)?remote\b"
    r"|\bremote\s+(?:position|role|job|opportunity)\b"
    r"|\bwork\s+(?:fully\s+)?remotely\s+from\s+anywhere\b"
    r"|\b(?:can|may)\s+(?:be\s+)?(?:based|located|work)\s+anywhere\b"
    r"|\bwork\s+where\s+you\s+work\s+best\b"
    r"|\byou\s+can\s+be\s+(?:based\s+|located\s+)?(?:anywhere\s+)?(?:in|within)\s+the\s+"
    rf"(?:{_SCOPE_REGION_PATTERN})(?:\s+region)?\b", re.I)
_TEXT_ONSITE = re.compile(
    r"\b(?:this|the)\s+(?:role|position|job)\s+is\s+(?:fully\s+|100%\s+)?(?:based\s+)?"
    r"(?:on[- ]?site|in[- ]office|in[- ]person|office[- ]based)"
    r"|\b(?:on[- ]?site|in[- ]office|in[- ]person|office[- ]based)\s+(?:role|position|job)\b"
    r"|\b(?:must|required\s+to|expected\s+to)\s+(?:work|be)\s+(?:on[- ]?site|in\s+(?:the|our)\s+office)"
    r"|\bfive\s+days\s+(?:a|per)\s+week\s+in\s+(?:the|our)\s+office", re.I)

# Remote scope phrases in text: "remote within the European region", "must reside in Canada".
_TEXT_SCOPE = re.compile(
    r"\b(?:remote|remotely|based|located|reside|live|be)\s+(?:anywhere\s+)?"
    r"(?:in|within|from|across)\s+(?:the\s+)?"
    r"(?P<place>[A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,2}|"
    rf"(?i:{_SCOPE_REGION_PATTERN}))(?:\s+region)?\b")
_TEXT_TIMEZONE_EUROPE = re.compile(
    r"\b(?:CET|CEST|GMT|BST|WET|EET)\b(?:\s*(?:/\s*(?:CET|GMT|BST)\s*)?(?:time\s*zones?|[+±]))"
    r"|\b(?:UTC|GMT)\s*[+±]\s*[0-3]\b")
_TEXT_TIMEZONE_AMERICAS = re.compile(
    r"\b(?:EST|EDT|CST|PST|PDT|MST|ET|PT)\b\s*(?:time\s*zones?|[+±]|hours)")


def arrangement_from_hints(hints: dict) -> Optional[str]:
    """Structured fields: Lever workplaceType, JSON-LD jobLocationType, JobSpy is_remote."""
    workplace = str(hints.get("workplace_type") or "").strip().lower().replace("_", " ")
    if workplace in _WORKPLACE_TYPES:
        return _WORKPLACE_TYPES[workplace]
    if hints.get("is_remote") is True:
        return "remote"
    return None


def strip_location_markers(location: str) -> tuple[str, Optional[str]]:
    """("Remote in Kitchener, ON") -> ("Kitchener, ON", "remote"); the place text and the
    arrangement its own words state (None when they state none)."""
    arrangement = None
    for pattern, value in ((LOCATION_HYBRID, "hybrid"), (LOCATION_REMOTE, "remote"),
                           (LOCATION_ONSITE, "onsite")):
        if pattern.search(location):
            arrangement = arrangement or value
            location = pattern.sub(" ", location)
    if arrangement:
        location = _EMPTY_PARENS.sub(" ", location)
        location = _DANGLING_GLUE.sub("", location)  # "Chennai - , TN" -> "Chennai, TN"
        location = re.sub(r"\s+", " ", location)
        previous = None
        while previous != location:
            previous, location = location, _LOCATION_GLUE.sub("", location).strip()
            location = _WRAPPED.sub(r"\1", location).strip()  # "Remote (US only)"
    return location, arrangement


def region_scope(phrase: str) -> Optional[str]:
    """"EMEA" -> "EMEA", "European region" -> "Europe"; None when not a region name."""
    key = re.sub(r"\s+region$", "", phrase.strip().lower())
    return SCOPE_REGIONS.get(key)


def is_region_only(location: str) -> bool:
    return bool(_ONLY_REGION_SCOPE.match(location))


def arrangement_from_text(text: str, excluded: frozenset = frozenset()) -> Optional[str]:
    """The arrangement a posting's text states, negations and perks first; None if silent."""
    if not text:
        return None
    if "onsite" not in excluded and (_TEXT_REMOTE_NEGATED.search(text) or
                                     _TEXT_ONSITE.search(text)):
        return "onsite"
    if "hybrid" not in excluded and _TEXT_HYBRID.search(text):
        return "hybrid"
    if "remote" not in excluded:
        for match in _TEXT_REMOTE.finditer(text):
            window = text[max(0, match.start() - 80): match.end() + 80]
            if not _TEXT_REMOTE_PERK.search(window):
                return "remote"
    if "onsite" not in excluded and _TEXT_REMOTE_PERK.search(text):
        return "onsite"  # remote days as a perk: the job itself is office-based
    return None


def scope_phrases_from_text(text: str) -> list[str]:
    """Candidate scope phrases ("European", "Canada", "EMEA"), in text order; the caller
    resolves country names with the gazetteer."""
    if not text:
        return []
    phrases = [match.group("place") for match in _TEXT_SCOPE.finditer(text)]
    if _TEXT_TIMEZONE_EUROPE.search(text):
        phrases.append("Europe")
    elif _TEXT_TIMEZONE_AMERICAS.search(text):
        phrases.append("Americas")
    return phrases
