"""Work arrangement (onsite / hybrid / remote) and remote scope from a posting's structured
fields, its location string and its text; used by transforms.location after the place is known.
Patterns are compiled once at import; a text is read only around the words its phrases need.
"""
from __future__ import annotations

import re
from typing import NamedTuple, Optional

import ahocorasick_rs

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

# In a posting's text. Every phrase pattern is a `TextCue`: the pattern, the words each of its
# matches contains (anchors), and how far a match reaches before and after its anchor. A text is
# folded to lower case once, the anchors of a cue set are found in one Aho-Corasick pass (ten
# str.find scans of a description cost ten times as much), and a pattern runs only on those
# few dozen characters: Python's regex engine pays tens of nanoseconds for every start position
# it tries, so one case-insensitive pass per pattern over a 16 KB description costs
# milliseconds. A cue may also name context words, one of which must be near an anchor, to skip
# the common anchors ("office", "can") cheaply. Reaches allow about twice the phrase with single
# spaces: room for runs of whitespace and long words. tests/test_location.py checks the cues
# against the scan of the whole text on every real posting of the shared corpus.


class TextCue(NamedTuple):
    pattern: re.Pattern
    anchors: tuple  # every match holds one (lower case, unless `folded` is False)
    context: tuple  # when given, the window around an anchor must also hold one of these
    before: int  # characters from a match's start to its anchor, at most (0: it starts there)
    after: int  # characters from the anchor's end to the match's end, at most
    whole_word: bool  # anchors count only as whole words ("can", not "scan" or "candidate")
    folded: bool  # anchors and context are looked up in the folded text, whatever their case
    word_start: bool = False  # anchors count only where a word starts ("be", not "member")


def _cue(pattern: str, anchors: tuple, before: int, after: int, context: tuple = (),
         whole_word: bool = False, flags: int = re.I, folded: bool = True,
         word_start: bool = False) -> TextCue:
    if flags & re.I and not folded:
        raise ValueError("a case-insensitive cue looks its anchors up folded")
    if folded and not all(anchor.isascii() for anchor in anchors + context):
        raise ValueError("the folded text has '?' for every character beyond ASCII")
    return TextCue(re.compile(pattern, flags), anchors, context, before, after, whole_word,
                   folded, word_start)


_REMOTE_NEGATED = (
    _cue(r"\b(?:not|isn['’]t|is\s+not|no|non)[- ](?:a\s+)?(?:fully\s+|100%\s+)?remote\b"
         r"|\bremote\s+(?:work\s+)?(?:is\s+)?not\s+(?:possible|available|an\s+option|offered)"
         r"|\bno\s+(?:option\s+for\s+)?remote\b|\bcannot\s+be\s+(?:done\s+)?remote",
         ("remote",), before=32, after=48, context=("no", "isn")),
)
_REMOTE_PERK_PATTERNS = (
    r"\b(?:work|working)\s+(?:from\s+)?(?:anywhere|remotely|from\s+home)\s+(?:for\s+)?"
    r"(?:up\s+to\s+)?(?:\w+\s+){0,2}(?:weeks?|days?|months?)\s+(?:a|per|each)\s+(?:year|month)"
    r"|\b(?:\w+\s+){0,2}(?:weeks?|days?)\s+(?:a|per|each)\s+year\s+(?:of\s+)?"
    r"(?:remote|working\s+from\s+anywhere|work\s+from\s+anywhere)",
    r"\boccasional(?:ly)?\s+(?:remote|work\s+from\s+home|home\s+working)",
)
_REMOTE_PERK = (
    _cue(_REMOTE_PERK_PATTERNS[0], ("remote", "anywhere", "home"), before=80, after=80,
         context=("week", "day", "month")),
    _cue(_REMOTE_PERK_PATTERNS[1], ("remote", "home"), before=40, after=16,
         context=("occasional",)),
)
_REMOTE_PERK_NEARBY = re.compile("|".join(_REMOTE_PERK_PATTERNS), re.I)
_HYBRID = (
    _cue(r"\bhybrid\b", ("hybrid",), before=0, after=0),
    _cue(r"\b(?:\d|one|two|three|four)(?:\s*(?:-|–|to|or)\s*(?:\d|two|three|four))?\s+days?\s+"
         r"(?:a|per|each|every)\s+week\s+(?:in|at|from)\s+(?:the|our)\s+(?:office|studio|site)"
         r"|\b(?:\d|one|two|three|four)(?:\s*(?:-|–|to|or)\s*(?:\d|two|three|four))?\s+days?\s+"
         r"(?:in|at)\s+(?:the|our)\s+(?:office|studio)",
         ("day",), before=32, after=56, context=("office", "studio", "site")),
    _cue(r"\b(?:split|mix)\s+(?:of\s+)?(?:time\s+)?between\s+(?:home|remote)\s+and\s+"
         r"(?:the\s+)?office|\bpartly\s+remote\b|\bpartially\s+remote\b",
         ("home", "remote"), before=40, after=32, context=("between", "part")),
)
_REMOTE = (
    _cue(r"\b(?:fully|100%|completely|entirely|full[- ]time)\s+remote\b"
         r"|\bremote[- ](?:first|only)\b"
         r"|\bthis\s+(?:is\s+a\s+|role\s+is\s+|position\s+is\s+|job\s+is\s+)(?:fully\s+)?remote\b"
         r"|\bremote\s+(?:position|role|job|opportunity)\b"
         r"|\bwork\s+(?:fully\s+)?remotely\s+from\s+anywhere\b",
         ("remote",), before=40, after=32),
    _cue(r"\b(?:can|may)\s+(?:be\s+)?(?:based|located|work)\s+anywhere\b",
         ("anywhere",), before=32, after=0),
    _cue(r"\bwork\s+where\s+you\s+work\s+best\b",
         ("best",), before=40, after=0, context=("where",), whole_word=True),
    _cue(r"\byou\s+can\s+be\s+(?:based\s+|located\s+)?(?:anywhere\s+)?(?:in|within)\s+the\s+"
         rf"(?:{_SCOPE_REGION_PATTERN})(?:\s+region)?\b",
         ("can",), before=12, after=96, context=("be",), whole_word=True),
)
_ONSITE = (
    _cue(r"\b(?:this|the)\s+(?:role|position|job)\s+is\s+(?:fully\s+|100%\s+)?(?:based\s+)?"
         r"(?:on[- ]?site|in[- ]office|in[- ]person|office[- ]based)"
         r"|\b(?:on[- ]?site|in[- ]office|in[- ]person|office[- ]based)\s+(?:role|position|job)\b",
         ("site", "office", "person"), before=56, after=32, context=("role", "position", "job")),
    _cue(r"\b(?:must|required\s+to|expected\s+to)\s+(?:work|be)\s+"
         r"(?:on[- ]?site|in\s+(?:the|our)\s+office)"
         r"|\bfive\s+days\s+(?:a|per)\s+week\s+in\s+(?:the|our)\s+office",
         ("site", "office"), before=48, after=0, context=("must", "required", "expected", "five")),
)

# Remote scope phrases in text: "remote within the European region", "must reside in Canada".
_SCOPE = (_cue(
    r"\b(?:remote|remotely|based|located|reside|live|be)\s+(?:anywhere\s+)?"
    r"(?:in|within|from|across)\s+(?:the\s+)?"
    r"(?P<place>[A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,2}|"
    rf"(?i:{_SCOPE_REGION_PATTERN}))(?:\s+region)?\b",
    ("remote", "based", "located", "reside", "live", "be"), before=0, after=96, flags=0,
    word_start=True),)
_TIMEZONE_EUROPE = (_cue(
    r"\b(?:CET|CEST|GMT|BST|WET|EET)\b(?:\s*(?:/\s*(?:CET|GMT|BST)\s*)?(?:time\s*zones?|[+±]))"
    r"|\b(?:UTC|GMT)\s*[+±]\s*[0-3]\b",
    ("time", "+", "±"), before=24, after=12, flags=0, folded=False),)
_TIMEZONE_AMERICAS = (_cue(
    r"\b(?:EST|EDT|CST|PST|PDT|MST|ET|PT)\b\s*(?:time\s*zones?|[+±]|hours)",
    ("time", "+", "±", "hours"), before=16, after=12, flags=0, folded=False),)
_WORD_REST = re.compile(r"\w*")


class AnchorLookups(NamedTuple):
    """The anchors of a set of cues, each with the cues that use it."""
    keys: tuple  # the ASCII anchors, lower-cased and encoded, as the automaton numbers them
    automaton: Optional[ahocorasick_rs.BytesAhoCorasick]  # finds `keys` in the folded text
    users: tuple  # per key: (cues reading it folded, ((spelling, cues), ...))
    inside: tuple  # per key: ((offset, other key), ...) that may start within its occurrence
    beyond_ascii: tuple  # (anchor, cues) for the other anchors, found with str.find as spelt


def _anchor_lookups(*groups: tuple) -> AnchorLookups:
    """Every anchor of the groups' cues, each once, with the cues that use it. An anchor a
    cue reads as spelt ("time", not "Time") is found in the folded text with the others, then
    checked against the text."""
    folded_users: dict = {}
    spelt_users: dict = {}
    for cue in (cue for group in groups for cue in group):
        for anchor in cue.anchors:
            users = folded_users if cue.folded else spelt_users
            users.setdefault(anchor, []).append(cue)
    keys = list(folded_users)
    keys += [key for key in dict.fromkeys(anchor.lower() for anchor in spelt_users
                                          if anchor.isascii()) if key not in folded_users]
    users = tuple((tuple(folded_users.get(key, ())),
                   tuple((anchor, tuple(cues)) for anchor, cues in spelt_users.items()
                         if anchor.isascii() and anchor.lower() == key))
                  for key in keys)
    # A leftmost-first search reports no match that starts inside (or with) one it reports
    # ("canywhere": "can", not "anywhere"): the keys that could are checked there instead.
    inside = tuple(tuple((offset, other) for offset in range(len(key))
                         for other, other_key in enumerate(keys)
                         if (offset or other != index) and (key[offset:].startswith(other_key)
                                                            or other_key.startswith(key[offset:])))
                   for index, key in enumerate(keys))
    # Leftmost-first, unlike overlapping search, lets the automaton skip ahead with SIMD:
    # a third of the time on a description.
    automaton = ahocorasick_rs.BytesAhoCorasick(
        [key.encode("ascii") for key in keys],
        matchkind=ahocorasick_rs.MatchKind.LeftmostFirst) if keys else None
    beyond_ascii = tuple((anchor, tuple(cues)) for anchor, cues in spelt_users.items()
                         if not anchor.isascii())
    return AnchorLookups(tuple(key.encode("ascii") for key in keys), automaton, users, inside,
                         beyond_ascii)


def _anchor_occurrences(lookups: AnchorLookups, folded: bytes) -> list:
    """(key index, start, end) of every occurrence of the lookups' keys in a folded text,
    those that start inside (or with) another included, in no particular order."""
    found = []
    for index, offset, end in lookups.automaton.find_matches_as_indexes(folded):
        found.append((index, offset, end))
        for inner, other in lookups.inside[index]:
            key = lookups.keys[other]
            if folded.startswith(key, offset + inner):
                found.append((other, offset + inner, offset + inner + len(key)))
    return found


_ARRANGEMENT_LOOKUPS = _anchor_lookups(_REMOTE_NEGATED, _ONSITE, _HYBRID, _REMOTE, _REMOTE_PERK)
_SCOPE_LOOKUPS = _anchor_lookups(_SCOPE, _TIMEZONE_EUROPE, _TIMEZONE_AMERICAS)


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


class ScannedText:
    """A posting's text read for a set of cues: folded once (ASCII letters lower-cased, every
    other character one '?', so offsets stay the text's), every anchor looked up once (most are
    absent), and the windows around those present kept for the cues that use them."""

    __slots__ = ("text", "_windows")

    def __init__(self, text: str, lookups: AnchorLookups):
        self.text = text
        self._windows: dict = {}  # id(cue) -> (cue, (start, end) spans), for cues with spans
        if lookups.automaton is not None:
            # "replace" keeps one byte per character, so offsets stay the text's
            folded = text.encode("ascii", "replace").lower()
            found = _anchor_occurrences(lookups, folded)
            near = folded.decode("ascii") if found else ""
            for index, offset, end in found:
                self._add_anchor(lookups, index, offset, end, near)
        for anchor, cues in lookups.beyond_ascii:
            offset = text.find(anchor)
            while offset >= 0:
                self._add_windows(cues, offset, offset + len(anchor), text)
                offset = text.find(anchor, offset + 1)
        for cue, spans in self._windows.values():
            if len(spans) > 1:
                spans.sort()
                if cue.before:  # windows that overlap are read as one
                    merged = [spans[0]]
                    for start, end in spans[1:]:
                        if start <= merged[-1][1]:
                            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
                        else:
                            merged.append((start, end))
                    spans[:] = merged

    def _add_anchor(self, lookups: AnchorLookups, index: int, offset: int, end: int,
                    near: str) -> None:
        """The windows of the cues that use the key found at folded[offset:end]."""
        folded_cues, spellings = lookups.users[index]
        if folded_cues:
            self._add_windows(folded_cues, offset, end, near)
        for anchor, cues in spellings:
            if self.text.startswith(anchor, offset):
                self._add_windows(cues, offset, end, self.text)

    def _add_windows(self, cues: tuple, offset: int, end: int, near: str) -> None:
        """The windows of the cues that use the anchor found at text[offset:end]."""
        text = self.text
        for cue in cues:
            if (cue.whole_word or cue.word_start) and offset and _is_word_char(text[offset - 1]):
                continue
            if cue.whole_word and end < len(text) and _is_word_char(text[end]):
                continue
            start = max(offset - cue.before, 0)
            stop = end + cue.after
            if cue.context and not any(map(near[start:stop].__contains__, cue.context)):
                continue
            if not cue.before:  # tried at the anchor only, so the text may run to its end
                span = (offset, len(text))
            else:  # a window must not end inside a word, or \b would match there
                span = (start, _WORD_REST.match(text, stop).end())
            windows = self._windows.get(id(cue))
            if windows is None:
                self._windows[id(cue)] = (cue, [span])
            else:
                windows[1].append(span)

    def __bool__(self) -> bool:
        """Whether any cue has a window to read: a text without is silent for all of them."""
        return bool(self._windows)

    def _matches(self, cue: TextCue):
        _, spans = self._windows.get(id(cue), (cue, ()))
        for start, end in spans:
            if not cue.before:  # the match starts at the anchor: one try there
                match = cue.pattern.match(self.text, start, end)
                if match:
                    yield match
            else:
                yield from cue.pattern.finditer(self.text, start, end)

    def search(self, cues: tuple) -> Optional[re.Match]:
        """A match of any of the cues, or None."""
        for cue in cues:
            if id(cue) in self._windows:
                for match in self._matches(cue):
                    return match
        return None

    def finditer(self, cues: tuple) -> list:
        """Every match of the cues, in text order."""
        matches = [match for cue in cues if id(cue) in self._windows
                   for match in self._matches(cue)]
        return sorted(matches, key=lambda match: match.start())


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
    scanned = ScannedText(text, _ARRANGEMENT_LOOKUPS)
    if not scanned:
        return None
    if "onsite" not in excluded and (scanned.search(_REMOTE_NEGATED) or
                                     scanned.search(_ONSITE)):
        return "onsite"
    if "hybrid" not in excluded and scanned.search(_HYBRID):
        return "hybrid"
    if "remote" not in excluded:
        for match in scanned.finditer(_REMOTE):
            window = text[max(0, match.start() - 80): match.end() + 80]
            if not _REMOTE_PERK_NEARBY.search(window):
                return "remote"
    if "onsite" not in excluded and scanned.search(_REMOTE_PERK):
        return "onsite"  # remote days as a perk: the job itself is office-based
    return None


def scope_phrases_from_text(text: str) -> list[str]:
    """Candidate scope phrases ("European", "Canada", "EMEA"), in text order; the caller
    resolves country names with the gazetteer."""
    if not text:
        return []
    scanned = ScannedText(text, _SCOPE_LOOKUPS)
    phrases = [match.group("place") for match in scanned.finditer(_SCOPE)]
    if scanned.search(_TIMEZONE_EUROPE):
        phrases.append("Europe")
    elif scanned.search(_TIMEZONE_AMERICAS):
        phrases.append("Americas")
    return phrases
