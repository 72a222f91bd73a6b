"""Skill extraction: the skills stage of the flow
(read -> parse -> location -> seniority -> skills -> dedupe -> aggregate).

One Aho-Corasick automaton per worker finds every alias of the taxonomy
(transforms/taxonomy_loader.py) in a posting in one pass; the few aliases that are ordinary
words ("Go", "Spark", "Excel") must also pass a case/context guard.
"""
from __future__ import annotations

import bisect
import codecs
import functools
import re
import unicodedata
from typing import NamedTuple, Optional

import apache_beam as beam

from transforms.automata import build_literal_matcher
from transforms.memory import prepare_process
from transforms.runs import InRunsFn
from transforms.taxonomy_loader import TECH_CATEGORIES, Skill, Taxonomy, load_taxonomy
# Importers of the stage's public names before the loader had its own module.


class SkillMatch(NamedTuple):
    skill_id: str
    name: str
    category: str
    start: int  # character offsets into the text given to extract()
    end: int
    surface: str


# ---------------------------------------------------------------------------------------
# Extraction

# Text is matched folded: lowercase ASCII with punctuation turned into spaces, one character
# for one so offsets stay valid. "+", "#" and "." stay because they are part of names (C++,
# C#, .NET, Node.js); "-" and "/" fold, so "scikit-learn" = "scikit learn", "CI/CD" = "CI CD".
# Aliases are folded the same way, so both sides agree whatever the spelling.
_KEPT_PUNCTUATION = "+#."
_ASCII_FOLD = "".join(
    char.lower() if char.isalnum() or char in _KEPT_PUNCTUATION else " "
    for char in map(chr, range(128)))
# The fold used for matching also marks whitespace with NUL, so that runs of it ("machine
# learning" across two spaces or a line break) are found by one C-level search, not a regex.
_WHITESPACE_MARK = b"\0"
_WHITESPACE_RUN = _WHITESPACE_MARK * 2
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_LOOSE_DOT = re.compile(r"\.(?![a-z0-9])")
_LOOSE_DOT_BYTES = re.compile(_LOOSE_DOT.pattern.encode("ascii"))


@functools.lru_cache(maxsize=None)
def _fold_character(char: str) -> str:
    """One ASCII character for a non-ASCII one: é -> e, ß -> s, curly quote -> space."""
    if unicodedata.category(char)[0] in "PZSC" or char in "\u200b\ufeff":
        return " "
    base = unicodedata.normalize("NFKD", char)[0]
    if base.isascii():
        return base if base.isalnum() else " "
    return "x" if char.isalnum() else " "  # a letter of another script stays a letter


def _fold_match(found: re.Match) -> str:
    return _fold_character(found.group())


@functools.lru_cache(maxsize=None)
def _mark_character(char: str) -> str:
    # The result goes through _MARKING_TABLE next: whitespace must come out as " " to be
    # marked, and other folded characters as punctuation that folds to a plain space.
    if char.isspace():
        return " "
    folded = _fold_character(char)
    return "|" if folded == " " else folded


def _mark_unencodable(error: UnicodeEncodeError) -> tuple[str, int]:
    """Codec error handler: ASCII for a run of other characters, one for one. Encoding with
    it costs one call per run ("—", "…"), where a regex substitution scans every character."""
    return _mark_run(error.object[error.start:error.end]), error.end


@functools.lru_cache(maxsize=4096)
def _mark_run(run: str) -> str:
    # The same few runs ("—", "“", "…") come back in posting after posting.
    return "".join(map(_mark_character, run))


_MARKING_ERRORS = "posting-skills-mark"
codecs.register_error(_MARKING_ERRORS, _mark_unencodable)
# Text is encoded as Latin-1, so that the accented letters of French, Spanish or German
# postings are folded by the table below in C. The typographic marks beyond Latin-1 that
# come back most ("’" above all) are swapped for their mark first, one C pass each; only the
# rarer characters cost a call of the error handler.
_MARKING_CODEC = "latin-1"
_WIDE_MARKS = tuple((char, _mark_character(char)) for char in "\u2019\u2022\u2013")


def _marking_byte(byte: int) -> int:
    """What the fold makes of a Latin-1 byte: NUL for whitespace, else its ASCII fold."""
    char = chr(byte)
    if byte >= 128:
        char = _mark_character(char)
    return 0 if char.isspace() else ord(_ASCII_FOLD[ord(char)])


_MARKING_TABLE = bytes(map(_marking_byte, range(256)))


def fold_text(text: str) -> str:
    """Lowercase ASCII with punctuation folded to spaces; same length, so same offsets.
    A "." stays only inside a token (Node.js, .NET), not at a sentence's end."""
    if not text.isascii():
        text = _NON_ASCII.sub(_fold_match, text)
    folded = text.translate(_ASCII_FOLD)
    return _LOOSE_DOT.sub(" ", folded) if "." in folded else folded


def _fold_alias(alias: str) -> str:
    return " ".join(fold_text(alias).split())


class _Squeezed(NamedTuple):
    text: str  # the posting with runs of whitespace shortened: what the guards read
    padded: bytes  # its fold with a space at both ends: what the automaton reads
    run_ends: Optional[list]  # offsets in the squeezed text just after each shortened run
    removed: Optional[list]  # characters removed up to and including that run


# A short run of whitespace within a line ("machine  learning", "deep\r\nlearning") is one
# separator; a longer one or a paragraph break is a layout break that phrases must not
# cross ("production    Design" from flattened HTML is not production design).
_SOFT_RUN = 3


def _squeeze(text: str) -> _Squeezed:
    """The text as matched: a soft run of whitespace becomes one character (a line break if
    it held one, else a space) and a layout break two, so phrases match across the first and
    not the second; run_ends/removed take offsets back to `text` (None: nothing removed)."""
    # Bytes, not str: the automaton reads bytes, and translating and searching them is
    # cheaper. One byte per character of `text`, whatever the codec or its handler return.
    narrowed = text
    if not text.isascii():
        for char, mark in _WIDE_MARKS:
            narrowed = narrowed.replace(char, mark)
    marked = narrowed.encode(_MARKING_CODEC, _MARKING_ERRORS).translate(_MARKING_TABLE)
    if b"." in marked:
        marked = _LOOSE_DOT_BYTES.sub(b" ", marked)
    run = marked.find(_WHITESPACE_RUN)
    if run == -1:
        return _Squeezed(text, b" " + marked.replace(_WHITESPACE_MARK, b" ") + b" ", None, None)
    kept_text: list[str] = []
    kept_fold: list[bytes] = []
    run_ends: list[int] = []
    removed: list[int] = []
    position = dropped = 0
    length = len(marked)
    mark = _WHITESPACE_MARK[0]
    while run != -1:
        stop = run + 2
        while stop < length and marked[stop] == mark:
            stop += 1
        breaks = text.count("\n", run, stop)
        kept = 1 if stop - run <= _SOFT_RUN and breaks <= 1 else 2
        if stop - run > kept:
            kept_text.append(text[position:run])
            kept_text.append(("\n" if breaks else " ") * kept)
            kept_fold.append(marked[position:run + kept])
            dropped += stop - run - kept
            run_ends.append(stop - dropped)
            removed.append(dropped)
            position = stop
        run = marked.find(_WHITESPACE_RUN, stop)
    kept_text.append(text[position:])
    kept_fold.append(marked[position:])
    folded = b"".join(kept_fold).replace(_WHITESPACE_MARK, b" ")
    return _Squeezed("".join(kept_text), b" " + folded + b" ", run_ends or None,
                     removed or None)


def _original_offset(squeezed: _Squeezed, offset: int) -> int:
    index = bisect.bisect_right(squeezed.run_ends, offset) - 1
    return offset if index < 0 else offset + squeezed.removed[index]


# Sentences that are boilerplate, not the job: equal-opportunity statements and benefits.
BOILERPLATE_CUES = (
    "equal opportunity", "equal employment opportunity", "affirmative action",
    "without regard to race", "regardless of race", "without regard to their race",
    "sexual orientation", "gender identity", "protected veteran", "veteran status",
    "reasonable accommodation", "e verify", "drug free workplace", "we offer you",
    "what we offer", "our benefits", "benefits package", "benefits include",
    "401 k", "401k", "paid time off", "medical dental", "dental and vision", "dental vision",
    "parental leave", "tuition reimbursement", "employee assistance program",
    "gym membership", "wellness program", "pension scheme", "stock options", "life insurance",
    "competitive salary", "competitive compensation", "privacy policy", "terms of service",
    "training budget", "learning budget", "education budget", "development budget",
)
# Headings that open a boilerplate section: masked from the heading on, never before it,
# to the end of its line, or to the next heading when the heading stands on its own line.
SECTION_CUES = (
    "job benefits", "company description", "we offer", "our offer", "perks include",
    "about the company", "about us", "what we offer", "benefits include",
)
# The same for headings that are too common in prose to be cues anywhere else: they count
# only on a line of their own ("Benefits\nYou get:\n...").
HEADING_CUES = (
    "benefits", "perks", "benefits and perks", "perks and benefits", "perks benefits",
    "what you get", "you get", "why join us", "why work with us",
)
# Names of organisations are not skills asked for: "Department of Physics Chemistry and
# Pharmacy", "Office of Facilities Management (OFM)". Masked when a capitalised name follows.
ORGANISATION_CUES = (
    "department of", "dept of", "office of", "faculty of", "school of", "institute of",
    "institute for", "ministry of", "bureau of", "division of", "section for", "section of",
    "centre for", "center for", "centre of", "center of", "college of", "university of",
    "board of", "council of", "agency for", "academy of", "society of", "association of",
)


class _Form(NamedTuple):
    skill: Skill
    guard: str  # default | case | context, after deciding which forms are ambiguous
    exact: frozenset  # the written forms that count when case matters
    identity: tuple  # (skill_id, name, category), as a SkillMatch starts


class _Claim(NamedTuple):
    """The skills behind a key with a guarded form, in the order they are tried."""
    guarded: tuple  # the guarded _Forms
    exact: frozenset  # every written form that any of them accepts
    fallback: Optional[tuple]  # identity of the unguarded claimant, if there is one

    @classmethod
    def of(cls, claimants: list) -> "_Claim":
        guarded = tuple(form for form in claimants if form.guard != "default")
        fallback = next((form.identity for form in claimants if form.guard == "default"), None)
        return cls(guarded, frozenset().union(*(form.exact for form in guarded)), fallback)


# What an automaton key stands for; its value is (kind, payload).
_SKILL = 0  # payload: (skill_id, name, category) of the one unguarded skill behind the key
_GUARDED = 1  # payload: a _Claim
_BOILERPLATE = 2
_SECTION = 3
_URL_SCHEME = 4  # "http(s)": a web address up to the next space, else payload (kind, payload)
_ORGANISATION = 5
_HEADING = 6
_URL_SCHEMES = ("http", "https")
_URL_END = re.compile(r"\s|$")
_ORGANISATION_NAME = re.compile(
    r"[ \t]+[A-Z][\w'&-]*(?:[ \t]+(?:(?:and|of|for|&)[ \t]+)?[A-Z][\w'&-]*)*")
_SECTION_REACH = 600
# Where a section under a heading of its own ends: a blank line, or a line that is a heading
# itself ("APPLY NOW", "You need:", "Requirements").
_NEXT_HEADING = re.compile(
    r"\n(?=\n|[^\na-z]{3,60}\n|[^\n]{1,60}:[ \t]*\n|(?i:requirements|qualifications|skills|"
    r"responsibilities|your (?:profile|skills|role|tasks)|about (?:you|the role)|who you are|"
    r"what you(?:'ll| will) do|you (?:have|need|bring)|the role|must have|nice to have)\b)")

_CONTEXT_WINDOW = 80
_LONGEST_ANCHOR = 120  # characters; a longer skill name ending near a word is not looked for
_BOILERPLATE_REACH = 160
_CUE_WINDOW = 60
_CONTEXT_CUES = {
    "programming_language": r"program\w*|languages?|cod(?:e|ing)|scripts?|scripting|"
                            r"developers?|development|software|engineer\w*|stack|backend|"
                            r"back-end|frontend|front-end|libraries|frameworks?|apis?",
    "framework_library": r"frameworks?|librar\w+|developers?|development|engine|software|"
                         r"engineer\w*|stack|sdk|apis?|apps?|applications?|games?",
    "data_ml": r"data|pipelines?|streaming|clusters?|distributed|processing|batch|"
               r"big data|etl|elt|jobs?|sql",
    "cloud_devops": r"configuration management|devops|infrastructure|automation|"
                    r"deployments?|provisioning|cookbooks?|manifests?|servers?|ci|cd",
    "database": r"databases?|queries|query|sql|schemas?|tables?|data",
    "software_tool": r"microsoft|ms office|office|spreadsheets?|pivot|vlookup|macros?|"
                     r"formulas?|documents?|databases?|software|tools?|applications?|"
                     r"powerpoint|outlook|proficien\w+",
    "software_engineering": r"software|build|compil\w+|makefiles?|tooling|scripts?|unix|linux",
    "networking_hardware": r"tcp|ip|protocols?|routers?|routing|switch(?:es|ing)|lan|wan|"
                           r"vpn|firewalls?|cisco|linux|unix|os|operating systems?|kernel|"
                           r"drivers?|architecture|infrastructure|wireshark|dns|hardware",
    "business_management": r"methodolog\w*|agile|scrum|kanban|sdlc|life ?cycles?|"
                           r"project management|projects? methodolog\w*",
    # No generic technology cues here: "software" near "French" says nothing about French.
    "spoken_language": r"fluen\w*|bilingual|bilit\w*|multilingual|speak\w*|spoken|writ\w*|"
                       r"verbal|oral(?:ly)?|languages?|proficien\w*|native|mother tongue|"
                       r"command of|knowledge of|translat\w*|interpret\w*|communicat\w*|"
                       r"skills?|level",
}
_GENERIC_CUES = r"programming|software|developers?|coding|scripting|frameworks?|sdk"


class _CuePattern(NamedTuple):
    """A category's cue words, as a pattern for any text and one for lowercased ASCII text.
    On ASCII text both find the same words (IGNORECASE differs from lowercasing only on
    characters such as the Kelvin sign); the second costs a quarter of the first, which
    tries every alternative at every word with case folding."""
    any_case: re.Pattern
    lowercase: re.Pattern

    @classmethod
    def of(cls, cues: str) -> "_CuePattern":
        source = rf"\b(?:{cues})\b"
        return cls(re.compile(source, re.IGNORECASE), re.compile(source))


_CUE_PATTERNS = {
    category: _CuePattern.of(cues if category == "spoken_language"
                             else f"{cues}|{_GENERIC_CUES}")
    for category, cues in _CONTEXT_CUES.items()}
_GENERIC_CUE_PATTERN = _CuePattern.of(_GENERIC_CUES)
# Idioms in which an ambiguous word is not the skill, whatever the context says.
_NOT_SKILL_AFTER = {
    "excel": re.compile(r"\s+(?:at|in|as|when|and thrive)\b"),
    "make": re.compile(r"\s+(?:sure|a|an|the|it|decisions?|recommendations?|us|your|our)\b"),
    "go": re.compile(r"\s+(?:to|beyond|above|further|live|ahead|the extra)\b"),
    "access": re.compile(r"\s+(?:to|the|our|your|control)\b"),
    "word": re.compile(r"\s+(?:of mouth|for word)\b"),
    "java": re.compile(r"\s+(?:sea|island|coffee)\b|,\s+indonesia", re.IGNORECASE),
    "shell": re.compile(r"\s+(?:oil|plc|energy|gas|company|station)\b", re.IGNORECASE),
    # "LTC Gordon Pedersen": the Army rank (lieutenant colonel), not long-term care.
    "ltc": re.compile(r"\s+[A-Z][A-Za-z'-]+\s+[A-Z]"),
    # "BOM DOM and Virtual DOM": the browser object model, not a bill of materials.
    "bom": re.compile(r"\s*(?:,|/|and|&)?\s*(?:the\s+)?(?:virtual\s+)?DOM\b", re.IGNORECASE),
    "networking": re.compile(r"\s+(?:events?|opportunit\w+|skills|abilit\w+|with|sessions?|"
                             r"receptions?|lunch\w*|groups?|and relationship)\b", re.IGNORECASE),
    "room": re.compile(r"\s+(?:for|to|and board|temperature|service|rates?)\b", re.IGNORECASE),
    # French: "tableau de bord" (a dashboard), "tableau des effectifs" (a staff table).
    "tableau": re.compile(r"\s+(?:de|des|du|d['’]|annuel\w*|r[ée]capitulatif\w*|"
                          r"synth[ée]tique\w*|comparatif\w*|blanc)\b", re.IGNORECASE),
    # French: "en vue de" (in order to), "vue d'ensemble" (overview), "vue sur".
    "vue": re.compile(r"\s+(?:de|des|du|d['’]|sur)\b", re.IGNORECASE),
    # French: "Localisation du poste", "Localisation : Paris" (where the job is).
    "localisation": re.compile(r"\s+(?:du|de|des|d['’]|g[ée]ographique\w*)\b|\s*:",
                               re.IGNORECASE),
}
_NOT_SKILL_BEFORE = {
    # French: "point de vue" (point of view), "prise de vue" (a shot), "en vue", "une vue".
    "vue": re.compile(r"\b(?:(?:point|prises?)\s+de|en|une|la|sa|leur)\s+$", re.IGNORECASE),
    "java": re.compile(r"\b(?:island of|central|east|west)\s+$", re.IGNORECASE),
    "c": re.compile(r"\b(?:vitamin|grade|class|level|category|plan|section|part|type|"
                    r"schedule|annex|appendix|tier|hepatitis)\s+$", re.IGNORECASE),
    "r": re.compile(r"\b(?:grade|class|section|part|type|schedule|annex|appendix|"
                    r"mr|dr)\.?\s+$", re.IGNORECASE),
    "shell": re.compile(r"\b(?:royal dutch)\s+$", re.IGNORECASE),
    "bom": re.compile(r"\b(?:DOM|JavaScript|browser|object model\s*\()\s*(?:,|/|and|&)?\s*$",
                      re.IGNORECASE),
    "networking": re.compile(r"\b(?:social|business|professional|personal|peer|industry|"
                             r"strong|excellent|good|great)\s+$", re.IGNORECASE),
    "room": re.compile(r"\b(?:secret|escape|meeting|class|living|dining|break|operating|"
                       r"emergency|hotel|show|board|war|clean|store|waiting|server)\s+$",
                       re.IGNORECASE),
}
# A language name followed by another word is often an adjective ("French fries", "a Swedish
# company", "Danish educations"); it names the language only before these words, an adverb
# ("English fluently") or another skill ("German Italian and French" in comma-less text).
_LANGUAGE_NEXT_WORD = re.compile(r"[ \t]+([A-Za-z]+)")
_LANGUAGE_FOLLOWERS = frozenset("""
    and or nor as is are be at in on by of to into from for with within both plus also
    would will should must can may required requirement preferred desirable desired
    essential mandatory necessary needed appreciated welcome beneficial helpful a an
    advantage asset bonus level levels native mother knowledge e b c
    we you your our the this these that those it its if please why what how who they
    their i my all any each some no not do does have has further additional other
    experience ability strong good excellent proven applicants candidates""".split())
_LANGUAGE_FOLLOWER_STEMS = ("communicat", "proficien", "fluen", "speak", "spoken", "writ",
                            "read", "verbal", "oral", "translat", "interpret", "languag",
                            "skill")


def form_guard(match: str, form: str) -> str:
    """How one written form of a skill must be matched: default, case or context.

    Guards apply to single words ("Spark", "Go"), never to phrases ("Apache Spark"); a single
    letter always needs context; an acronym written in capitals ("REST", "ML", "CAD") only
    counts in capitals, so the words "rest", "ml" (millilitres) and "cad" do not; letters
    joined by "&" or "/" ("M&A", "L&D") only count written exactly so, since they fold to
    single letters and "I'm a" would otherwise be mergers and acquisitions.
    """
    if len(form) == 1:
        return "context"
    if match != "default" and form[0].isalpha() and form.isalnum():
        # Any script's letters: "Français" and "Español" are single words as "French" is,
        # and unguarded they counted the adjective ("le registre français").
        return match
    if re.fullmatch(r"[A-Z][A-Z0-9]*[A-Z][A-Z0-9]*", form):
        return "case"
    if re.fullmatch(r"[A-Za-z0-9]{1,2}(?:[&/][A-Za-z0-9]{1,2})+", form) and any(
            len(token) == 1 for token in re.split(r"[&/]", form)):
        return "case"
    return "default"


class SkillExtractor:
    """Finds taxonomy skills in posting text; build once per worker (see get_extractor)."""

    def __init__(self, taxonomy: Taxonomy):
        self.taxonomy = taxonomy
        entries: dict[str, tuple] = {}  # automaton key -> value; a later entry replaces
        claimed: dict[str, list] = {}
        for skill in taxonomy.skills.values():
            for key, form in self._skill_forms(skill).items():
                # Several skills may share a surface ("Poetry" the Python tool, "poetry" the
                # craft): guarded forms are tried first, then the first unguarded one wins.
                claimants = claimed.setdefault(" " + key, [])
                if form.guard != "default" or not any(
                        other.guard == "default" for other in claimants):
                    claimants.append(form)
        for key, claimants in claimed.items():
            claimants.sort(key=lambda form: form.guard == "default")
            if claimants[0].guard == "default":
                value = (_SKILL, claimants[0].identity)
            else:
                value = (_GUARDED, _Claim.of(claimants))
            entries[key + " "] = value
        # A web address is not the posting's prose: "…/physics-series-1310/" asks for nothing.
        for scheme in _URL_SCHEMES:
            key = " " + scheme + " "
            entries[key] = (_URL_SCHEME, entries.get(key))
        for cues, kind in ((BOILERPLATE_CUES, _BOILERPLATE), (SECTION_CUES, _SECTION),
                           (HEADING_CUES, _HEADING), (ORGANISATION_CUES, _ORGANISATION)):
            for cue in cues:
                entries[" " + _fold_alias(cue) + " "] = (kind, None)
        self._matcher = build_literal_matcher(entries)

    @staticmethod
    def _skill_forms(skill: Skill) -> dict[str, _Form]:
        """The skill's surface forms by folded key. A key is guarded only when every form
        behind it is: "Jira" keeps "JIRA" unguarded, while "REST" alone stays exact-case."""
        by_key: dict[str, list] = {}
        for form in (skill.name,) + skill.aliases:
            folded = _fold_alias(form)
            if folded.strip(_KEPT_PUNCTUATION + " "):
                by_key.setdefault(folded, []).append((form, form_guard(skill.match, form)))
        identity = (skill.id, skill.name, skill.category)
        forms = {}
        for key, written in by_key.items():
            guards = {guard for _, guard in written}
            if "default" in guards:
                forms[key] = _Form(skill, "default", frozenset(), identity)
            else:
                guard = "context" if "context" in guards else "case"
                forms[key] = _Form(skill, guard, frozenset(form for form, _ in written),
                                   identity)
        return forms

    def extract(self, text: str) -> list[SkillMatch]:
        """Skills asked for in `text`, one match per skill in order of first occurrence."""
        squeezed = _squeeze(text)
        squeezed_text = squeezed.text
        chosen = self._leftmost_longest(squeezed)
        matches = []
        seen = set()
        guards = None
        shortened = squeezed.run_ends is not None
        for start, end, kind, payload in chosen:
            if kind == _SKILL:
                identity = payload
            elif squeezed_text[start:end] in payload.exact:
                if guards is None:
                    guards = _Guards(squeezed_text, chosen)
                identity = guards.identity(start, end, payload)
            else:
                # Most guarded hits are the ordinary word ("make", "teams"), not written as
                # any skill's exact form: one set lookup settles them.
                identity = payload.fallback
            if identity is None or identity[0] in seen:
                continue
            seen.add(identity[0])
            if shortened:
                start = _original_offset(squeezed, start)
                end = _original_offset(squeezed, end - 1) + 1
            matches.append(_new_match(SkillMatch, identity + (start, end, text[start:end])))
        return matches

    def explain(self, text: str) -> list[str]:
        """Evidence strings "skill_id@start-end:surface" for the debug output."""
        return [f"{match.skill_id}@{match.start}-{match.end}:{match.surface}"
                for match in self.extract(text)]

    def _leftmost_longest(self, squeezed: _Squeezed) -> list[tuple]:
        """Whole-word hits as (start, end, kind, payload) in squeezed-text offsets, the
        leftmost and then longest where they overlap, outside boilerplate sentences."""
        chosen: list[tuple] = []
        append = chosen.append
        masks: list[tuple] = []
        last_end = -1
        # Keys carry a space on both sides, so every automaton hit is a whole-word match;
        # the leading space's index in the padded text is the word's offset in the text.
        # Hits arrive in order of their end, so a later hit that overlaps the chosen ones
        # ends later: it replaces those it covers unless an earlier-starting hit holds it.
        text = squeezed.text
        values = self._matcher.values
        for index, start, end in self._matcher.automaton.find_matches_as_indexes(
                squeezed.padded, overlapping=True):
            kind, payload = values[index]
            end -= 2  # the key's trailing space, and the padded text's leading one
            if kind > _GUARDED:
                kind, payload = _read_cue(text, start, end, kind, payload, masks)
                if kind is None:
                    continue
            if start >= last_end:
                append((start, end, kind, payload))
                last_end = end
                continue
            index = len(chosen)
            while index and chosen[index - 1][0] >= start:
                index -= 1
            if index and chosen[index - 1][1] > start:
                continue
            del chosen[index:]
            append((start, end, kind, payload))
            last_end = end
        return _unmasked(chosen, masks) if masks else chosen


def _read_cue(text: str, start: int, end: int, kind: int, payload, masks: list) -> tuple:
    """Adds the span a cue masks to `masks`; returns (None, None), or the skill claim
    (kind, payload) of an "http" that starts no web address ("HTTP and HTTPS")."""
    if kind == _URL_SCHEME:
        if text.startswith("://", end):
            masks.append((start, _URL_END.search(text, end).start()))
            return None, None
        return payload or (None, None)
    if kind == _ORGANISATION:
        name = _ORGANISATION_NAME.match(text, end)
        if name is not None:
            masks.append((start, name.end()))
    elif kind == _SECTION:
        masks.append((start, _section_end(text, end)))
    elif kind == _HEADING:
        if _stands_alone(text, start, end):
            masks.append((start, _section_end(text, end)))
    else:
        masks.append(_sentence_bounds(text, start, end))
    return None, None


# A SkillMatch straight from its fields: NamedTuple.__new__ costs a Python call per match.
_new_match = tuple.__new__


class _Guards:
    """The guards of one posting: its text and chosen hits (sorted, not overlapping)."""

    def __init__(self, text: str, chosen: list):
        self.text = text
        self._chosen = chosen
        self._starts = [hit[0] for hit in chosen]
        self._categories: dict[int, Optional[str]] = {}  # by start: as what a hit vouches

    def identity(self, start: int, end: int, claim: _Claim) -> Optional[tuple]:
        """The first guarded claimant whose guard passes, else the unguarded one, if any."""
        surface = self.text[start:end]
        for form in claim.guarded:
            if self.written_as_skill(start, end, surface, form) and (
                    form.guard == "case" or self.has_context(start, end, form)):
                return form.identity
        return claim.fallback

    def written_as_skill(self, start: int, end: int, surface: str, form: _Form) -> bool:
        """The written form, its punctuation and its neighbours allow the skill reading."""
        text = self.text
        if surface not in form.exact:
            return False
        if end < len(text) - 1 and text[end] in "-&'." and text[end + 1].isalnum():
            return False  # "Go-to-market", "C-suite", "R&D", "R's", "C.V."
        if len(surface) == 1 and start > 0 and text[start - 1] in ".-&'":
            return False  # "Vitamin-C", "A.C.", "Q&A"
        lowered = surface.lower()
        after = _NOT_SKILL_AFTER.get(lowered)
        if after is not None and after.match(text, end):
            return False
        before = _NOT_SKILL_BEFORE.get(lowered)
        if before is not None and before.search(text, max(0, start - 30), start):
            return False
        if form.skill.category == "spoken_language":
            following = _LANGUAGE_NEXT_WORD.match(text, end)
            if following is not None:
                word = following.group(1).lower()
                return (word in _LANGUAGE_FOLLOWERS or word.startswith(_LANGUAGE_FOLLOWER_STEMS)
                        or word.endswith(("ly", "ed")) or self._starts_a_hit(following.start(1)))
        return True

    def _starts_a_hit(self, offset: int) -> bool:
        index = bisect.bisect_left(self._starts, offset)
        return index < len(self._starts) and self._starts[index] == offset

    def has_context(self, start: int, end: int, form: _Form) -> bool:
        """Another skill of the same category (or technology for technology) nearby on the
        same line, or a cue word of the category."""
        # Technology vouches for technology and a category for itself, but office software
        # only for office software: "lab testing ... Excel" is not software QA.
        text = self.text
        category = form.skill.category
        index = bisect.bisect_left(self._starts, start - _CONTEXT_WINDOW - _LONGEST_ANCHOR)
        last = bisect.bisect_right(self._starts, end + _CONTEXT_WINDOW)
        for anchor_start, anchor_end, kind, payload in self._chosen[index:last]:
            if anchor_start == start or anchor_end < start - _CONTEXT_WINDOW:
                continue
            anchor_category = payload[2] if kind == _SKILL else self._vouches_as(
                anchor_start, anchor_end, payload)
            if anchor_category is None or anchor_category != category and (
                    anchor_category not in TECH_CATEGORIES or category not in TECH_CATEGORIES
                    or anchor_category == "software_tool"):
                continue
            if "\n" not in text[min(anchor_end, start):max(anchor_start, end)]:
                return True
        cues = _CUE_PATTERNS.get(category, _GENERIC_CUE_PATTERN)
        window_start = max(0, start - _CUE_WINDOW)
        window = text[window_start:start] + " " + text[end:end + _CUE_WINDOW]
        if window.isascii():
            return cues.lowercase.search(window.lower()) is not None
        return cues.any_case.search(window) is not None

    def _vouches_as(self, start: int, end: int, claim: _Claim) -> Optional[str]:
        # Guarded words vouch for each other only when written as skills themselves
        # ("Java, Scala or Go", "English and German"; not "French fries and English muffins").
        if start not in self._categories:
            surface = self.text[start:end]
            self._categories[start] = next(
                (form.skill.category for form in claim.guarded
                 if self.written_as_skill(start, end, surface, form)),
                claim.fallback[2] if claim.fallback else None)
        return self._categories[start]


def _unmasked(chosen: list, masks: list) -> list:
    """The chosen hits (sorted by start) that start outside every boilerplate span."""
    masks.sort()
    merged = [list(masks[0])]
    for left, right in masks[1:]:
        if left <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], right)
        else:
            merged.append([left, right])
    starts = [hit[0] for hit in chosen]
    for left, right in reversed(merged):
        del chosen[bisect.bisect_left(starts, left):bisect.bisect_left(starts, right)]
    return chosen


def _stands_alone(text: str, start: int, end: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return not (text[line_start:start].strip(" \t-*")
                or text[end:len(text) if line_end == -1 else line_end].strip(" \t:.-"))


def _section_end(text: str, end: int) -> int:
    """Where the section whose heading ends at `end` stops (see SECTION_CUES)."""
    ceiling = min(len(text), end + _SECTION_REACH)
    line_end = text.find("\n", end, ceiling)
    if line_end != -1 and not text[end:line_end].strip(" \t:.-"):
        # The heading's first line may be a subheading ("Benefits\nYou get:"); the section
        # ends at the first heading after it.
        first_line_end = text.find("\n", line_end + 1, ceiling)
        if first_line_end == -1:
            return ceiling
        heading = _NEXT_HEADING.search(text, first_line_end, ceiling)
        return heading.start() if heading else ceiling
    # A heading inline ("Job benefits: Free fruit ... Company description: ..."): scraped
    # lists run on without full stops, so the line or sentence ends the section.
    stops = [position for position in (line_end, text.find(". ", end, ceiling),
                                       text.find("  ", end, ceiling)) if position != -1]
    return min(stops) + 1 if stops else ceiling


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence or line around a boilerplate cue, to be left out of extraction; at most
    a few hundred characters either side, since scraped text often lacks full stops."""
    floor = max(0, start - _BOILERPLATE_REACH)
    left = max(text.rfind("\n", floor, start), text.rfind(". ", floor, start),
               text.rfind("  ", floor, start), floor - 1) + 1
    ceiling = min(len(text), end + _BOILERPLATE_REACH)
    right_candidates = [position for position in (text.find("\n", end, ceiling),
                                                   text.find(". ", end, ceiling),
                                                   text.find("  ", end, ceiling))
                        if position != -1]
    return left, (min(right_candidates) + 1) if right_candidates else ceiling


@functools.lru_cache(maxsize=4)
def get_extractor(path: Optional[str] = None) -> SkillExtractor:
    """The extractor for a taxonomy, built once per process (that is, per Beam worker)."""
    return SkillExtractor(load_taxonomy(path))


# ---------------------------------------------------------------------------------------
# Beam composite


class _ExtractSkillsFn(beam.DoFn):
    def __init__(self, taxonomy_path: Optional[str], debug: bool):
        self._taxonomy_path = taxonomy_path
        self._debug = debug
        self._extractor: Optional[SkillExtractor] = None
        self._without_skills = beam.metrics.Metrics.counter("skills", "postings_without_skills")

    def setup(self):
        # Before the build: with the collector's thresholds raised it costs ~0.25 s, not ~0.37.
        prepare_process()  # this worker's, once (transforms/memory.py)
        self._extractor = get_extractor(self._taxonomy_path)

    def process(self, posting: dict):
        text = (posting.get("title") or "") + "\n" + (posting.get("description") or "")
        matches = self._extractor.extract(text)
        if not matches:
            self._without_skills.inc()
        enriched = dict(posting)
        enriched["skills"] = [match.skill_id for match in matches]
        enriched["skill_names"] = [match.name for match in matches]
        enriched["skill_categories"] = [match.category for match in matches]
        if self._debug:
            enriched["skill_evidence"] = [
                f"{match.skill_id}@{match.start}-{match.end}:{match.surface}"
                for match in matches]
        yield enriched


class ExtractSkills(beam.PTransform):
    """Adds skills, skill_names and skill_categories (and skill_evidence in debug mode)."""

    def __init__(self, taxonomy_path: Optional[str] = None, debug: bool = False):
        super().__init__()
        # Fail at construction, before the graph runs, when the taxonomy is unusable.
        load_taxonomy(taxonomy_path)
        self._taxonomy_path = taxonomy_path
        self._debug = debug

    def expand(self, postings):
        return postings | "ExtractSkillMentions" >> beam.ParDo(InRunsFn(
            _ExtractSkillsFn(self._taxonomy_path, self._debug)))
