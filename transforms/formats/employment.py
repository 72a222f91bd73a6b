"""Employment type: raw labels from any source mapped to the contract's values.

Used by transforms.parse.to_posting. "Full-time", "full_time", "Permanent", "CDI", "Heltid" ->
FULL_TIME; "CDD", "Fixed-term" -> TEMPORARY; "Contract", "Freelance" -> CONTRACTOR; ...
"""
from __future__ import annotations

import functools
import re
from typing import Iterable, Optional, Union

# Most specific first: "Full-time, Contract" is a contract, "Part-time, Temporary" a temp job.
_RULES = (
    ("INTERN", re.compile(
        r"\bintern(?:ship)?s?\b|\bstage\b|\bstagiaire\b|\bpraktik\w*|\bpraktikum\b|"
        r"\bwerkstudent\w*|\btrainee\s*ship\b|\bco-?op\b", re.I)),
    ("CONTRACTOR", re.compile(
        r"\bcontract(?:or|ors|ing)?\b|\bfreelan\w*|\bconsultan\w*|\bc2c\b|\bcorp[\s-]to[\s-]corp\b|"
        r"\b1099\b|\bindependent\b|\bindépendant\b|\bkonsult\w*|\bfrilans\w*", re.I)),
    ("TEMPORARY", re.compile(
        r"\btemp(?:orary|oraire)?\b|\bseasonal\b|\bsaisonnier\b|\bfixed[\s-]?term\b|\bcdd\b|"
        r"\bint[ée]rim\w*|\bvikari\w*|\bvisstid\w*|\bbehovsanst\w*|\btidsbegr\w*|\bsommarjobb\w*|"
        r"\bbefristet\b|\blimited[\s-]term\b|\bterm\b|\blocum\b|\bper[\s-]diem\b|\bcasual\b|"
        r"\bnte\b|\bnot[\s-]to[\s-]exceed\b", re.I)),
    ("PART_TIME", re.compile(
        r"\bpart[\s_-]?time\b|\bdeltid\w*|\btemps\s+partiel\b|\bteilzeit\b|\bhalf[\s-]time\b|"
        r"\bmi-temps\b", re.I)),
    ("FULL_TIME", re.compile(
        r"\bfull[\s_-]?time\b|\bpermanent\b|\bcdi\b|\bregular\b|\bheltid\w*|\btillsvidare\w*|"
        r"\bvanlig\s+anställning\b|\bfast\s+anställning\b|\btemps\s+(?:plein|complet)\b|"
        r"\bvollzeit\b|\bunbefristet\b|\bsalaried\b", re.I)),
    ("OTHER", re.compile(
        r"\bvolunteer\w*|\bbénévol\w*|\bother\b|\bapprentice\w*|\balternance\b|\bcommission\b|"
        r"\bideell\w*", re.I)),
)
_ORDER = {employment_type: rank for rank, (employment_type, _) in enumerate(_RULES)}
_EXACT = {
    "FULL_TIME": "FULL_TIME", "PART_TIME": "PART_TIME", "CONTRACTOR": "CONTRACTOR",
    "TEMPORARY": "TEMPORARY", "INTERN": "INTERN", "OTHER": "OTHER", "FULLTIME": "FULL_TIME",
    "PARTTIME": "PART_TIME", "CONTRACT": "CONTRACTOR", "INTERNSHIP": "INTERN",
    "PER_DIEM": "TEMPORARY", "VOLUNTEER": "OTHER",
}


def _labels(raw: Union[str, Iterable, None]) -> list[str]:
    if raw is None or isinstance(raw, bool):
        return []
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, dict):
        return [value for value in raw.values() if isinstance(value, str)]
    if isinstance(raw, (list, tuple)):
        labels: list[str] = []
        for part in raw:
            labels.extend(_labels(part))
        return labels
    return []


def map_employment_type(raw: Union[str, Iterable, None]) -> Optional[str]:
    """FULL_TIME, PART_TIME, CONTRACTOR, TEMPORARY, INTERN, OTHER, or None when unknown.

    Accepts one label or several (schema.org employmentType lists, Platsbanken's
    employment form plus working time): the most specific type among them wins.
    """
    best: Optional[str] = None
    for label in _labels(raw):
        # Labels repeat across a feed; the cache holds only short ones.
        found = _label_type(label) if len(label) <= 400 else _label_type.__wrapped__(label)
        if found is not None and (best is None or _ORDER[found] < _ORDER[best]):
            best = found
    return best


@functools.lru_cache(maxsize=1024)
def _label_type(label: str) -> Optional[str]:
    """The employment type one label names, or None."""
    text = label.strip()
    if not text or len(text) > 300:
        return None
    found = _EXACT.get(text.upper().replace("-", "_").replace(" ", "_"))
    if found is None:
        found = next((kind for kind, pattern in _RULES if pattern.search(text)), None)
    return found
