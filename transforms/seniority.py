"""Seniority: puts every posting on the contract's ladder (intern ... executive, unknown) with
the words that decided it. Stage 4 of the flow (read -> parse -> location -> seniority ->
skills -> dedupe -> aggregate); the ladder, years table and crosswalks are in seniority.md.

Evidence order: the source's structured level (`seniority_hint`), then title markers, then
structured `experience_months`; for a silent title, the requirements text: a stated level
("entry-level", "looking for a Senior"), else a small model of employers' levels over the
text's features (seniority_model.py) refined by the years asked for; text in other
languages keeps the years table and cues. "unknown" when all are silent.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from typing import Iterable, Iterator, NamedTuple, Optional

import ahocorasick_rs
import apache_beam as beam

from schemas.posting import SENIORITY_LEVELS
from transforms.runs import InRunsFn
from transforms.seniority_model import predict_level, seniority_model

UNKNOWN = "unknown"
# The ladder without "unknown", lowest first: ranks order IC modifiers and compare levels.
LADDER = SENIORITY_LEVELS[:-1]
_RANK = {level: rank for rank, level in enumerate(LADDER)}

# Requirements usually sit in the second half of a posting; past this the text is benefits,
# legal boilerplate or page furniture, and scanning it only costs CPU.
MAX_SCANNED_CHARS = 12_000

Verdict = tuple[str, Optional[str]]


# --------------------------------------------------------------------------------------
# Structured fields: LinkedIn / JobSpy "Seniority level", USAJOBS pay grades.
# --------------------------------------------------------------------------------------

class HintLevel(NamedTuple):
    """What a structured field says: its level, and the title levels that may refine it."""

    level: str
    refinable_to: frozenset


def _hint(level: str, *refinable: str) -> HintLevel:
    return HintLevel(level, frozenset((level,) + refinable))


# The refinable sets are the agreement table read backwards: a title may make a
# structured level more specific ("Mid-Senior level" + "Engineering Manager" = manager) but
# never move it out of the employer's own bucket.
_HINTS = {
    "internship": _hint("intern"),
    "intern": _hint("intern"),
    "entry level": _hint("junior", "intern"),
    "entry": _hint("junior", "intern"),
    "junior": _hint("junior", "intern"),
    "graduate": _hint("junior", "intern"),
    "associate": _hint("mid", "junior"),
    "mid": _hint("mid", "junior"),
    "mid level": _hint("mid", "junior"),
    "intermediate": _hint("mid", "junior"),
    "mid senior level": _hint("senior", "mid", "lead", "manager"),
    "mid senior": _hint("senior", "mid", "lead", "manager"),
    "senior": _hint("senior", "lead"),
    "experienced": _hint("senior", "mid", "lead"),
    "lead": _hint("lead", "senior"),
    "staff": _hint("lead"),
    "principal": _hint("lead"),
    "manager": _hint("manager"),
    "director": _hint("director", "executive"),
    "executive": _hint("executive", "director"),
    "vp": _hint("executive"),
    "c level": _hint("executive"),
}
_HINT_IGNORED = frozenset(("", "not applicable", "n a", "na", "none", "unknown", "other", "all"))

# USAJOBS pay plans whose grades follow the General Schedule: GS, GG (same scale, excepted
# service), GM (former merit pay, grades 13-15). Ladder announcements ("GS-07/09/11") hire
# at their lowest grade, so that is the grade used.
_GRADE = re.compile(r"\b(?:gs|gg|gm)\s*-?\s*(?:\d{4}\s*-\s*)?(\d{1,2})\b")
_SENIOR_EXECUTIVE = re.compile(r"^(?:ses|senior executive service)\b")
_SENIOR_PROFESSIONAL = re.compile(r"^(?:st|sl|senior level|scientific and professional)\b")


def grade_level(grade: int) -> Optional[HintLevel]:
    """The ladder level of a General Schedule grade (documented in seniority.md)."""
    if grade < 1 or grade > 15:
        return None
    if grade <= 8:
        return _hint("junior", "intern")
    if grade <= 11:
        return _hint("mid", "junior")
    if grade <= 13:
        return _hint("senior", "lead", "manager")
    return _hint("lead", "manager", "director")


_HINT_PUNCTUATION = re.compile(r"[^a-z0-9]+")


def _fold_hint(hint: str) -> str:
    return " ".join(_HINT_PUNCTUATION.sub(" ", hint.lower()).split())


def hint_level(hint: Optional[str]) -> Optional[HintLevel]:
    """What a source's structured seniority says, or None when it says nothing usable."""
    if not hint:
        return None
    return _hint_level(hint)


# A source writes its levels the same few ways ("Mid-Senior level", "GS-12"): read each once.
@functools.lru_cache(maxsize=1024)
def _hint_level(hint: str) -> Optional[HintLevel]:
    folded = _fold_hint(hint)
    if folded in _HINT_IGNORED:
        return None
    if folded in _HINTS:
        return _HINTS[folded]
    grade = _GRADE.search(hint.lower())
    if grade:
        return grade_level(int(grade.group(1)))
    if _SENIOR_EXECUTIVE.match(folded):
        return _hint("executive", "director")
    if _SENIOR_PROFESSIONAL.match(folded):
        return _hint("lead")
    return None


# --------------------------------------------------------------------------------------
# Title markers.
# --------------------------------------------------------------------------------------

def _fold_fast(text: str) -> str:
    """Lower case ASCII for long texts, where offsets do not matter ("år" -> "ar")."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _fold(text: str) -> str:
    """Lower case without accents, same length as `text` whenever the script allows it."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.lower()


# Word sequences that contain a marker word but are not one: individual-contributor
# "managers", sales "lead generation", semiconductors (German Halbleiter), cooks' "chef de
# partie", building architects. They are blanked (same length) before markers are sought.
_NOT_MARKERS = re.compile(
    r"\b(?:product|project|program|programme|account|key account|portfolio|case|property|"
    r"community|social media|relationship|client|territory|customer success|partner success|"
    r"category|campaign|release|escalation|content|channel|"
    r"delivery|engagement|implementation)\s+manager(?:in)?\b"
    r"|\bchef(?:fe)?\s+de\s+(?:projets?|partie|produit)\b"
    r"|\bprojekt\s*leiter(?:in)?\b|\bprojektleiter(?:in)?\b|\bprojektledare\b"
    r"|\bjefe\s+de\s+proyecto\b|\bresponsable\s+(?:de\s+|d')?(?:projets?|operations?)\b"
    r"|\bnatural\s+resources?\s+manager\b"
    # A role named as the object ("attached to the deputy director", "HR of the secretary
    # general") is not the holder's level; a deputy ("adjoint au chef") is.
    r"|(?<!adjoint\s)(?<!adjointe\s)(?<!adjoint\(e\)\s)"
    r"\b(?:aupres\s+(?:du|de\s+la|des)|du|de\s+la|des)\s+"
    r"(?:secretaire\s+general\w*|sous-directeur\w*|sous-directrice|directeur\w*|directrice\w*|"
    r"chef\w*|responsable)\b"
    r"|\blead\s+(?:generation|gen|generator|qualification|development representative)\b"
    r"|\bhalbleiter\w*"
    r"|\b(?:landscape|naval|interior|building)\s+architect\w*"
    r"|\barchitecte?\s+(?:du|des|de)\s+patrimoine"
    r"|\b(?:art|funeral|casting)\s+director\b"
    r"|\bassociate\s+professor\b"
    r"|\bdirection\b"
    r"|\bdirector(?:'s|s)\s+(?:office|assistant)\b"
)
# Every look-alike above contains one of these words: a title without any (four in five)
# skips the substitution, which costs more than all the marker searches together.
_NOT_MARKER_WORDS = ("manager", "chef", "projekt", "jefe", "responsable", "secretaire",
                     "direct", "lead", "halbleiter", "architect", "professor")

# Role markers decide whatever modifiers say ("Senior Manager" is a manager, "Associate
# Director" a director, "Engineering Manager II" a manager). First match in this order wins:
# a "Marketing Manager Intern" is an intern, a "Director, Head of Data" a director.
_ROLE_MARKERS: tuple[tuple[str, re.Pattern], ...] = (
    ("intern", re.compile(
        r"\b(?:interns?|internships?|summer\s+student|student\s+(?:trainee|assistant|worker)|"
        r"co-?op(?:\s+student)?|werk\s*student(?:in)?|praktikant(?:in)?|praktikum|praktik|"
        r"praktykant\w*|stagiaire|stagiair|stagista|tirocin\w+|becari[oa]s?|estagiari[oa]s?|"
        r"pasante|alternant(?:e)?s?|en\s+(?:alternance|apprentissage)|apprenti(?:e|ce|ceship)?s?|"
        r"auszubildende[rn]?|azubi|lehrling|ausbildung|stazysta|undergraduate|"
        r"graduate\s+(?:research\s+|teaching\s+)?assistant)\b")),
    ("junior", re.compile(
        r"\b(?:trainees?|graduates?|new\s+grad(?:uate)?s?|entry[\s-]+level|"
        r"post-?doc(?:toral)?(?:\s+(?:fellow|researcher|position))?|debutant(?:e)?)\b")),
    ("executive", re.compile(
        r"\b(?:chief\s+(?!(?:architect|engineer|scientist|data\s+scientist|economist|"
        r"technologist|statistician|of\s+staff|of\s+party|editor|accountant|cook|chef)\b)"
        r"[\w&,\s-]{0,40}?officer|"
        r"c[adefimoprst]o|ciso|chro|cxo|c-(?:level|suite)|"
        r"(?<!vice[\s-])(?<!vice )president|"
        r"(?<!assistant\s)(?<!associate\s)(?:senior\s+|executive\s+|group\s+)?"
        r"(?:vice[\s-]+president|vp)|"
        r"s\.?v\.?p|e\.?v\.?p|"
        r"(?:co-?)?founder|managing\s+director|executive\s+director|"
        r"director[\s-]+general|directeur(?:rice)?[\s(/.·-]*(?:trice\W*)?\s*g[ea]n[ea]ral|"
        r"directrice\s+generale|director\s+general|geschafts\s*fuhrer(?:in)?|"
        r"vorstand|verkstallande\s+direktor|vd|prezes|"
        r"(?:managing|senior|equity|founding|general|salaried)\s+partner|"
        r"(?:^|(?<=[-–,|(/:]))\s*partner(?=\s*(?:$|[,|(–-]|of\b|at\b|in\b|with\b)))\b")),
    ("director", re.compile(
        r"\b(?:directors?|directeur(?:rice)?s?|directrices?|director[ae]s?|direktor\w*|"
        r"dyrektor\w*|diretor[ae]?s?|direttore|direttrice|sous-directeur\w*|"
        r"secretaire\s+general\w*|secretary\s+general|associate\s+partner|general\s+manager|"
        r"bereichsleiter(?:in)?|werksleiter(?:in)?|niederlassungsleiter(?:in)?|"
        r"drh|chef(?:fe|\.fe|\(fe\))?\s+de\s+cabinet|"
        r"head\s+of\s+(?!(?:the\s+)?(?:team|unit|section|desk|"
        r"shift|group|office|bureau|store|shop|kitchen|department|class|year)\b))\b")),
    ("manager", re.compile(
        r"\b(?:managers?|manager(?:in)?|mgr|supervis(?:or|ory|eur|ora)s?|superintendent|"
        r"head\s+(?:of|chef)|(?:team|group|shift|section|unit)\s+lead(?:er)?s?|leaders?|"
        r"(?:it-)?chef(?:fe)?(?:\.fe|\(fe\))?\s*(?=de\b|du\b|des\b|d'|d’|(?:de\s+la)\b|"
        r"(?:section|bureau|division|cellule|pole|departement|service|groupe|groupement|"
        r"atelier|magasin|plateforme|sla|unite|mission|equipe|centre|site|traitement)\b)|"
        r"\w+chef|chef\s+(?:for|till)|cheffe|"
        r"responsable|responsabile|encadrant(?:e)?|jefe|jefa|gerente|kierownik\w*|"
        r"leidinggevende|teamleider|"
        r"\w*leiter(?:in)?|leitung|teamledare|arbetsledare|capo|encargad[oa]|"
        r"adjoint(?:e)?\s+(?:au|a\s+la|du)\s+(?:chef|responsable))\b")),
)

# IC modifiers: they decide only when no role marker does. Each pattern has the level it
# implies; several in one title are compounded (highest, "Sr. Staff") or alternatives
# (lowest, "Financial Analyst/Sr. Financial Analyst").
_ROLE_NOUN = (r"(?:engineer|developer|analyst|scientist|specialist|programmer|technician|"
              r"administrator|designer|architect|consultant|researcher|associate|accountant|"
              r"officer|auditor|manager|coordinator|representative|sde|swe)")
_MODIFIER_MARKERS: tuple[tuple[str, re.Pattern], ...] = (
    ("lead", re.compile(
        r"\b(?:lead(?!\s+(?:to|with|the|our|a)\b)|leads|tech\s+lead|principal|distinguished|"
        r"chief\s+(?:architect|engineer|scientist|data\s+scientist|economist|technologist|"
        r"statistician)|"
        r"fellow|staff(?=\s+(?:\w+\s+){0,2}?(?:engineer|developer|scientist|software|architect|"
        r"designer|researcher|data|machine|ml|security|product|sre|analyst|business|"
        r"technical|research|applied|site|systems?|front|back|full|mobile|ios|android|"
        r"platform|infrastructure|cloud|devops)))\b")),
    ("senior", re.compile(
        r"\b(?:senior(?!\s+associate)|snr|sr\b\.?(?!\s*associate)|sen\.|erfaren|starszy|"
        r"experimente|(?:assistant|associate)\s+vice\s+president|avp)(?:\b|(?<=\.))|"
        r"\bsenior(?=[a-z]{4,})(?!ity)")),
    ("mid", re.compile(
        r"\b(?:mid(?:[\s-]+level)?|intermediate|medior|confirme|senior\s+associate|"
        r"mid\s*/\s*senior)\b")),
    ("junior", re.compile(
        r"\b(?:junior|jr\b\.?|jnr|juniors?|mlodszy|(?<!senior\s)(?<!sr\.\s)(?<!sr\s)associate)"
        r"(?:\b|(?<=\.))|\bjunior(?=[a-z]{4,})")),
    ("architect", re.compile(
        r"\b(?:architect|architecte|arkitekt|architekt)(?:in|e)?\b")),
)

_ROMAN_LEVELS = {"i": "junior", "ii": "mid", "iii": "senior", "iv": "lead", "v": "lead"}
_ARABIC_LEVELS = {"1": "junior", "2": "mid", "3": "senior"}
# Google's ladder: L3 entry, L4 mid, L5 senior, L6 staff, L7 senior staff, L8 principal.
_GOOGLE_LEVELS = {"l2": "junior", "l3": "junior", "l4": "mid", "l5": "senior", "l6": "lead",
                  "l7": "lead", "l8": "lead", "l9": "lead"}
# "Engineer II", "Machine Learning Engineer, II", "Analyst I- Temp": a numeral right after a
# word and closing the title or followed by a separator. "IV Nurse" is not a level.
_ROMAN = re.compile(r"(?<=[a-z)])(?:\s*,)?\s+(i{1,3}|iv|v)\b(?=\s*(?:$|[-–(/,|:.]))")
_ARABIC = re.compile(r"\b" + _ROLE_NOUN + r"\s+([123])\b(?=\s*(?:$|[-–(/,|:]))")
_LEVEL_WORD = re.compile(r"\b(?:level|lvl|niveau|grade)\s*([1-5]|i{1,3}|iv|v)\b")
_GOOGLE = re.compile(r"\b(l[2-9])\b(?!\s*(?:support|helpdesk|help\s+desk|service|"
                     r"technician|engineer\s+support|operations?|noc|soc)\b)")
_LEVEL_WORDS = {"1": "junior", "2": "mid", "3": "senior", "4": "lead", "5": "lead",
                **_ROMAN_LEVELS}

# Alternatives in one title ("Jr./Sr.", "Analyst or Senior Analyst") rather than compounds.
_ALTERNATIVE = re.compile(r"/|\bor\b|\bou\b|\beller\b|\boder\b|,|&|\band\b|\(")


class TitleMarker(NamedTuple):
    level: str
    start: int
    end: int
    implied: bool = False  # a level the role implies ("Architect"), not one the title states


def _blank(folded: str) -> str:
    """`folded` with look-alike phrases replaced by spaces, offsets unchanged."""
    if not any(map(folded.__contains__, _NOT_MARKER_WORDS)):
        return folded
    return _NOT_MARKERS.sub(_spaces, folded)


def _spaces(match: re.Match) -> str:
    return " " * (match.end() - match.start())


# Words every match of a role pattern contains: a title without any of a pattern's words
# skips it (most titles name no role, and each of these long patterns scans the title).
_ROLE_WORDS = {
    "intern": ("intern", "student", "coop", "co-op", "praktik", "praktykant", "stagiair",
               "stagista", "tirocin", "becari", "estagiari", "pasante", "alternan", "apprenti",
               "auszubildende", "azubi", "lehrling", "ausbildung", "stazysta", "graduate"),
    "junior": ("trainee", "grad", "entry", "postdoc", "post-doc", "debutant"),
    "executive": ("officer", "cao", "cdo", "ceo", "cfo", "cio", "cmo", "coo", "cpo", "cro", "cso",
                  "cto", "ciso", "chro", "cxo", "c-", "president", "vp", "v.p", "founder",
                  "direct", "geschafts", "vorstand", "direktor", "vd", "prezes", "partner"),
    "director": ("direct", "direktor", "dyrektor", "diret", "secretar", "partner", "general",
                 "leiter", "drh", "cabinet", "head"),
    "manager": ("manager", "mgr", "supervis", "superintendent", "head", "lead", "chef",
                "responsab", "encadrant", "jef", "gerente", "kierownik", "leidinggevende",
                "leider", "leiter", "leitung", "ledare", "capo", "encargad"),
}
# Words every match of a modifier pattern contains: a title without any of a pattern's
# words skips it (most titles name one level or none, and each search scans the title).
_MODIFIER_WORDS = {
    "lead": ("lead", "principal", "distinguished", "chief", "fellow", "staff"),
    "senior": ("sen", "snr", "sr", "erfaren", "starszy", "experimente", "vice", "avp"),
    "mid": ("mid", "intermediate", "medior", "confirme", "associate"),
    "junior": ("junior", "jr", "jnr", "mlodszy", "associate"),
    "architect": ("architect", "arkitekt", "architekt"),
}
# The numbered levels: pattern, what each number means, and the words every match
# contains, or a short pattern every match contains a match of: a space before the
# numeral (a sixth of titles have one; the numeral pattern costs six times the test).
_ROMAN_GATE = re.compile(r"\s[iv]")
_NUMBERED = (
    (_ROMAN, _ROMAN_LEVELS, _ROMAN_GATE),
    (_ARABIC, _ARABIC_LEVELS, ("1", "2", "3")),
    (_LEVEL_WORD, _LEVEL_WORDS, ("level", "lvl", "niveau", "grade")),
    (_GOOGLE, _GOOGLE_LEVELS, tuple(f"l{digit}" for digit in range(2, 10))),
)
_GRADE_WORDS = ("gs", "gg", "gm")


def _mentions(scanned: str, words) -> bool:
    if isinstance(words, re.Pattern):
        return words.search(scanned) is not None
    return any(map(scanned.__contains__, words))


def _modifiers(scanned: str) -> list[TitleMarker]:
    found = []
    for level, pattern in _MODIFIER_MARKERS:
        if not _mentions(scanned, _MODIFIER_WORDS[level]):
            continue
        for match in pattern.finditer(scanned):
            # An architect is a senior individual contributor unless a modifier says more.
            if level == "architect":
                found.append(TitleMarker("senior", match.start(), match.end(), implied=True))
            else:
                found.append(TitleMarker(level, match.start(), match.end()))
    for pattern, table, words in _NUMBERED:
        if not _mentions(scanned, words):
            continue
        for match in pattern.finditer(scanned):
            found.append(TitleMarker(table[match.group(1)], match.start(1), match.end(1)))
    return sorted(found, key=lambda marker: marker.start)


def _resolve_modifiers(scanned: str, markers: list[TitleMarker]) -> TitleMarker:
    """One modifier from several; a stated level beats one the role implies."""
    markers = [marker for marker in markers if not marker.implied] or markers
    chosen = markers[0]
    for marker in markers[1:]:
        if marker.level == chosen.level:
            continue
        between = scanned[chosen.end:marker.start]
        if _ALTERNATIVE.search(between):
            chosen = min(chosen, marker, key=lambda m: _RANK[m.level])
        else:
            chosen = max(chosen, marker, key=lambda m: _RANK[m.level])
    return chosen


def title_marker(title: Optional[str]) -> Optional[TitleMarker]:
    """The title marker that decides the level, with its span in `title`, or None."""
    if not title:
        return None
    return _marker_in(_blank(_fold(title)))


def _marker_in(scanned: str) -> Optional[TitleMarker]:
    for level, pattern in _ROLE_MARKERS:
        if not _mentions(scanned, _ROLE_WORDS[level]):
            continue
        match = pattern.search(scanned)
        if match:
            return TitleMarker(level, match.start(), match.end())
    markers = _modifiers(scanned)
    if markers:
        return _resolve_modifiers(scanned, markers)
    grade = _GRADE.search(scanned) if _mentions(scanned, _GRADE_WORDS) else None
    if grade:
        hint = grade_level(int(grade.group(1)))
        if hint is not None:
            return TitleMarker(hint.level, grade.start(), grade.end())
    return None


def title_seniority(title: Optional[str]) -> Optional[Verdict]:
    """(level, evidence) from the title alone, or None when the title is silent."""
    if not title:
        return None
    return _title_verdict(title)


# Titles repeat across postings far more than descriptions do ("Data Analyst", "Registered
# Nurse"), and reading one costs a dozen regex scans: remember the latest few thousand.
@functools.lru_cache(maxsize=8192)
def _title_verdict(title: str) -> Optional[Verdict]:
    folded = _fold(title)
    marker = _marker_in(_blank(folded))
    if marker is None:
        return None
    shown = title if len(folded) == len(title) else folded
    return marker.level, "title: " + shown[marker.start:marker.end].strip()


# --------------------------------------------------------------------------------------
# Requirements text: years of experience, then plainer cues.
# --------------------------------------------------------------------------------------

_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
    "twenty": 20, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5,
    "zwei": 2, "drei": 3, "vier": 4, "funf": 5, "ett": 1, "tva": 2, "tre": 3, "fyra": 4,
    "fem": 5,
}
# Digits may be glued to the word before them: scraped lists lose their line breaks
# ("Requirements5+ years", "should have2+ years").
_NUM = (r"((?<![\d$.,])\d{1,2}(?:\.5)?|\b(?:"
        + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")\b)")
_YEARS = re.compile(
    r"(\+\s*)?" + _NUM + r"(?:\s*\(\d{1,2}\))?(\s*\+|\s*plus\b)?"
    r"(?:\s*(?:-|–|to|or|a|bis|till)\s*" + _NUM + r"(?:\s*\(\d{1,2}\))?)?\s*\+?\s*"
    r"(?:full[\s-]time\s+)?(?:years?|yrs?|ans|annees|jahre?n?|ars|ar)\b(?:'|’)?"
    r"(\s*(?:\+|or\s+more|or\s+greater|minimum|min\b))?")
# Before a figure: the words that make it a minimum ("at least three", "minimum of 2").
_QUALIFIER = re.compile(r"(?:at\s+least|a\s+minimum\s+of|minimum\s+of|minimum|min\.?|"
                        r"more\s+than|au\s+moins|mindestens|minst)\s*$")
# Figures about the company or the contract, not the candidate.
_NOT_BEFORE = re.compile(r"\b(?:past|last|next|over\s+the|for(?:\s+the)?|within(?:\s+the)?|"
                         r"in\s+the|every|per|since|founded|stability|at\s+most|(?:position|"
                         r"term|period|duration|contract|appointment)\s+of)\s+"
                         r"(?:more\s+than\s+|over\s+|almost\s+|nearly\s+)?$")
_NOT_AFTER = re.compile(r"^[\s'’-]*(?:old\b|of\s+age|ago\b|in\s+business|in\s+a\s+row|"
                        r"(?:college|university|degree|bachelor|program|contract|term|warranty|"
                        r"anniversary|history|growth|assignment|project)\b)")
# A plain figure ("3 years") counts only when experience is named next to it.
_EXPERIENCE_AFTER = re.compile(
    r"^[^.;•\n]{0,70}?\b(?:experience|exp\b|expertise|background|d'experience|"
    r"berufserfahrung|erfahrung|erfarenhet|working|work\b|hands-on|professional|relevant|"
    r"industry|progressive|related|practical|proven|building|developing|designing|managing|"
    r"leading|using|analyzing|reviewing|supporting|programming|as\s+an?\b|in\s+(?:an?|the)\s+"
    r"[\w\s/-]{0,30}(?:role|position|environment|field))")
_EXPERIENCE_BEFORE = re.compile(r"(?:experience|exp|erfahrung|erfarenhet)\b[^.;•\n]{0,40}$")
_PREFERRED = re.compile(r"^[^.;•\n]{0,80}?\b(?:preferred|a\s+plus|desired|desirable|"
                        r"nice\s+to\s+have|ideally|bonus)\b")
# Some boards print the requirement as a field: "Experience (Years)5".
_EXPERIENCE_FIELD = re.compile(r"\bexperience\s*\(years?\)\s*:?\s*(\d{1,2})\b")
_MONTHS = re.compile(r"(?<!\d)(\d{1,2}|six|twelve|eighteen)\s*\+?\s*months?\b"
                     r"(?=[^.;\n]{0,60}\bexperience)")
_MONTH_WORDS = {"six": 6, "twelve": 12, "eighteen": 18}
_LONGEST_MONTHS_FIGURE = max(map(len, _MONTH_WORDS))
_MONTHS_LEAD = 20  # "eighteen + months": how far before "month" a match may start

# Years asked for -> level; the lower bound of a range counts ("3-5 years" = 3) because it
# is what a candidate must have. Documented in seniority.md.
YEARS_TABLE = ((0, "junior"), (2, "mid"), (5, "senior"), (10, "lead"))
MAX_PLAUSIBLE_YEARS = 20  # "over 25 years" is the company's history, not a requirement


def step_value(table: tuple, years: float) -> str:
    """The value of the last (threshold, value) row of an ascending table that `years`
    reaches; below the first threshold, the first row's value."""
    value = table[0][1]
    for threshold, threshold_value in table:
        if years >= threshold:
            value = threshold_value
    return value


def years_level(years: float) -> str:
    """The ladder level of a minimum-experience requirement in years."""
    return step_value(YEARS_TABLE, years)


class YearsRequirement(NamedTuple):
    years: float
    text: str  # as the evidence shows it: "5+", "3-5", "at least three", "18 months"


def _number(token: str) -> float:
    return float(_NUMBER_WORDS.get(token, 0)) if token.isalpha() else float(token)


def _requirement(text: str, match: re.Match) -> Optional[tuple[YearsRequirement, bool]]:
    """The requirement a years figure states and whether it is only preferred, or None."""
    low = _number(match.group(2))
    if low > MAX_PLAUSIBLE_YEARS:
        return None
    before = text[max(0, match.start() - 50):match.start()]
    after = text[match.end():match.end() + 90]
    if _NOT_BEFORE.search(before) or _NOT_AFTER.search(after):
        return None
    qualifier = _QUALIFIER.search(before)
    bounded = bool(match.group(1) or match.group(3) or match.group(4) or match.group(5)
                   or qualifier)
    if not (bounded or _EXPERIENCE_AFTER.search(after) or _EXPERIENCE_BEFORE.search(before)):
        return None
    shown = match.group(2)
    if match.group(4):
        shown += "-" + match.group(4)
    elif match.group(1) or match.group(3) or match.group(5):
        shown += "+"
    elif qualifier:
        shown = " ".join(qualifier.group(0).split()) + " " + shown
    return YearsRequirement(low, shown), bool(_PREFERRED.search(after))


# Literal units the years pattern ends with: the pattern itself only runs on a short
# window before each one. They are found in the scan automaton's pass over the text (see
# _read), with the literals that gate the two fallbacks.
_YEAR_UNITS = ("year", "yr", "ans", "annee", "jahr", " ar ", " ars ")
_FIELD_GATE = "(year"
_MONTH_GATE = "month"
_LANDMARKS = _YEAR_UNITS + (_FIELD_GATE, _MONTH_GATE)
_FIELD_LANDMARK = len(_YEAR_UNITS)
_MONTH_LANDMARK = _FIELD_LANDMARK + 1
_WINDOW = 45
_WORD_ONLY_UNITS = frozenset(("ans",))


class _Reading(NamedTuple):
    """A folded text and what one pass of the scan automaton found in it."""

    text: str
    cue_hits: list  # (start, end, indices into _SCANNED) for each cue literal, by end
    landmarks: tuple  # for each of _LANDMARKS, the offsets where it starts, ascending
    matches: list  # every (literal index, start, end) the automaton found, by end


def _years_matches(reading: _Reading) -> Iterator[re.Match]:
    text = reading.text
    starts = set()
    for unit, positions in zip(_YEAR_UNITS, reading.landmarks):
        resume = 0
        for position in positions:
            # Units are read left to right without overlap (" ar ar " holds one " ar ").
            if position < resume:
                continue
            resume = position + len(unit)
            # French "ans" ends many English words ("plans", "means"): only a word counts.
            if unit in _WORD_ONLY_UNITS and position and text[position - 1].isalpha():
                continue
            match = _YEARS.search(text, max(0, position - _WINDOW), position + len(unit) + 15)
            if match and match.start() not in starts and match.end() > position:
                starts.add(match.start())
                yield match


def _years_in(reading: _Reading) -> Optional[YearsRequirement]:
    text = reading.text
    required: Optional[YearsRequirement] = None
    preferred: Optional[YearsRequirement] = None
    for match in _years_matches(reading):
        found = _requirement(text, match)
        if found is None:
            continue
        requirement, is_preferred = found
        # The largest minimum is the posting's real bar; smaller ones qualify sub-skills
        # ("5+ years of analytics, 2+ years of Tableau").
        if is_preferred:
            if preferred is None or requirement.years > preferred.years:
                preferred = requirement
        elif required is None or requirement.years > required.years:
            required = requirement
    if required or preferred:
        return required or preferred
    # Both patterns are gated by a literal they contain: a full-text regex scan per posting
    # would cost more than the rest of the years reading.
    field = _EXPERIENCE_FIELD.search(text) if reading.landmarks[_FIELD_LANDMARK] else None
    if field:
        return YearsRequirement(float(field.group(1)), field.group(1))
    month = reading.landmarks[_MONTH_LANDMARK]
    months = _months_figure(text, month) if month else None
    if months:
        count = _MONTH_WORDS.get(months.group(1)) or float(months.group(1))
        return YearsRequirement(count / 12, f"{months.group(1)} months")
    return None


def _months_figure(text: str, months: list) -> Optional[re.Match]:
    """_MONTHS.search(text, max(0, months[0] - _MONTHS_LEAD)), with `months` the offsets of
    "month" in the text: the pattern is tried only at the offsets from which its figure and
    the spaces or "+" after it can reach one of them (a search tries every offset to the
    end of the text, a third of a millisecond on a long posting)."""
    untried = max(0, months[0] - _MONTHS_LEAD)
    for month in months:
        figure_end = month
        plus = False
        while figure_end > 0:
            before = text[figure_end - 1]
            if before == "+" and not plus:
                plus = True
            elif not before.isspace():  # what \s matches in a folded (ASCII) text
                break
            figure_end -= 1
        for start in range(max(untried, figure_end - _LONGEST_MONTHS_FIGURE), month + 1):
            match = _MONTHS.match(text, start)
            if match:
                return match
        untried = max(untried, month + 1)
    return None


def years_required(description: Optional[str]) -> Optional[YearsRequirement]:
    """The minimum experience a posting asks for, or None when it names no figure."""
    if not description:
        return None
    return _years_in(_read(_fold_fast(description[:MAX_SCANNED_CHARS])))


# Plain-text cues, used only when the title and the years are silent. In order: a level
# named by the posting's opening, graduate-market wording, seniority wording, people
# management, then the documented defaults (see seniority.md): experience asked for
# without a figure is mid; a degree asked for with no experience at all is junior.
OPENING_CHARS = 1_500
_OPENING = re.compile(
    r"\b(?:looking\s+for|seeking|searching\s+for|hiring|recruiting)\s+(?:an?|our|one)\s+"
    r"(?:(?:new|next|talented|motivated|driven|passionate|experienced|highly[\s-]\w+|"
    r"self-\w+|strong|creative|dynamic|curious)\s+)*"
    r"(senior|sr\.?|junior|jr\.?|lead|principal|staff|entry[\s-]level|mid[\s-]level|intern)\b")
_OPENING_LEVELS = {"senior": "senior", "sr": "senior", "junior": "junior", "jr": "junior",
                   "lead": "lead", "principal": "lead", "staff": "lead", "entry level": "junior",
                   "mid level": "mid", "intern": "intern"}
class _Cue(NamedTuple):
    level: str
    literals: tuple  # every match contains one of them: a cheap gate and where to start
    pattern: re.Pattern


_INTERNSHIP_CUE = _Cue("intern", ("internship",), re.compile(
    r"\b(?:this|our|the|summer|paid)\s+internship\b|"
    r"\binternship\s+(?:program|position|opportunity|role)\b"))
_GRADUATE_CUE = _Cue("junior", ("entry", "grad", "no prior", "no previous", "no experience",
                                "early", "junior", "0-", "0 -", "zero"), re.compile(
    r"\b(?:entry[\s-]level|(?:recent(?:ly)?|newly)\s+(?:college\s+)?grad(?:uate[sd]?)?|"
    r"new\s+grad(?:uate)?s?|"
    r"no\s+(?:prior\s+|previous\s+)?experience\s+(?:is\s+)?(?:required|necessary|needed)|"
    r"early[\s-]career|junior[\s-]level|(?:0|zero)\s*-\s*(?:1|2|one|two)\s+years?)\b"))
_SENIOR_CUE = _Cue("senior", ("senior", "seasoned", "extensive", "significant", "deep "),
                   re.compile(r"\b(?:senior[\s-]level|seasoned|extensive\s+experience|"
                              r"significant\s+experience|deep\s+(?:expertise|experience))\b"))
_EXPERIENCE_CUE = _Cue("mid", ("experience",), re.compile(
    r"\b(?:(?:proven|prior|previous|demonstrated|professional|relevant|hands-on|solid|"
    r"practical)\s+experience|experience\s+(?:with|in|using|working|as)\b)"))
_CUES: tuple[_Cue, ...] = (
    _INTERNSHIP_CUE,
    _GRADUATE_CUE,
    _SENIOR_CUE,
    _Cue("manager", ("direct report", "people manag", "team of"), re.compile(
        r"\b(?:direct\s+reports|people\s+management|(?:manage|lead|supervise)\s+a\s+team\s+of)\b")),
    _EXPERIENCE_CUE,
    _Cue("junior", ("bachelor", "master", "b.s.", "b.a.", "ba/bs", "bs/ba", "degree"), re.compile(
        r"\b(?:bachelor(?:'s|s)?(?:\s+degree)?|master's\s+degree|b\.s\.|b\.a\.|"
        r"ba/bs|bs/ba|college\s+degree|university\s+degree|degree\s+in)\b")),
)
_OPENING_VERBS = ("looking for", "seeking", "searching for", "hiring", "recruiting")
# How far before its gate literal a cue's match may start ("recent college grad"), and
# how far after it may end: patterns run only in these windows around each literal found.
_CUE_LEAD = 30
_CUE_TAIL = 60


def _search_near(text: str, occurrences: dict, literals: Iterable[str],
                 pattern: re.Pattern) -> Optional[re.Match]:
    """The earliest match of `pattern`, sought only around occurrences of `literals`
    (`occurrences`: literal -> every offset where it starts, ascending)."""
    earliest = None
    for literal in literals:
        resume = 0
        for position in occurrences.get(literal, ()):
            if position < resume:  # occurrences are read without overlap, as str.find does
                continue
            if earliest is not None and position - _CUE_LEAD >= earliest.start():
                break
            match = pattern.search(text, max(0, position - _CUE_LEAD),
                                   position + len(literal) + _CUE_TAIL)
            if match:
                if earliest is None or match.start() < earliest.start():
                    earliest = match
                break
            resume = position + len(literal)
    return earliest


# Statements of a level (the opening's "looking for a Senior ...", internship and
# graduate-market wording) are as explicit as a title marker: when the text gives no years
# figure they decide before the model.
_STATEMENT_CUES = (_INTERNSHIP_CUE, _GRADUATE_CUE)


def _opening_in(text: str, occurrences: dict) -> Optional[Verdict]:
    # The pattern is tried only where one of its verbs stands, leftmost first (`occurrences`
    # as _search_near reads them).
    starts = []
    for verb in _OPENING_VERBS:
        resume = 0
        for position in occurrences.get(verb, ()):
            if position + len(verb) > OPENING_CHARS:
                break
            if position >= resume:
                starts.append(position)
                resume = position + len(verb)
    for position in sorted(starts):
        opening = _OPENING.match(text, position, OPENING_CHARS)
        if opening:
            word = opening.group(1).rstrip(".").replace("-", " ")
            return _OPENING_LEVELS[" ".join(word.split())], "text: " + opening.group(0)
    return None


def _cue_in(reading: _Reading) -> Optional[Verdict]:
    occurrences = _occurrences(reading)
    opening = _opening_in(reading.text, occurrences)
    if opening is not None:
        return opening
    for cue in _CUES:
        match = _search_near(reading.text, occurrences, cue.literals, cue.pattern)
        if match:
            return cue.level, "text: " + match.group(0)
    return None


def description_seniority(description: Optional[str]) -> Optional[Verdict]:
    """(level, evidence) from the requirements text: years first, then cues; else None."""
    if not description:
        return None
    reading = _read(_fold_fast(description[:MAX_SCANNED_CHARS]))
    return _description_verdict(reading, _years_in(reading))


def _description_verdict(reading: _Reading,
                         years: Optional[YearsRequirement]) -> Optional[Verdict]:
    if years is not None:
        return years_level(years.years), "years: " + years.text
    return _cue_in(reading)


# --------------------------------------------------------------------------------------
# Model features: what the model reads in a posting whose title is silent.
# --------------------------------------------------------------------------------------

# Years asked for, in the buckets of seniority.md's evidence table. A posting without a
# figure has a feature of its own: most postings name some experience, so what the
# model learns for "experience with ..." alone would otherwise be learnt from postings
# that also give a figure.
YEARS_BUCKETS = ((0, "years <2"), (2, "years 2"), (3, "years 3-4"), (5, "years 5-6"),
                 (7, "years 7-9"), (10, "years 10+"))
NO_YEARS = "no years figure"


def years_bucket(years: float) -> str:
    return step_value(YEARS_BUCKETS, years)


class _TextFeature(NamedTuple):
    name: str  # as the model's weights and the evidence call it
    literals: tuple  # a cheap gate: every match contains one of them
    pattern: Optional[re.Pattern]  # None when a literal is enough


_DEGREE_FEATURES = ("bachelor's degree", "master's degree", "phd")
_TEXT_FEATURES: tuple[_TextFeature, ...] = (
    _TextFeature("experience wording", _EXPERIENCE_CUE.literals, _EXPERIENCE_CUE.pattern),
    _TextFeature("bachelor's degree", ("bachelor", "b.s.", "b.a.", "ba/bs", "bs/ba", "bs in",
                                       "ba in", "degree"), re.compile(
        r"\b(?:bachelor|b\.s\.|b\.a\.|ba/bs|bs/ba|bs\s+in|ba\s+in|college\s+degree|"
        r"university\s+degree|undergraduate\s+degree|(?:4|four)[\s-]year\s+degree)")),
    _TextFeature("master's degree", ("master", "m.s.", "ms in", "ms/", "ms or", "mba"),
                 re.compile(r"\b(?:master'?s|m\.s\.|ms\s+in|ms\s*/\s*ph|ms\s+or\s+ph|mba)\b")),
    _TextFeature("phd", ("phd", "ph.d", "doctora"), re.compile(r"\b(?:ph\.?\s?d|doctora)")),
    _TextFeature("senior wording", _SENIOR_CUE.literals, _SENIOR_CUE.pattern),
    _TextFeature("people management", ("direct report", "people manag", "a team", "supervis"),
                 re.compile(r"\b(?:direct\s+reports|people\s+management|"
                            r"(?:manage|lead|supervise|build|grow)\s+(?:and\s+\w+\s+)?a\s+team|"
                            r"supervis(?:e|es|ing)\s+(?:staff|employees|analysts|engineers))\b")),
    _TextFeature("mentoring", ("mentor", "coach"), re.compile(r"\b(?:mentor|coach)")),
    _TextFeature("leads work", ("lead",), re.compile(
        r"\blead(?:s|ing)?\s+(?:the\s+|a\s+|our\s+)?(?:development|design|efforts?|projects?|"
        r"initiatives?|architecture|implementation|cross-functional)\b|"
        r"\btechnical\s+leadership\b")),
    _TextFeature("mentions juniors", ("junior",), re.compile(r"\bjunior\b")),
    _TextFeature("assists", ("assist",), re.compile(r"\bassist(?:s|ing)?\b")),
    _TextFeature("under supervision", ("supervision", "direction", "guidance"), re.compile(
        r"\bunder\s+(?:the\s+)?(?:\w+\s+)?(?:supervision|direction|guidance)\b")),
    _TextFeature("supports", ("support",), re.compile(r"\bsupport(?:s|ing)?\b")),
    _TextFeature("learning on the job", ("learn", "training"), re.compile(
        r"\b(?:(?:eager|willing|willingness|desire|opportunit(?:y|ies))\s+to\s+learn|"
        r"learn\s+(?:new|from|and\s+grow)|on-the-job\s+training|"
        r"training\s+(?:is\s+|will\s+be\s+)?provided)\b")),
    _TextFeature("strategy", ("strateg",), None),
    _TextFeature("stakeholders", ("stakeholder",), None),
    _TextFeature("reporting duties", ("excel", "report", "dashboard"),
                 re.compile(r"\b(?:excel|reports|reporting|dashboards?)\b")),
    _TextFeature("research or machine learning", ("research", "machine learning",
                                                  "deep learning"), None),
    _TextFeature("contract wording", ("contract", "w2", "c2c", "duration"),
                 re.compile(r"\b(?:contract|w2|c2c|duration)\b")),
)
# The occupation a silent title names: employers level analysts, scientists and engineers
# differently even when the title carries no level.
_TITLE_FEATURES: tuple[tuple[str, re.Pattern], ...] = (
    ("title: analyst", re.compile(r"\banaly")),
    ("title: scientist", re.compile(r"\bscien")),
    ("title: engineer", re.compile(r"\b(?:engineer|developer|programmer)")),
    ("title: product/project manager", re.compile(r"\bmanager")),
    ("title: specialist", re.compile(r"\b(?:specialist|consultant|coordinator|administrator)")),
)
DEGREE_WITHOUT_YEARS = "degree without years"
# Every feature the model may weigh, in the order its JSON lists them.
MODEL_FEATURES = ([name for _, name in YEARS_BUCKETS] + [NO_YEARS]
                  + [feature.name for feature in _TEXT_FEATURES] + [DEGREE_WITHOUT_YEARS]
                  + [name for name, _ in _TITLE_FEATURES])


# The statement cues, the features and the years' landmarks are sought in one pass: their
# gate literals sit in one automaton (a str.find per literal would cost more than the rest
# of the stage).
_SCANNED = _STATEMENT_CUES + _TEXT_FEATURES


# Literals whose every occurrence a fallback reads (_cue_in, _opening_in): found in the same
# pass, gathered only for the texts that reach a fallback.
_GATES = frozenset(_OPENING_VERBS + tuple(literal for cue in _CUES for literal in cue.literals))


class _ScanAutomaton(NamedTuple):
    automaton: ahocorasick_rs.BytesAhoCorasick
    values: list  # per literal: (the literal, indices into _SCANNED, index into _LANDMARKS)


@functools.lru_cache(maxsize=1)
def _scan_automaton() -> _ScanAutomaton:
    owners: dict[str, list[int]] = {}
    for index, scanned in enumerate(_SCANNED):
        for literal in scanned.literals:
            owners.setdefault(literal, []).append(index)
    landmarks = {landmark: index for index, landmark in enumerate(_LANDMARKS)}
    literals = sorted(owners.keys() | landmarks.keys() | _GATES)
    # Overlapping matches, reported by end offset as the scan finds them: every occurrence of
    # every literal, as the cues' windows and the years' units need them. A DFA: for these
    # eighty-odd literals its table is small, and a scan costs half what a contiguous NFA's
    # does (the same once the table has left the CPU caches between postings).
    return _ScanAutomaton(
        ahocorasick_rs.BytesAhoCorasick([literal.encode("ascii") for literal in literals],
                                        implementation=ahocorasick_rs.Implementation.DFA),
        [(literal, tuple(owners.get(literal, ())), landmarks.get(literal))
         for literal in literals])


def _read(text: str) -> _Reading:
    """The cue literals and landmarks in a folded (ASCII) text, from one automaton pass."""
    cue_hits = []
    landmarks: tuple = tuple([[] for _ in _LANDMARKS])
    matcher = _scan_automaton()
    values = matcher.values
    matches = matcher.automaton.find_matches_as_indexes(text.encode("ascii"), overlapping=True)
    for literal, start, end in matches:
        _, indices, landmark = values[literal]
        if indices:
            cue_hits.append((start, end, indices))
        if landmark is not None:
            landmarks[landmark].append(start)
    return _Reading(text, cue_hits, landmarks, matches)


def _occurrences(reading: _Reading) -> dict:
    """Literal -> every offset where it starts in the reading's text, ascending."""
    values = _scan_automaton().values
    found: dict = {}
    for literal, start, _ in reading.matches:
        found.setdefault(values[literal][0], []).append(start)
    return found


def _scan(reading: _Reading) -> list:
    """For each entry of _SCANNED: its first match in the text (True for a bare literal)."""
    text = reading.text
    hits: list = [None] * len(_SCANNED)
    for start, end, indices in reading.cue_hits:
        for index in indices:
            if hits[index] is not None:
                continue
            pattern = _SCANNED[index].pattern
            hits[index] = True if pattern is None else pattern.search(
                text, max(0, start - _CUE_LEAD), end + _CUE_TAIL)
    return hits


def _statement(reading: _Reading, hits: list) -> Optional[Verdict]:
    opening = _opening_in(reading.text, _occurrences(reading))
    if opening is not None:
        return opening
    for cue, match in zip(_STATEMENT_CUES, hits):
        if match:
            return cue.level, "text: " + match.group(0)
    return None


def _text_features(hits: list, years: Optional[YearsRequirement]) -> list[str]:
    found = [years_bucket(years.years) if years is not None else NO_YEARS]
    found += [feature.name for feature, hit in
              zip(_TEXT_FEATURES, hits[len(_STATEMENT_CUES):]) if hit]
    if years is None and any(name in found for name in _DEGREE_FEATURES):
        found.append(DEGREE_WITHOUT_YEARS)
    return found


def _title_features(title: Optional[str]) -> list[str]:
    return list(_occupations(title or ""))


@functools.lru_cache(maxsize=8192)
def _occupations(title: str) -> tuple:
    folded = _fold(title)
    return tuple(name for name, pattern in _TITLE_FEATURES if pattern.search(folded))


def seniority_features(title: Optional[str], description: Optional[str]) -> list[str]:
    """The model's yes/no features that fire for a posting (text first, then title)."""
    if not description:
        return _title_features(title)
    reading = _read(_fold_fast(description[:MAX_SCANNED_CHARS]))
    return _text_features(_scan(reading), _years_in(reading)) + _title_features(title)


# The model learnt English postings: in other languages its words ("supports",
# "reporting") mean nothing, so those postings keep the rules. Function words tell.
_ENGLISH_WORDS = (" the ", " and ", " of ", " to ", " for ", " with ", " you ", " our ", " will ")
_LANGUAGE_CHARS = 600  # a hundred-odd words: enough to tell the language
_OTHER_WORDS = (" de ", " la ", " et ", " les ", " des ", " du ", " und ", " der ", " die ",
                " och ", " att ", " som ", " el ", " y ", " het ", " een ")


# Each word without its spaces -> the word as counted, and whether it is an English one.
_LANGUAGE_WORDS = {word[1:-1]: (word, index < len(_ENGLISH_WORDS))
                   for index, word in enumerate(_ENGLISH_WORDS + _OTHER_WORDS)}


def _reads_english(text: str) -> bool:
    opening = text[:_LANGUAGE_CHARS]
    # What opening.count(" the ") counts, in one pass: a word between two spaces is a token
    # of the opening split at spaces, other than the first and the last.
    found: dict = {}
    for token in opening.split(" ")[1:-1]:
        if token in _LANGUAGE_WORDS:
            found[token] = found.get(token, 0) + 1
    english = other = 0
    for token, count in found.items():
        word, is_english = _LANGUAGE_WORDS[token]
        if count > 1 and word + token + " " in opening:
            count = opening.count(word)  # str.count reads " the the " as one " the "
        if is_english:
            english += count
        else:
            other += count
    return english > 0 and english >= other


def model_seniority(title: Optional[str], description: Optional[str]) -> Optional[Verdict]:
    """(level, "model: <features>") for a title-silent English posting, or None when the
    text states a level itself, is not English, or gives the model nothing to read."""
    if not description:
        return None
    text = _fold_fast(description[:MAX_SCANNED_CHARS])
    if not _reads_english(text):
        return None
    reading = _read(text)
    return _model_verdict(title, reading, _years_in(reading))


def _model_verdict(title: Optional[str], reading: _Reading,
                   years: Optional[YearsRequirement]) -> Optional[Verdict]:
    """model_seniority for an English text, read, and the years it asks for."""
    hits = _scan(reading)
    # As in the rules, a figure outranks wording: the statements speak only without one.
    if years is None:
        statement = _statement(reading, hits)
        if statement is not None:
            return statement
    features = _text_features(hits, years)
    if features == [NO_YEARS]:
        return None
    prediction = predict_level(tuple(features + _title_features(title)))
    evidence = "model: " + (", ".join(prediction.reasons) or "base rate")
    # The model names an employer's bucket (LinkedIn's levels are coarser than the
    # ladder); the years table places the posting inside it, as a title refines a
    # structured field: "Mid-Senior level" asking 3 years is mid, asking 5 is senior.
    bucket = hint_level(prediction.label)
    if years is not None:
        from_years = years_level(years.years)
        if from_years != bucket.level and from_years in bucket.refinable_to:
            return from_years, f"{evidence}; years: {years.text}"
    return bucket.level, evidence


# --------------------------------------------------------------------------------------
# The decision.
# --------------------------------------------------------------------------------------

def _from_hint(hint: HintLevel, seniority_hint: str, title: Optional[str]) -> Verdict:
    field = "field: " + " ".join(seniority_hint.split())
    from_title = title_seniority(title)
    if from_title and from_title[0] != hint.level and from_title[0] in hint.refinable_to:
        return from_title[0], f"{field}; {from_title[1]}"
    return hint.level, field


def classify_seniority(title: Optional[str], description: Optional[str] = None,
                       seniority_hint: Optional[str] = None,
                       experience_months: Optional[int] = None) -> Verdict:
    """(level, evidence). level in schemas.posting.SENIORITY_LEVELS."""
    hint = hint_level(seniority_hint)
    if hint is not None:
        return _from_hint(hint, seniority_hint, title)
    from_title = title_seniority(title)
    if from_title is not None:
        return from_title
    # monthsOfExperience is the structured form of "N years": like the text's years it
    # decides only when the title is silent (the rule for years).
    if experience_months is not None and experience_months >= 0:
        level = years_level(experience_months / 12)
        return level, f"field: {experience_months} months of experience"
    if not description:
        return UNKNOWN, None
    # The model and the rules read the same folded text and years figure: fold and seek
    # them once.
    reading = _read(_fold_fast(description[:MAX_SCANNED_CHARS]))
    years = _years_in(reading)
    from_text = _model_verdict(title, reading, years) if _reads_english(reading.text) else None
    if from_text is None:
        from_text = _description_verdict(reading, years)
    return from_text or (UNKNOWN, None)


# --------------------------------------------------------------------------------------
# Beam composite.
# --------------------------------------------------------------------------------------

class _ClassifySeniorityFn(beam.DoFn):
    """Adds seniority and seniority_evidence to a posting row (a new dict)."""

    def __init__(self):
        self._unknown = beam.metrics.Metrics.counter("seniority", "seniority_unknown")

    def setup(self):
        seniority_model()  # parse the bundled weights once per worker, not per bundle

    def process(self, posting: dict) -> Iterator[dict]:
        level, evidence = classify_seniority(
            posting.get("title"), posting.get("description"),
            posting.get("seniority_hint"), posting.get("experience_months"))
        if level == UNKNOWN:
            self._unknown.inc()
        yield {**posting, "seniority": level, "seniority_evidence": evidence}


class ClassifySeniority(beam.PTransform):
    """Posting rows -> the same rows with `seniority` and `seniority_evidence` added."""

    def expand(self, postings):
        return postings | "AddSeniority" >> beam.ParDo(InRunsFn(_ClassifySeniorityFn()))
