"""Duplicate removal: collapses reposts of one job (same id, same URL, same company + title +
place within a date window, or near-identical text) into one posting with duplicate_count.
Sits after skill extraction and before aggregation and the postings writer.

How it scales: each posting becomes a small signature (member key, normalized keys, MinHash);
signatures are grouped by blocking keys (posting id, URL, company|title|place, MinHash LSH bands)
and clustered inside each block, so nothing is compared all-pairs. The block entries cross the
shuffle in batches, per group of blocks (BLOCK_SHARDS groups), not one element per entry. A
posting can sit in clusters of several blocks (A~B by URL, B~C by text): the (member, root) links
of every cluster go into one combined union-find whose root is always the smallest member, so
each connected cluster keeps one record. Only ids and signatures go through those shuffles.
The decisions are then split by a hash of the record (DECISION_GROUPS groups), and the rows
(slimmed, in compressed batches keyed the same way) meet them in one GroupByKey: each worker
holds one group's rows and decisions at a time, never every decision of the run.

Which record is kept: the earliest posted_date (undated last), then the lowest posting_id, then
source_uri and source_record: that tuple is the `MemberKey`, and the minimum of a cluster wins.
"""
from __future__ import annotations

import datetime as dt
import functools
import pickle
import re
import sys
import unicodedata
import zlib
from collections import defaultdict
from typing import Iterable, NamedTuple, Optional
from urllib.parse import parse_qsl, urlencode, urlsplit

import apache_beam as beam
import numpy as np
from apache_beam.metrics import Metrics
from apache_beam.transforms.window import GlobalWindows

from transforms.batching import BatchInBundleFn, KeyedBatches, pack, unpack, unpack_all
from transforms.runs import InRunsFn

POSTINGS_TAG = "postings"
DUPLICATES_TAG = "duplicates"

# Rules, strongest first; a removed posting reports the strongest rule that tied it to its cluster.
RULES = ("exact_id", "exact_url", "same_job", "near_text")

# A repost appears within days on other boards; the same role advertised again months later
# is new demand, so both same_job and near_text only merge postings this close in date.
# Undated postings are compatible with any date.
DATE_WINDOW_DAYS = 30

# Shingles: word 3-grams of title + description. Small k keeps one edited word from breaking
# many shingles (a board's rewording of a sentence still leaves most 3-grams intact).
SHINGLE_WORDS = 3
MAX_SHINGLE_WORDS = 500  # bounds CPU on very long texts; reposts already differ by then
MIN_SHINGLES = 20  # shorter texts say too little to call two postings the same by text alone
NUM_PERM = 64
# A slot keeps the top 16 bits of its minimum (b-bit MinHash): two different minima agree by
# chance once in 65,536, which moves an estimated Jaccard by less than 0.0001, and the
# signature is 128 bytes instead of 256 (it travels in twelve block entries per posting).
SLOT_DTYPE = np.uint16
# LSH: two postings are compared when all LSH_ROWS slots of one band agree, which happens with
# probability P(J) = 1 - (1 - J^5)^12 for texts of Jaccard J (60 of the 64 slots band; all 64
# estimate J): P(0.9) = 0.99998, P(0.85) = 0.9991, P(0.8) = 0.9915, P(0.5) = 0.32, P(0.3) = 0.03.
# Sixteen bands of four reached 0.9998 at 0.8 but sent every posting through four more block
# entries and made pairs at J = 0.5 candidates two times in three.
LSH_BANDS = 12
LSH_ROWS = 5
BAND_BYTES = LSH_ROWS * np.dtype(SLOT_DTYPE).itemsize
# near_text: estimated Jaccard >= NEAR_TEXT_THRESHOLD with the same normalized title, or
# >= NEAR_TEXT_RETITLED_THRESHOLD when the titles differ but share half their words; company,
# place, seniority and date must not disagree. Measured on USAJOBS 2021 (one employer's
# templated texts): of 4606 same-agency pairs with different titles, 9 reach 0.8 and 6 reach
# 0.9, most of them other grades of one series ("Lead Clinical Laboratory Scientist"), which
# the title and seniority checks keep apart. The whole stage on USAJOBS 2021 + Place de
# l'emploi public (1367 records) keeps 1151: 40 exact_id, 165 same_job, 11 near_text removed.
NEAR_TEXT_THRESHOLD = 0.8
NEAR_TEXT_RETITLED_THRESHOLD = 0.9
TITLE_OVERLAP = 0.5
MINHASH_SEED = 20251125

# Hot blocks: a URL shared by this many records is a landing page, not one job; an LSH bucket
# this large (boilerplate-only texts) is compared within a sliding window instead of all pairs.
MAX_URL_BLOCK = 1000
MAX_PAIRWISE_BLOCK = 200
NEIGHBOR_WINDOW = 20
# A near_text block checks up to this many candidate pairs one by one, where setting up arrays
# would cost more; beyond, as arrays (35 copies of one text in a block make 595 pairs).
FEW_PAIRS = 24

_GRAM_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit constant: mixes word order into the gram
_WORD_BASE = 0x100000001B3  # odd 64-bit multiplier (FNV's prime) of the word hash
_WORD_BASE_INVERSE = pow(_WORD_BASE, -1, 1 << 64)  # odd, so it has one mod 2^64
_WORD_TABLE_LENGTH = 1 << 14  # powers of it kept: the head of MAX_SHINGLE_WORDS words fits
_HEAD_CHARS_PER_WORD = 8  # a head this long holds MAX_SHINGLE_WORDS words in most texts
_BYTE_FOLD = bytes(  # ASCII letters lower-cased, digits and non-ASCII bytes kept, the rest spaces
    (byte | 0x20) if chr(byte).isalpha() else byte if chr(byte).isdigit() else 0x20
    for byte in range(128)) + bytes(range(128, 256))
_ASCII_BYTES = bytes(range(128))
_UNDATED_ORDINAL = dt.date.max.toordinal() + 1

_LEGAL_SUFFIXES = frozenset({
    "inc", "incorporated", "llc", "ltd", "limited", "corp", "corporation", "co", "company",
    "plc", "gmbh", "ag", "sa", "sas", "sarl", "bv", "nv", "ab", "oy", "aps", "spa", "srl",
    "pty", "pte", "kk", "lp", "llp", "se", "group",
})
_TITLE_ABBREVIATIONS = {
    "sr": "senior", "snr": "senior", "jr": "junior", "mgr": "manager", "engr": "engineer",
    "eng": "engineer", "dev": "developer", "mgmt": "management", "asst": "assistant",
}
# Words boards add to a title that do not change the job: work arrangement and gender tags.
_TITLE_NOISE = frozenset({"remote", "hybrid", "onsite", "m", "w", "d", "f", "h", "x", "all", "genders"})
_GENDER_TAG = re.compile(r"\((?:\s*[mwfhdx]\s*/)+\s*[mwfhdx]\s*\)|\b(?:[mwfhdx]/)+[mwfhdx]\b", re.I)
_NON_WORD = re.compile(r"[\W_]+")
_COMBINING_MARKS = re.compile("[\u0300-\u036f]+")
_TRACKING_PARAMS = re.compile(
    r"^(?:utm_.*|ref|refid|src|source|gclid|fbclid|trk|trackingid|tracking_id|from|sid|cmp"
    r"|campaign|gh_src|lever-origin|lever-source)$",
    re.I,
)


class MemberKey(NamedTuple):
    """Identity of one input record, ordered so the record to keep sorts first."""

    date_ordinal: int
    posting_id: str
    source_uri: str
    source_record: int


_POSTING_ID = MemberKey._fields.index("posting_id")  # of a member as a plain tuple


class DedupeSignature(NamedTuple):
    """What the blocking shuffles carry for one posting instead of the whole row."""

    member: MemberKey
    url_key: Optional[str]
    company_key: str
    title_key: str
    place: tuple  # (country_code, admin1_code, city), None where unknown
    place_key: str
    seniority: str
    minhash: Optional[bytes]  # NUM_PERM uint16 slots, None for too-short texts


def fold_text(text: Optional[str]) -> str:
    """Lower-case words, Latin accents stripped, punctuation to single spaces; other scripts
    (Arabic, CJK) keep their letters so their postings still have keys."""
    if not text:
        return ""
    if not text.isascii():
        text = _COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", text))
    return _NON_WORD.sub(" ", text.casefold()).strip()


@functools.lru_cache(maxsize=65536)  # employers and titles repeat across postings
def normalize_company(company: Optional[str]) -> str:
    """'Spotify AB' and 'spotify' compare equal: trailing legal forms are dropped, and
    dotted initials close up ('U.S. Army' = 'US Army')."""
    words = fold_text((company or "").replace(".", "")).split()
    while len(words) > 1 and words[-1] in _LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


@functools.lru_cache(maxsize=65536)
def normalize_title(title: Optional[str]) -> str:
    """'Sr. Data Engineer (m/w/d) - Remote' and 'Senior Data Engineer' compare equal."""
    words = fold_text(_GENDER_TAG.sub(" ", title or "")).split()
    expanded = (_TITLE_ABBREVIATIONS.get(word, word) for word in words)
    return " ".join(word for word in expanded if word not in _TITLE_NOISE)


def primary_place(posting: dict) -> tuple:
    """(country_code, admin1_code, city) of the posting's primary location."""
    return (posting.get("country_code"), posting.get("admin1_code"), posting.get("city"))


def place_key(posting: dict) -> str:
    """The resolved place when there is one, else the raw location text folded."""
    place = primary_place(posting)
    if any(place):
        return "|".join(part or "" for part in place)
    return fold_text(posting.get("location_raw"))


def places_compatible(left: tuple, right: tuple) -> bool:
    """Each of country, admin1, city equal or unknown on one side: 'London' vs 'UK' agree,
    London vs Manchester do not (the same text posted for two cities is two openings)."""
    return all(a is None or b is None or a == b for a, b in zip(left, right))


@functools.lru_cache(maxsize=16384)  # a record read twice, a job refreshed on its board
def normalize_url(url: Optional[str]) -> Optional[str]:
    """Host + path + non-tracking query, scheme and 'www.' dropped; None for a site root,
    which identifies a careers page rather than one job."""
    if not url or not url.strip():
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    path = parts.path.rstrip("/")
    if not host or not path:
        return None
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if not _TRACKING_PARAMS.match(k))
    return f"{host}{path}" + (f"?{urlencode(query)}" if query else "")


def member_key(posting: dict) -> MemberKey:
    posted = posting.get("posted_date")
    return MemberKey(
        posted.toordinal() if posted else _UNDATED_ORDINAL,
        posting["posting_id"],
        # One string object per file: a packed batch then holds each path once.
        sys.intern(posting.get("source_uri") or ""),
        posting.get("source_record") or 0,
    )


@functools.lru_cache(maxsize=4096)
def _fold_char(char: str) -> Optional[bytes]:
    """One non-ASCII character folded as fold_text folds it, a separator kept as a space
    ("’" -> b" ", "É" -> b"e", "ß" -> b"ss"); None if the result would fold any further."""
    folded = _NON_WORD.sub(" ", _COMBINING_MARKS.sub(
        "", unicodedata.normalize("NFKD", char)).casefold())
    if any(not part.isascii() and part != char and _fold_char(part) != part.encode(
            "utf-8", "surrogatepass") for part in folded):
        return None
    return folded.encode("utf-8", "surrogatepass")


def _folded_bytes(text: str) -> bytes:
    """fold_text(text), UTF-8 encoded, up to where the spaces fall, without a regex pass over
    every separator: one bytes.translate lower-cases ASCII letters and turns the other ASCII
    characters into spaces, then each distinct non-ASCII character is replaced by its fold
    (fold_text works character by character)."""
    folded = text.encode("utf-8", "surrogatepass").translate(_BYTE_FOLD)
    if text.isascii():
        return folded
    others = folded.translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass")
    for char in set(others):
        replacement = _fold_char(char)
        if replacement is None:
            return fold_text(text).encode("utf-8", "surrogatepass")
        folded = folded.replace(char.encode("utf-8", "surrogatepass"), replacement)
    return folded


def _framed_words(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """fold_text(text) as UTF-8 byte codes framed by one space on each side (after folding, a
    space is the only separator), and where its words lie: word k is codes[starts[k] + 1:
    ends[k] + 1], so starts[k] is the space before it and ends[k] its last byte."""
    codes = np.frombuffer(b" " + _folded_bytes(text) + b" ", np.uint8)
    in_word = codes != 32
    edges = np.flatnonzero(in_word[1:] != in_word[:-1])
    return codes, edges[0::2], edges[1::2]


def _leading_word_spans(text: str, limit: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """_framed_words of the first `limit` words. Only the head of a long text is folded: when
    the head holds more than `limit` words, a word it cuts comes after them."""
    head = text[:limit * _HEAD_CHARS_PER_WORD]
    codes, starts, ends = _framed_words(head)
    if len(starts) <= limit and len(head) < len(text):
        codes, starts, ends = _framed_words(text)
    return codes, starts[:limit], ends[:limit]


def leading_words(text: str, limit: int = MAX_SHINGLE_WORDS) -> list:
    """The first `limit` words of fold_text(text), UTF-8 encoded: the words word_hashes
    hashes, as bytes objects (to read them; the job itself never builds them)."""
    codes, starts, ends = _leading_word_spans(text, limit)
    framed = codes.tobytes()
    return [framed[start + 1:end + 1] for start, end in zip(starts.tolist(), ends.tolist())]


def _power_table(base: int, length: int) -> np.ndarray:
    """base**k mod 2^64 for k < length (uint64 products wrap around without warnings)."""
    table = np.full(length, base, dtype=np.uint64)
    table[0] = 1
    return np.multiply.accumulate(table)


_POWERS = _power_table(_WORD_BASE, _WORD_TABLE_LENGTH)
_INVERSE_POWERS = _power_table(_WORD_BASE_INVERSE, _WORD_TABLE_LENGTH)


def word_hashes(text: str, limit: int = MAX_SHINGLE_WORDS) -> np.ndarray:
    """Stable 64-bit hashes of the first `limit` words of fold_text(text), all at once: the
    polynomial hash sum(byte_j * B**j) mod 2^64 of each word, read off one running sum over
    the text's codes (the span's difference, shifted back to the word's start by the inverse
    of B**start: B is odd, so it has one). A tenth of hashing each word's bytes object."""
    codes, starts, ends = _leading_word_spans(text, limit)
    if not len(starts):
        return np.zeros(0, dtype=np.uint64)
    used = int(ends[-1]) + 1
    if used <= _WORD_TABLE_LENGTH:
        powers, inverse_powers = _POWERS, _INVERSE_POWERS
    else:  # a head past the tables (long runs of punctuation): tables for this text only
        powers = _power_table(_WORD_BASE, used)
        inverse_powers = _power_table(_WORD_BASE_INVERSE, used)
    running = np.cumsum(codes[:used] * powers[:used])
    return (running[ends] - running[starts]) * inverse_powers[starts + 1]


def shingles(text: str, words_per_shingle: int = SHINGLE_WORDS) -> np.ndarray:
    """Distinct word k-grams of folded text as stable 64-bit hashes: each word is hashed once
    (word_hashes, not the per-process hash()) and k neighbours are mixed with numpy, which
    costs a tenth of hashing every k-gram string. Only the first MAX_SHINGLE_WORDS words count."""
    hashes = word_hashes(text)
    if len(hashes) < words_per_shingle:
        return np.zeros(0, dtype=np.uint64)
    count = len(hashes) - words_per_shingle + 1
    gram_hashes = hashes[:count].copy()
    for offset in range(1, words_per_shingle):  # uint64 arrays wrap around without warnings
        gram_hashes *= _GRAM_MIX
        gram_hashes += hashes[offset:offset + count]
    gram_hashes.sort()  # np.unique, five times faster on a few hundred values
    distinct = np.empty(count, dtype=bool)
    distinct[0] = True
    np.not_equal(gram_hashes[1:], gram_hashes[:-1], out=distinct[1:])
    return gram_hashes[distinct]


class MinHasher:
    """MinHash with NUM_PERM multiply-shift permutations (a*x mod 2^32) >> 16, a odd, of the
    top 32 bits of each shingle hash.

    The shingle hashes are already well mixed, so multiplying by an odd constant (a
    permutation of the 32-bit keys) is as good a MinHash as (a*x + b) mod 2^64 was: on 3,000
    word-replaced text pairs both estimated the Jaccard with the same error (RMSE 0.052,
    bias +0.003), and 32-bit products cost half as much. Built once per worker (numpy
    parameters); signatures are bytes so they pickle small."""

    def __init__(self, num_perm: int = NUM_PERM, seed: int = MINHASH_SEED):
        rng = np.random.default_rng(seed)
        self._a = (rng.integers(1, 2**32, size=num_perm, dtype=np.uint64).astype(np.uint32)
                   | np.uint32(1))

    def signature(self, shingle_hashes: np.ndarray) -> Optional[bytes]:
        if len(shingle_hashes) < MIN_SHINGLES:
            return None
        keys = (shingle_hashes >> np.uint64(32)).astype(np.uint32)
        # uint32 products wrap: that is the mod 2^32. The shift commutes with the minimum
        # (both are monotonic), so it runs on NUM_PERM values instead of the whole table,
        # whose rows (one per permutation) are reduced along contiguous memory.
        hashed = np.multiply.outer(self._a, keys)
        return (hashed.min(axis=1) >> np.uint32(16)).astype(SLOT_DTYPE).tobytes()


def candidate_probability(jaccard: float, bands: int = LSH_BANDS, rows: int = LSH_ROWS) -> float:
    """Chance that two texts of this shingle Jaccard share at least one LSH band."""
    return 1.0 - (1.0 - jaccard ** rows) ** bands


def estimated_jaccard(left: bytes, right: bytes) -> float:
    """Share of equal MinHash slots: an unbiased estimate of the shingle sets' Jaccard."""
    equal = np.frombuffer(left, SLOT_DTYPE) == np.frombuffer(right, SLOT_DTYPE)
    return int(np.count_nonzero(equal)) / len(equal)


def make_signature(posting: dict, hasher: MinHasher) -> DedupeSignature:
    text = f"{posting.get('title') or ''} {posting.get('description') or ''}"
    return DedupeSignature(
        member=member_key(posting),
        url_key=normalize_url(posting.get("url")),
        company_key=normalize_company(posting.get("company")),
        title_key=normalize_title(posting.get("title")),
        place=primary_place(posting),
        place_key=place_key(posting),
        seniority=posting.get("seniority") or "unknown",
        minhash=hasher.signature(shingles(text)),
    )


def exact_keys(signature: DedupeSignature) -> list[tuple[str, str]]:
    """(rule, block key) pairs of the exact rules: postings sharing a key are compared.

    same_job needs a company: a title alone ('Software Engineer') matches across employers."""
    keys = [("exact_id", signature.member.posting_id)]
    if signature.url_key:
        keys.append(("exact_url", signature.url_key))
    if signature.company_key and signature.title_key:
        keys.append(("same_job",
                     f"{signature.company_key}|{signature.title_key}|{signature.place_key}"))
    return keys


_BAND_NUMBERS = [bytes((band,)) for band in range(LSH_BANDS)]


def band_keys(minhash: bytes) -> list[bytes]:
    """The near_text block keys of a MinHash signature, one per LSH band: the band number
    (one byte), then the band's LSH_ROWS slots. Postings sharing one are compared by text."""
    return [number + minhash[band * BAND_BYTES:(band + 1) * BAND_BYTES]
            for band, number in enumerate(_BAND_NUMBERS)]


def blocking_keys(signature: DedupeSignature) -> list[tuple[str, str]]:
    """(rule, block key) pairs, band keys spelled "band:slots in hex": postings sharing a key
    are compared, nothing else is."""
    keys = exact_keys(signature)
    if signature.minhash is not None:
        keys += [("near_text", f"{key[0]}:{key[1:].hex()}") for key in band_keys(signature.minhash)]
    return keys


class _ClusterForest:
    """Union-find over MemberKeys where the smaller key always becomes the root, so the
    root of every cluster is the record to keep, whatever the union order."""

    def __init__(self):
        self._parent: dict = {}

    def find(self, member):
        root = self._parent.setdefault(member, member)
        while self._parent[root] != root:
            root = self._parent[root]
        while member != root:  # path compression, without recursion on long chains
            self._parent[member], member = root, self._parent[member]
        return root

    def union(self, left, right) -> None:
        left_root, right_root = self.find(left), self.find(right)
        if left_root < right_root:
            self._parent[right_root] = left_root
        elif right_root < left_root:
            self._parent[left_root] = right_root

    def members(self):
        return list(self._parent)


def dates_within(left: MemberKey, right: MemberKey, window_days: int) -> bool:
    if _UNDATED_ORDINAL in (left.date_ordinal, right.date_ordinal):
        return True
    return abs(left.date_ordinal - right.date_ordinal) <= window_days


def companies_compatible(left: str, right: str) -> bool:
    """Unknown on one side, or one name's words inside the other's ('spotify' and
    'spotify technology' agree; 'acme' and 'globex' do not)."""
    if not left or not right:
        return True
    left_words, right_words = set(left.split()), set(right.split())
    return left_words <= right_words or right_words <= left_words


def seniorities_compatible(left: str, right: str) -> bool:
    """An unknown level agrees with any; known levels must be equal."""
    return "unknown" in (left, right) or left == right


def title_overlap(left: str, right: str) -> float:
    left_words, right_words = set(left.split()), set(right.split())
    if not left_words or not right_words:
        return 0.0
    return len(left_words & right_words) / len(left_words | right_words)


def is_near_text_duplicate(left: DedupeSignature, right: DedupeSignature,
                           threshold: float = NEAR_TEXT_THRESHOLD,
                           window_days: int = DATE_WINDOW_DAYS) -> bool:
    """Same text, and nothing that says otherwise: title, company, place, seniority and
    date must agree. A retitled repost needs a higher text similarity."""
    if left.minhash is None or right.minhash is None:
        return False
    return texts_agree(left, right, estimated_jaccard(left.minhash, right.minhash),
                       threshold, window_days)


def texts_agree(left: DedupeSignature, right: DedupeSignature, jaccard: float,
                threshold: float, window_days: int) -> bool:
    """is_near_text_duplicate once the estimated Jaccard is known."""
    if left.title_key == right.title_key:
        needed = threshold
    elif title_overlap(left.title_key, right.title_key) >= TITLE_OVERLAP:
        needed = max(threshold, NEAR_TEXT_RETITLED_THRESHOLD)
    else:
        return False
    if jaccard < needed:
        return False
    return (seniorities_compatible(left.seniority, right.seniority)
            and companies_compatible(left.company_key, right.company_key)
            and places_compatible(left.place, right.place)
            and dates_within(left.member, right.member, window_days))


def _same_job_edges(ordered: list[DedupeSignature], window_days: int):
    """Reposts chain in date order: a gap longer than the window starts a new opening.
    Undated records join the earliest opening (never bridge two of them)."""
    dated = [s for s in ordered if s.member.date_ordinal != _UNDATED_ORDINAL]
    undated = [s for s in ordered if s.member.date_ordinal == _UNDATED_ORDINAL]
    for previous, current in zip(dated, dated[1:]):
        if current.member.date_ordinal - previous.member.date_ordinal <= window_days:
            yield previous.member, current.member
    anchor = ordered[0].member
    for signature in undated:
        yield anchor, signature.member


def share_earlier_band(left: bytes, right: bytes, band: int) -> bool:
    """Whether two MinHash signatures agree on a whole LSH band before `band`: such a pair
    is compared in that band's block, so the later blocks it shares need not compare it."""
    width = BAND_BYTES
    return any(left[start:start + width] == right[start:start + width]
               for start in range(0, band * width, width))


def all_share_earlier_band(minhashes: list, band: Optional[int]) -> bool:
    """Whether every pair of these signatures shares one band before `band` (copies of one
    text do): that band's block compares them all, so this block has nothing to do."""
    return bool(band) and any(
        len({minhash[start:start + BAND_BYTES] for minhash in minhashes}) == 1
        for start in range(0, band * BAND_BYTES, BAND_BYTES))


def _near_text_links(ordered: list[DedupeSignature], threshold: float, window_days: int,
                     linked: Optional["_ClusterForest"], band: Optional[int]) -> list:
    """cluster_block for a near_text block. The pair checks of texts_agree run on arrays of
    candidate pairs, each value comparison once per distinct pair of values (the copies of
    one text share a block, and differ in few companies, titles and places)."""
    if all_share_earlier_band([s.minhash for s in ordered], band):
        return []
    if linked is not None and len({linked.find(s.member) for s in ordered}) == 1:
        return []  # already one cluster
    left, right, jaccard = _text_candidates([s.minhash for s in ordered], threshold, band)
    if len(left) <= FEW_PAIRS:
        links = _forest_links(
            (ordered[i].member, ordered[j].member)
            for i, j, pair_jaccard in zip(left.tolist(), right.tolist(), jaccard.tolist())
            if texts_agree(ordered[i], ordered[j], pair_jaccard, threshold, window_days))
    else:
        agree = _texts_agree_pairwise(ordered, left, right, jaccard, threshold, window_days)
        labels = _smallest_connected(len(ordered), left[agree], right[agree])
        in_cluster = np.bincount(labels)[labels] > 1
        links = [(ordered[member].member, ordered[root].member)
                 for member, root in enumerate(labels.tolist()) if in_cluster[member]]
    if linked is not None:
        for member, root in links:
            linked.union(member, root)
    return links


@functools.lru_cache(maxsize=64)
def _all_pairs(count: int) -> tuple[np.ndarray, np.ndarray]:
    left, right = np.triu_indices(count, k=1)
    left.flags.writeable = right.flags.writeable = False  # shared by every block this size
    return left, right


def _neighbor_pairs(count: int) -> tuple[np.ndarray, np.ndarray]:
    """Each member with its NEIGHBOR_WINDOW next ones in member order."""
    offsets = np.arange(1, min(NEIGHBOR_WINDOW, count - 1) + 1)
    left = np.concatenate([np.arange(count - offset) for offset in offsets.tolist()])
    return left, left + np.repeat(offsets, count - offsets)


def _text_candidates(minhashes: list, threshold: float, band: Optional[int]):
    """(left, right, estimated Jaccard) arrays of the pairs of a near_text block worth
    checking: similar enough, and sharing no earlier band (that band's block compares them).
    A block too big for all pairs (boilerplate texts) compares each member with its
    NEIGHBOR_WINDOW next ones in member order."""
    count = len(minhashes)
    left, right = _all_pairs(count) if count <= MAX_PAIRWISE_BLOCK else _neighbor_pairs(count)
    if not band and len(set(minhashes)) == 1:
        return left, right, np.ones(len(left))  # copies of one text: every slot agrees
    slots = np.frombuffer(b"".join(minhashes), SLOT_DTYPE).reshape(count, -1)
    equal = slots[left] == slots[right]  # (pairs, slots)
    jaccard = equal.sum(axis=1) / slots.shape[1]
    keep = jaccard >= threshold
    if band:
        earlier = equal[:, :band * LSH_ROWS].reshape(len(equal), band, LSH_ROWS)
        keep &= ~earlier.all(axis=2).any(axis=1)
    return left[keep], right[keep], jaccard[keep]


_NEVER = 2.0  # a needed Jaccard no pair reaches


def _texts_agree_pairwise(ordered: list[DedupeSignature], left: np.ndarray, right: np.ndarray,
                          jaccard: np.ndarray, threshold: float, window_days: int) -> np.ndarray:
    """texts_agree for each candidate pair (ordered[left[p]], ordered[right[p]])."""
    titles = [s.title_key for s in ordered]
    title_codes, distinct_titles = _value_codes(titles)
    if len(distinct_titles) == 1:
        agree = jaccard >= threshold
    else:
        same_title = title_codes[left] == title_codes[right]
        retitled = _pairwise(titles, left, right, ~same_title,
                             lambda a, b: title_overlap(a, b) >= TITLE_OVERLAP)
        agree = jaccard >= np.where(same_title, threshold, np.where(
            retitled, max(threshold, NEAR_TEXT_RETITLED_THRESHOLD), _NEVER))
    dated = [s.member.date_ordinal for s in ordered if s.member.date_ordinal != _UNDATED_ORDINAL]
    if dated and max(dated) - min(dated) > window_days:
        dates = np.array([s.member.date_ordinal for s in ordered])
        left_dates, right_dates = dates[left], dates[right]
        agree &= ((np.abs(left_dates - right_dates) <= window_days)
                  | (left_dates == _UNDATED_ORDINAL) | (right_dates == _UNDATED_ORDINAL))
    for values, compatible, table_of in (
            ([s.seniority for s in ordered], seniorities_compatible, None),
            ([s.place for s in ordered], places_compatible, None),
            ([s.company_key for s in ordered], companies_compatible, _companies_table)):
        agree &= _pairwise(values, left, right, agree, compatible, table_of)
    return agree


def _value_codes(values: list) -> tuple[np.ndarray, list]:
    """values as indexes into the list of their distinct values, and that list."""
    first: dict = {}
    codes = [first.setdefault(value, len(first)) for value in values]
    return np.array(codes), list(first)


def _pairwise(values: list, left: np.ndarray, right: np.ndarray, pending: np.ndarray,
              compatible, table_of=None) -> np.ndarray:
    """compatible(values[left[p]], values[right[p]]) for the pending pairs, evaluated once
    per distinct pair of values (or for all of them at once by table_of(distinct values),
    when given and small enough); True for the other pairs and for equal values."""
    codes, distinct = _value_codes(values)
    if len(distinct) == 1:
        return np.ones(len(left), bool)
    left_codes, right_codes = codes[left], codes[right]
    pending = pending & (left_codes != right_codes)
    if not pending.any():
        return np.ones(len(left), bool)
    table = table_of(distinct) if table_of else None
    if table is not None:
        return table[left_codes, right_codes]
    width = len(distinct)
    value_pairs, pair_of = np.unique(left_codes[pending] * width + right_codes[pending],
                                     return_inverse=True)
    verdicts = np.array([compatible(distinct[pair // width], distinct[pair % width])
                         for pair in value_pairs.tolist()], bool)
    result = np.ones(len(left), bool)
    result[pending] = verdicts[pair_of]
    return result


_MAX_TABLE_CELLS = 1 << 22  # bounds the companies x companies x word bitmaps array


def _companies_table(companies: list) -> Optional[np.ndarray]:
    """companies_compatible for every pair of these distinct company keys, from one bitmap of
    words per company (a block can hold one text reposted by dozens of employers); None when
    the pairs' array would be too big."""
    vocabulary: dict = {}
    bitmaps = []
    for company in companies:
        bitmap = 0
        for word in company.split():
            bitmap |= 1 << vocabulary.setdefault(word, len(vocabulary))
        bitmaps.append(bitmap)
    width = len(vocabulary) // 64 + 1  # 64-bit words per bitmap
    if len(companies) ** 2 * width > _MAX_TABLE_CELLS:
        return None
    words = np.frombuffer(b"".join(bitmap.to_bytes(width * 8, "little") for bitmap in bitmaps),
                          "<u8").reshape(len(companies), width)
    has_other_word = (words[:, None, :] & ~words[None, :, :]).any(axis=2)  # [a, b]: a ⊄ b
    return ~has_other_word | ~has_other_word.T


def _smallest_connected(count: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """For each of `count` nodes linked by the edges (left[e], right[e]), the smallest node
    of its connected component: labels only decrease, a label is always a node of the same
    component, and labels[labels] jumps along chains."""
    labels = np.arange(count)
    while True:
        lower = np.minimum(labels[left], labels[right])
        updated = labels.copy()
        np.minimum.at(updated, left, lower)
        np.minimum.at(updated, right, lower)
        updated = updated[updated]
        if np.array_equal(updated, labels):
            return labels
        labels = updated


def cluster_block(rule: str, signatures: Iterable[DedupeSignature],
                  window_days: int = DATE_WINDOW_DAYS,
                  threshold: float = NEAR_TEXT_THRESHOLD,
                  linked: Optional["_ClusterForest"] = None,
                  band: Optional[int] = None) -> list[tuple[MemberKey, MemberKey]]:
    """Decide one block: (member, root) for every member of a cluster of two or more records,
    root included (mapped to itself). Root = smallest MemberKey: earliest posted, lowest id.

    A record listed twice in a block (same file read twice) counts once. `linked`, when
    given, holds the clusters other blocks already found: a near_text block whose members
    are all in one of them is not compared again (a repost shares most of its twelve LSH
    bands), and the clusters this block finds are added to it. `band`, for a near_text block,
    skips the pairs that share an earlier band: each pair of similar texts is compared once,
    not in each band it shares (in a block too big for all pairs, the neighbour window of the
    earlier band decides)."""
    ordered = sorted({s.member: s for s in signatures}.values(), key=lambda s: s.member)
    if len(ordered) < 2:
        return []
    if rule == "near_text":
        return _near_text_links(ordered, threshold, window_days, linked, band)
    if rule == "exact_id" or (rule == "exact_url" and len(ordered) <= MAX_URL_BLOCK):
        return _forest_links((ordered[0].member, s.member) for s in ordered[1:])
    if rule == "same_job":
        return _forest_links(_same_job_edges(ordered, window_days))
    return []


def _forest_links(edges: Iterable[tuple]) -> list[tuple[MemberKey, MemberKey]]:
    """(member, root) for every member the edges touch, sorted; root = smallest member."""
    forest = _ClusterForest()
    for left, right in edges:
        forest.union(left, right)
    return sorted((member, forest.find(member)) for member in forest.members())


def duplicate_record(member: tuple, kept: tuple, rule: str) -> dict:
    return {"posting_id": member[_POSTING_ID], "kept_id": kept[_POSTING_ID],
            "rule": rule}


def kept_posting(posting: dict, collapsed_ids: Iterable[str]) -> dict:
    """A new row for the kept record: duplicate_count counts every record collapsed into it."""
    ids = sorted(collapsed_ids)
    return {**posting, "duplicate_count": 1 + len(ids), "duplicate_ids": ids}


class DuplicateDecisions(NamedTuple):
    """What happens to every record that is in a cluster: removed ones point at the record
    kept for them (with the strongest rule that tied them to the cluster); kept ones list the
    ids collapsed into them; records read more than once say how often."""

    removed: dict  # member -> (kept member, rule)
    collapsed: dict  # kept member -> [posting ids], one per record removed for it
    repeated: dict  # member -> copies read


def decide_duplicates(links: Iterable[tuple], repeated: dict) -> DuplicateDecisions:
    """Resolves the links of all blocks at once: one union-find in which the smaller
    MemberKey is always the root, so every connected cluster keeps its earliest, lowest-id
    record however its blocks overlapped (A~B by URL, B~C by text: C goes to A)."""
    forest, strongest = _ClusterForest(), {}
    _add_links(forest, strongest, links)
    return _decisions(forest, strongest, repeated)


def _add_links(forest: "_ClusterForest", strongest: dict, links: Iterable[tuple]) -> None:
    for member, root, rank in links:
        forest.union(member, root)
        strongest[member] = min(strongest.get(member, len(RULES)), rank)


def _decisions(forest: "_ClusterForest", strongest: dict, repeated: dict) -> DuplicateDecisions:
    removed, collapsed = {}, {}
    for member in forest.members():
        root = forest.find(member)
        if root != member:
            removed[member] = (root, RULES[strongest[member]])
            posting_id = member[_POSTING_ID]
            collapsed.setdefault(root, []).extend([posting_id] * repeated.get(member, 1))
    return DuplicateDecisions(removed, {kept: sorted(ids) for kept, ids in collapsed.items()},
                              dict(repeated))


def member_group(member: tuple, groups: int) -> int:
    """The group a record's row meets its decision in, from its posting id: stable across
    processes (not hash()), and the same for every copy of the record."""
    return zlib.crc32(member[_POSTING_ID].encode("utf-8", "surrogatepass")) % groups


def decisions_by_group(decisions: DuplicateDecisions, groups: int) -> dict:
    """{group: the DuplicateDecisions of that group's records}: each worker then holds only
    the decisions of the group it applies, not every decision of the run."""
    removed, collapsed, repeated = decisions
    parts: dict = {}

    def part(member) -> DuplicateDecisions:
        group = member_group(member, groups)
        if group not in parts:
            parts[group] = DuplicateDecisions({}, {}, {})
        return parts[group]

    for member, verdict in removed.items():
        part(member).removed[member] = verdict
    for kept, ids in collapsed.items():
        part(kept).collapsed[kept] = ids
    for member, copies in repeated.items():
        part(member).repeated[member] = copies
    return parts


def apply_decisions(rows: Iterable[dict], decisions: DuplicateDecisions) -> tuple[list, list]:
    """(kept rows, duplicate records) of rows whose decisions are `decisions`: every row comes
    out once, as one or the other. The copies of a record read more than once and not removed:
    the first is kept, the others are exact_id duplicates of it."""
    removed, collapsed, repeated = decisions
    kept_rows, duplicates = [], []
    copies: dict = {}  # member -> [first copy, copies seen]
    for posting in rows:
        member = tuple(member_key(posting))
        if member in removed:
            kept, rule = removed[member]
            duplicates.append(duplicate_record(member, kept, rule))
        elif member in repeated:
            seen = copies.setdefault(member, [posting, 0])
            seen[1] += 1
        else:
            kept_rows.append(kept_posting(posting, collapsed.get(member, ())))
    for member, (posting, count) in copies.items():
        extra_copies = count - 1
        duplicates.extend([duplicate_record(member, member, "exact_id")] * extra_copies)
        kept_rows.append(kept_posting(posting, [*collapsed.get(member, ()),
                                                *[member[_POSTING_ID]] * extra_copies]))
    return kept_rows, duplicates


# ---------------------------------------------------------------- Beam composite

# Blocks are clustered in this many groups (a block's key decides its group): the groups are
# the clustering stage's parallelism, and one group's entries are held together, about
# 15 x postings / BLOCK_SHARDS of them; raise it for feeds beyond ~20M postings.
BLOCK_SHARDS = 128
BLOCK_BATCH = 1000  # block entries per shuffled element
ROW_BATCH = 500  # rows per element while they wait for the duplicate decisions
# Rows meet their decisions in this many groups (a hash of the record): what one worker holds
# at a time is a group's rows and decisions, ~1/64 of the run's.
DECISION_GROUPS = 64
_ROWS, _DECISIONS = 0, 1  # what a grouped value holds


_RANKS = {rule: rank for rank, rule in enumerate(RULES)}
_NEAR_TEXT_RANK = _RANKS["near_text"]


def _text_payload(signature: DedupeSignature) -> bytes:
    """What a near_text block reads of a signature besides the MinHash, pickled once per
    posting: its twelve band entries share it, and a block decodes it only when it compares
    texts (most band blocks have one member, or hold copies settled by an earlier band)."""
    return pickle.dumps((tuple(signature.member), signature.company_key, signature.title_key,
                         signature.place, signature.seniority), pickle.HIGHEST_PROTOCOL)


def _from_block_entry(entry: tuple) -> DedupeSignature:
    """A signature back from a block entry: (rank, key, member) for the exact and same_job
    blocks, which decide by id and date only; (rank, band key or None, text payload, MinHash)
    for text."""
    if len(entry) == 3:
        return _new_tuple(DedupeSignature, (_new_tuple(MemberKey, entry[2]), None, "", "",
                                            _NO_PLACE, "", "unknown", None))
    member, company_key, title_key, place, seniority = pickle.loads(entry[2])
    return _new_tuple(DedupeSignature, (_new_tuple(MemberKey, member), None, company_key,
                                        title_key, place, "", seniority, entry[3]))


# A NamedTuple straight from its fields: NamedTuple.__new__ costs a Python call, and a
# clustering stage builds a signature per block entry it compares (~2 per posting).
_new_tuple = tuple.__new__
_NO_PLACE = (None, None, None)


_BAND_KEY_BYTES = 1 + BAND_BYTES  # the band number, then its slots
_MINHASH_BYTES = NUM_PERM * np.dtype(SLOT_DTYPE).itemsize


def pack_block_entries(entries: list) -> bytes:
    """A batch of block entries as it crosses the shuffle: the exact-rule entries as they
    are; the near_text ones as columns, their band keys and their MinHashes each one bytes
    string and their text payloads a list, so that the clustering stage finds the band blocks
    worth comparing with numpy before it makes an object of any of their entries."""
    exact = [entry for entry in entries if len(entry) == 3]
    near_text = [entry for entry in entries if len(entry) == 4]
    return pack((exact, b"".join([entry[1] for entry in near_text]),
                 [entry[2] for entry in near_text],
                 b"".join([entry[3] for entry in near_text])), compress=True)


def band_blocks_to_compare(keys: np.ndarray, minhashes: np.ndarray) -> tuple[list, int]:
    """The near_text blocks that need their texts compared, from all band entries of a group
    of blocks: keys (entries x 11 bytes: band number, slots), minhashes (entries x NUM_PERM
    slots). Returns the entry indexes of each such block, blocks in key order (band 0's
    first), and how many blocks exceed MAX_PAIRWISE_BLOCK.

    A block is left out when it has one entry, or when every pair of its entries shares an
    earlier band (copies of one text share them all), whose block compares them: the checks
    cluster_block would make first, here on arrays for all blocks at once (most band entries
    of a feed of reposts are such copies)."""
    count = len(keys)
    if count < 2:
        return [], 0
    padded = np.zeros((count, 16), np.uint8)
    padded[:, :_BAND_KEY_BYTES] = keys
    words = padded.view(">u8")  # two big-endian words per key: sorted as the bytes are
    order = np.lexsort((words[:, 1], words[:, 0]))
    sorted_words = words[order]
    starts_block = np.ones(count, bool)
    starts_block[1:] = (sorted_words[1:] != sorted_words[:-1]).any(axis=1)
    starts = np.flatnonzero(starts_block)
    sizes = np.diff(starts, append=count)
    sorted_minhashes = minhashes[order]
    same_as_first = sorted_minhashes == sorted_minhashes[starts[np.cumsum(starts_block) - 1]]
    same_band = same_as_first[:, :LSH_BANDS * LSH_ROWS].reshape(
        count, LSH_BANDS, LSH_ROWS).all(axis=2)
    block_same_band = np.logical_and.reduceat(same_band, starts, axis=0)  # blocks x bands
    block_band = keys[order[starts], 0]
    earlier = np.arange(LSH_BANDS)[None, :] < block_band[:, None]
    compare = (sizes >= 2) & ~(block_same_band & earlier).any(axis=1)
    blocks = [order[start:start + size]
              for start, size in zip(starts[compare].tolist(), sizes[compare].tolist())]
    return blocks, int(np.count_nonzero(sizes > MAX_PAIRWISE_BLOCK))


class _EmitBlockEntriesFn(beam.DoFn):
    """Posting -> its block entries, batched per group of blocks: (rule rank, block key,
    member) for the exact and same_job blocks, (rank, band key, text payload, MinHash) for the
    near_text ones; a batch crosses the shuffle as pack_block_entries packs it."""

    def __init__(self, block_shards: int):
        self._block_shards = block_shards

    def setup(self):
        self._hasher = MinHasher()

    def start_bundle(self):
        self._batches = KeyedBatches(BLOCK_BATCH)

    def process(self, posting):
        signature = make_signature(posting, self._hasher)
        shards = self._block_shards
        member = tuple(signature.member)
        entries = [(zlib.crc32(key.encode("utf-8", "surrogatepass")) % shards,
                    (_RANKS[rule], key, member))
                   for rule, key in exact_keys(signature)]
        minhash = signature.minhash
        if minhash is not None:
            payload = _text_payload(signature)
            entries += [(zlib.crc32(key) % shards, (_NEAR_TEXT_RANK, key, payload, minhash))
                        for key in band_keys(minhash)]
        for shard, batch in self._batches.add_all(entries):
            yield shard, pack_block_entries(batch)

    def finish_bundle(self):
        for shard, batch in self._batches.drain():
            yield GlobalWindows.windowed_value((shard, pack_block_entries(batch)))


class _ClusterShardFn(beam.DoFn):
    """One group of blocks: (member, root, rule rank) for every member of a cluster of two
    or more records, and the records listed more than once in their id's block (one record
    read twice), as one (links, repeated) element. Of the near_text blocks, only those
    band_blocks_to_compare keeps become entries."""

    def __init__(self, window_days: int, threshold: float):
        self._window_days = window_days
        self._threshold = threshold
        self._oversized = Metrics.counter("dedupe", "oversized_blocks")

    def process(self, shard_batches):
        _, packed_batches = shard_batches
        blocks_by_rank = [defaultdict(list) for _ in RULES]
        band_keys_parts, payloads, minhash_parts = [], [], []
        for packed in packed_batches:
            exact, batch_band_keys, batch_payloads, batch_minhashes = unpack(packed)
            for entry in exact:
                blocks_by_rank[entry[0]][entry[1]].append(entry)
            band_keys_parts.append(batch_band_keys)
            payloads.extend(batch_payloads)
            minhash_parts.append(batch_minhashes)
        keys = np.frombuffer(b"".join(band_keys_parts), np.uint8).reshape(-1, _BAND_KEY_BYTES)
        all_minhashes = b"".join(minhash_parts)
        band_blocks, oversized = band_blocks_to_compare(
            keys, np.frombuffer(all_minhashes, SLOT_DTYPE).reshape(-1, NUM_PERM))
        if oversized:
            self._oversized.inc(oversized)
        size = _MINHASH_BYTES
        blocks_by_rank[_NEAR_TEXT_RANK] = {
            keys[block[0]].tobytes(): [
                (_NEAR_TEXT_RANK, None, payloads[index],
                 all_minhashes[index * size:(index + 1) * size]) for index in block.tolist()]
            for block in band_blocks}
        links, repeated = [], []
        linked = _ClusterForest()
        # near_text last: pairs the exact rules already tied are not compared by text.
        for rank, (rule, blocks) in enumerate(zip(RULES, blocks_by_rank)):
            for key, entries in blocks.items():
                if len(entries) < 2:
                    continue
                if rule == "exact_url" and len(entries) > MAX_URL_BLOCK:
                    self._oversized.inc()
                band = key[0] if rule == "near_text" else None
                signatures = [_from_block_entry(entry) for entry in entries]
                if rule == "exact_id":
                    # Every record is in its id's block, so copies of one record meet here.
                    copies: dict = {}
                    for signature in signatures:
                        copies[signature.member] = copies.get(signature.member, 0) + 1
                    repeated.extend((tuple(member), count) for member, count in copies.items()
                                    if count > 1)
                for member, root in cluster_block(rule, signatures, self._window_days,
                                                  self._threshold, linked, band):
                    if rule != "near_text":
                        linked.union(member, root)
                    links.append((tuple(member), tuple(root), rank))
        if links or repeated:
            yield links, repeated


class _DecideDuplicatesFn(beam.CombineFn):
    """decide_duplicates over the links of every group of blocks. Links exist only for
    records in clusters, so one combined forest holds them all."""

    def create_accumulator(self):
        return _ClusterForest(), {}, {}

    def add_input(self, accumulator, shard_result):
        forest, strongest, repeated = accumulator
        links, shard_repeated = shard_result
        _add_links(forest, strongest, links)
        repeated.update(shard_repeated)  # a record's copies all meet in one id block
        return accumulator

    def merge_accumulators(self, accumulators):
        # Into the first one, which Beam lets a CombineFn modify: its links are not added again.
        accumulators = iter(accumulators)
        merged = next(accumulators, None) or self.create_accumulator()
        forest, strongest, repeated = merged
        for other_forest, other_strongest, other_repeated in accumulators:
            for member in other_forest.members():
                forest.union(member, other_forest.find(member))
            for member, rank in other_strongest.items():
                strongest[member] = min(strongest.get(member, len(RULES)), rank)
            repeated.update(other_repeated)
        return merged

    def extract_output(self, accumulator):
        return tuple(_decisions(*accumulator))


class _ApplyDecisionsFn(beam.DoFn):
    """One group: its packed row batches and its decisions in, kept rows and duplicate
    records out, one element each (their consumers run in the same fused stage)."""

    def __init__(self):
        self._removed = Metrics.counter("dedupe", "duplicates_removed")

    def process(self, group_values):
        _, values = group_values
        decisions = DuplicateDecisions({}, {}, {})
        row_batches = []
        for kind, packed in values:
            if kind == _DECISIONS:
                decisions = unpack(packed)
            else:
                row_batches.append(packed)
        kept_rows, duplicates = apply_decisions(unpack_all(row_batches), decisions)
        self._removed.inc(len(duplicates))
        yield from kept_rows
        for duplicate in duplicates:
            yield beam.pvalue.TaggedOutput(DUPLICATES_TAG, duplicate)


def _decision_parts(decisions: DuplicateDecisions, groups: int) -> list:
    return [(group, (_DECISIONS, pack(part)))
            for group, part in decisions_by_group(decisions, groups).items()]


def _row_group(groups: int):
    def group_of(posting: dict) -> int:
        return member_group(member_key(posting), groups)
    return group_of


def _pack_compressed(rows: list) -> bytes:
    return pack(rows, compress=True)


def _slim_row(drop_keys: frozenset):
    def slim(posting: dict) -> dict:
        slimmed = posting.copy()  # a copy and a few pops: a fifth of filtering every key
        for key in drop_keys:
            slimmed.pop(key, None)
        return slimmed
    return slim


class RemoveDuplicates(beam.PTransform):
    """Posting rows in; {"postings": unique rows with duplicate_count/duplicate_ids,
    "duplicates": {posting_id, kept_id, rule} per removed record} out: every row comes out
    once, as one or the other."""

    def __init__(self, date_window_days: int = DATE_WINDOW_DAYS,
                 near_text_threshold: float = NEAR_TEXT_THRESHOLD,
                 drop_keys: tuple = (), block_shards: int = BLOCK_SHARDS):
        """drop_keys: row keys no later stage reads (the long description): they are dropped
        before rows wait for the duplicate decisions, so the runner buffers slim rows."""
        super().__init__()
        if date_window_days < 0:
            raise ValueError(f"date_window_days must be >= 0, got {date_window_days}")
        if not 0.0 < near_text_threshold <= 1.0:
            raise ValueError(f"near_text_threshold must be in (0, 1], got {near_text_threshold}")
        if block_shards < 1:
            raise ValueError(f"block_shards must be at least 1, got {block_shards}")
        self._window_days = date_window_days
        self._threshold = near_text_threshold
        self._drop_keys = frozenset(drop_keys)
        self._block_shards = block_shards

    def expand(self, postings):
        decisions = (
            postings
            | "EmitBlockEntries" >> beam.ParDo(InRunsFn(_EmitBlockEntriesFn(self._block_shards)))
            | "GroupBlocks" >> beam.GroupByKey()
            | "ClusterBlocks" >> beam.ParDo(_ClusterShardFn(self._window_days, self._threshold))
            # Without defaults: a default would reach SplitDecisions as a side input, which
            # the worker caches, keeping every decision of the run alive there (~130 MiB at
            # 100k). No links at all, no decisions: the rows are then all kept.
            | "DecideDuplicates" >> beam.CombineGlobally(_DecideDuplicatesFn()).without_defaults()
        )
        decision_parts = decisions | "SplitDecisions" >> beam.FlatMap(
            _decision_parts, DECISION_GROUPS)
        # The rows wait for the decisions in the same GroupByKey, keyed by their group:
        # no worker ever holds every decision (a side input would put all of them in each).
        row_parts = (
            postings
            | "BatchRows" >> beam.ParDo(BatchInBundleFn(
                ROW_BATCH, _slim_row(self._drop_keys) if self._drop_keys else None,
                key_of=_row_group(DECISION_GROUPS), encode=_pack_compressed))
            | "MarkRows" >> beam.MapTuple(lambda group, packed: (group, (_ROWS, packed)))
        )
        applied = (
            (row_parts, decision_parts)
            | "FlattenGroups" >> beam.Flatten()
            | "GroupRowsWithDecisions" >> beam.GroupByKey()
            | "ApplyDecisions" >> beam.ParDo(_ApplyDecisionsFn())
            .with_outputs(DUPLICATES_TAG, main=POSTINGS_TAG)
        )
        return {POSTINGS_TAG: applied[POSTINGS_TAG], DUPLICATES_TAG: applied[DUPLICATES_TAG]}
