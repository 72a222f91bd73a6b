"""Duplicate removal: collapses reposts of one job (same id, same URL, same company + title +
place within a date window, or near-identical text) into one posting with duplicate_count.
Sits after skill extraction and before aggregation and the postings writer.

How it scales: each posting becomes a small signature (member key, normalized keys, MinHash);
signatures are grouped by blocking keys (posting id, URL, company|title|place, MinHash LSH bands)
and clustered inside each block, so nothing is compared all-pairs. A posting can sit in clusters
of several blocks (A~B by URL, B~C by text): the clusters' roots that share a member are linked,
the links (ids only) are resolved with one combined union-find, and every member points at the
final root. Only ids and signatures go through those shuffles: the rows themselves (with their
long descriptions) meet the removed ids and the collapsed ids as side inputs, which hold the
duplicates only, and are never shuffled, except a record read twice, which is grouped by its key.

Which record is kept: the earliest posted_date (undated last), then the lowest posting_id, then
source_uri and source_record: that tuple is the `MemberKey`, and the minimum of a cluster wins.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
import zlib
from typing import Iterable, NamedTuple, Optional
from urllib.parse import parse_qsl, urlencode, urlsplit

import apache_beam as beam
import numpy as np
from apache_beam.metrics import Metrics

POSTINGS_TAG = "postings"
DUPLICATES_TAG = "duplicates"
_REPEATED_TAG = "repeated"  # members listed more than once: one record read twice

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
# LSH: two postings are compared when all LSH_ROWS slots of one band agree, which happens with
# probability P(J) = 1 - (1 - J^5)^12 for texts of Jaccard J (60 of the 64 slots band; all 64
# estimate J): P(0.9) = 0.99998, P(0.85) = 0.9991, P(0.8) = 0.9915, P(0.5) = 0.32, P(0.3) = 0.03.
# Sixteen bands of four reached 0.9998 at 0.8 but sent every posting through four more block
# entries and made pairs at J = 0.5 candidates two times in three.
LSH_BANDS = 12
LSH_ROWS = 5
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

_GRAM_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit constant: mixes word order into the gram
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


class DedupeSignature(NamedTuple):
    """What the blocking shuffles carry for one posting instead of the whole row."""

    member: MemberKey
    url_key: Optional[str]
    company_key: str
    title_key: str
    place: tuple  # (country_code, admin1_code, city), None where unknown
    place_key: str
    seniority: str
    minhash: Optional[bytes]  # NUM_PERM uint32 values, None for too-short texts


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
        posting.get("source_uri") or "",
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


def leading_words(text: str, limit: int = MAX_SHINGLE_WORDS) -> list:
    """The first `limit` words of fold_text(text), UTF-8 encoded. Only the head of a long text
    is folded: when the head holds more than `limit` words, a word it cuts comes after them."""
    head = text[:limit * _HEAD_CHARS_PER_WORD]
    words = _folded_bytes(head).split(None, limit)
    if len(words) <= limit and len(head) < len(text):
        words = _folded_bytes(text).split(None, limit)
    return words[:limit]


def shingles(text: str, words_per_shingle: int = SHINGLE_WORDS) -> np.ndarray:
    """Distinct word k-grams of folded text as stable 64-bit hashes: each word is hashed once
    (crc32, not the per-process hash()) and k neighbours are mixed with numpy, which costs a
    tenth of hashing every k-gram string. Only the first MAX_SHINGLE_WORDS words count."""
    words = leading_words(text)
    if len(words) < words_per_shingle:
        return np.zeros(0, dtype=np.uint64)
    word_hashes = np.fromiter(map(zlib.crc32, words), dtype=np.uint64, count=len(words))
    count = len(words) - words_per_shingle + 1
    gram_hashes = word_hashes[:count].copy()
    for offset in range(1, words_per_shingle):  # uint64 arrays wrap around without warnings
        gram_hashes *= _GRAM_MIX
        gram_hashes += word_hashes[offset:offset + count]
    gram_hashes.sort()  # np.unique, five times faster on a few hundred values
    distinct = np.empty(count, dtype=bool)
    distinct[0] = True
    np.not_equal(gram_hashes[1:], gram_hashes[:-1], out=distinct[1:])
    return gram_hashes[distinct]


class MinHasher:
    """MinHash with NUM_PERM multiply-shift hashes ((a*x + b) mod 2^64) >> 32, a odd.

    Built once per worker (numpy parameters); signatures are bytes so they pickle small."""

    def __init__(self, num_perm: int = NUM_PERM, seed: int = MINHASH_SEED):
        rng = np.random.default_rng(seed)
        self._a = rng.integers(1, 2**63, size=num_perm, dtype=np.uint64) | np.uint64(1)
        self._b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)

    def signature(self, shingle_hashes: np.ndarray) -> Optional[bytes]:
        if len(shingle_hashes) < MIN_SHINGLES:
            return None
        # uint64 arithmetic wraps: that is the mod 2^64. The shift commutes with the minimum
        # (both are monotonic), so it runs on NUM_PERM values instead of the whole table,
        # whose rows (one per permutation) are reduced along contiguous memory.
        hashed = np.multiply.outer(self._a, shingle_hashes)
        hashed += self._b[:, None]
        return (hashed.min(axis=1) >> np.uint64(32)).astype(np.uint32).tobytes()


def candidate_probability(jaccard: float, bands: int = LSH_BANDS, rows: int = LSH_ROWS) -> float:
    """Chance that two texts of this shingle Jaccard share at least one LSH band."""
    return 1.0 - (1.0 - jaccard ** rows) ** bands


def estimated_jaccard(left: bytes, right: bytes) -> float:
    """Share of equal MinHash slots: an unbiased estimate of the shingle sets' Jaccard."""
    return float(np.mean(np.frombuffer(left, np.uint32) == np.frombuffer(right, np.uint32)))


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


def blocking_keys(signature: DedupeSignature) -> list[tuple[str, str]]:
    """(rule, block key) pairs: postings sharing a key are compared, nothing else is.

    same_job needs a company: a title alone ('Software Engineer') matches across employers."""
    keys = [("exact_id", signature.member.posting_id)]
    if signature.url_key:
        keys.append(("exact_url", signature.url_key))
    if signature.company_key and signature.title_key:
        keys.append(("same_job",
                     f"{signature.company_key}|{signature.title_key}|{signature.place_key}"))
    if signature.minhash is not None:
        for band in range(LSH_BANDS):
            chunk = signature.minhash[band * LSH_ROWS * 4:(band + 1) * LSH_ROWS * 4]
            keys.append(("near_text", f"{band}:{chunk.hex()}"))
    return keys


class _ClusterForest:
    """Union-find over MemberKeys where the smaller key always becomes the root, so the
    root of every cluster is the record to keep, whatever the union order."""

    def __init__(self):
        self._parent: dict = {}

    def find(self, member):
        parent = self._parent.setdefault(member, member)
        if parent == member:
            return member
        root = self.find(parent)
        self._parent[member] = root
        return root

    def union(self, left, right) -> None:
        left_root, right_root = self.find(left), self.find(right)
        if left_root != right_root:
            low, high = sorted((left_root, right_root))
            self._parent[high] = low

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
    if left.title_key == right.title_key:
        needed = threshold
    elif title_overlap(left.title_key, right.title_key) >= TITLE_OVERLAP:
        needed = max(threshold, NEAR_TEXT_RETITLED_THRESHOLD)
    else:
        return False
    if "unknown" not in (left.seniority, right.seniority) and left.seniority != right.seniority:
        return False
    if not (companies_compatible(left.company_key, right.company_key)
            and places_compatible(left.place, right.place)
            and dates_within(left.member, right.member, window_days)):
        return False
    return estimated_jaccard(left.minhash, right.minhash) >= needed


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


def _near_text_edges(ordered: list[DedupeSignature], threshold: float, window_days: int):
    wide = len(ordered) > MAX_PAIRWISE_BLOCK
    for i, left in enumerate(ordered):
        stop = min(len(ordered), i + 1 + NEIGHBOR_WINDOW) if wide else len(ordered)
        for right in ordered[i + 1:stop]:
            if is_near_text_duplicate(left, right, threshold, window_days):
                yield left.member, right.member


def cluster_block(rule: str, signatures: Iterable[DedupeSignature],
                  window_days: int = DATE_WINDOW_DAYS,
                  threshold: float = NEAR_TEXT_THRESHOLD) -> list[tuple[MemberKey, MemberKey]]:
    """Decide one block: (member, root) for every member of a cluster of two or more records,
    root included (mapped to itself). Root = smallest MemberKey: earliest posted, lowest id.

    A record listed twice in a block (same file read twice) counts once."""
    ordered = sorted({s.member: s for s in signatures}.values(), key=lambda s: s.member)
    if len(ordered) < 2:
        return []
    forest = _ClusterForest()
    if rule == "exact_id" or (rule == "exact_url" and len(ordered) <= MAX_URL_BLOCK):
        edges = ((ordered[0].member, s.member) for s in ordered[1:])
    elif rule == "same_job":
        edges = _same_job_edges(ordered, window_days)
    elif rule == "near_text":
        edges = _near_text_edges(ordered, threshold, window_days)
    else:
        edges = ()
    for left, right in edges:
        forest.union(left, right)
    roots = {member: forest.find(member) for member in forest.members()}
    return sorted((member, root) for member, root in roots.items())


def duplicate_record(member: tuple, kept: tuple, rule: str) -> dict:
    return {"posting_id": MemberKey(*member).posting_id, "kept_id": MemberKey(*kept).posting_id,
            "rule": rule}


def kept_posting(posting: dict, collapsed_ids: Iterable[str]) -> dict:
    """A new row for the kept record: duplicate_count counts every record collapsed into it."""
    ids = sorted(collapsed_ids)
    return {**posting, "duplicate_count": 1 + len(ids), "duplicate_ids": ids}


# ---------------------------------------------------------------- Beam composite


class _ComputeSignatureFn(beam.DoFn):
    def setup(self):
        self._hasher = MinHasher()

    def process(self, posting):
        yield make_signature(posting, self._hasher)


def _block_entries(signature: DedupeSignature):
    # Only near_text blocks read the MinHash: the other blocks get the signature without it.
    light = signature._replace(minhash=None)
    for rule_and_key in blocking_keys(signature):
        yield rule_and_key, signature if rule_and_key[0] == "near_text" else light


class _ClusterBlockFn(beam.DoFn):
    def __init__(self, window_days: int, threshold: float):
        self._window_days = window_days
        self._threshold = threshold
        self._oversized = Metrics.counter("dedupe", "oversized_blocks")

    def process(self, block):
        (rule, _), signatures = block
        signatures = list(signatures)
        if (rule == "exact_url" and len(signatures) > MAX_URL_BLOCK) or (
                rule == "near_text" and len(signatures) > MAX_PAIRWISE_BLOCK):
            self._oversized.inc()
        if rule == "exact_id":
            # Every record is in its id's block, so copies of one record meet here.
            copies: dict = {}
            for signature in signatures:
                copies[signature.member] = copies.get(signature.member, 0) + 1
            for member, count in copies.items():
                if count > 1:
                    yield beam.pvalue.TaggedOutput(_REPEATED_TAG, (tuple(member), count))
        for member, root in cluster_block(rule, signatures, self._window_days, self._threshold):
            # Plain tuples from here on: Beam encodes them deterministically as shuffle keys.
            yield tuple(member), (tuple(root), RULES.index(rule))


class _MembershipsFn(beam.CombineFn):
    """Per member: every block root it was clustered under, and its strongest rule."""

    def create_accumulator(self):
        return (frozenset(), len(RULES))

    def add_input(self, accumulator, root_and_rank):
        roots, rank = accumulator
        return (roots | {root_and_rank[0]}, min(rank, root_and_rank[1]))

    def merge_accumulators(self, accumulators):
        roots, rank = frozenset(), len(RULES)
        for more_roots, more_rank in accumulators:
            roots, rank = roots | more_roots, min(rank, more_rank)
        return (roots, rank)

    def extract_output(self, accumulator):
        roots, rank = accumulator
        return (tuple(sorted(roots)), rank)


class _RootMergesFn(beam.CombineFn):
    """Union-find over (root, root) links of clusters that share a member. Links are few
    (only roots of overlapping clusters), so one combined forest holds them all."""

    def create_accumulator(self):
        return _ClusterForest()

    def add_input(self, forest, link):
        forest.union(*link)
        return forest

    def merge_accumulators(self, forests):
        merged = _ClusterForest()
        for forest in forests:
            for member in forest.members():
                merged.union(member, forest.find(member))
        return merged

    def extract_output(self, forest):
        return {member: forest.find(member) for member in forest.members()}


def _root_links(membership):
    _, (roots, _) = membership
    for other in roots[1:]:
        yield other, roots[0]


def final_root(member: tuple, removed: dict) -> tuple:
    """Follows removed -> kept links to the record that is really kept: a root that was
    itself collapsed into another cluster passes its members on, so no id is orphaned."""
    seen = set()
    while member in removed and member not in seen:
        seen.add(member)
        member = removed[member][0]
    return member


def _describe_removed(member, kept_rule, removed_map=None):
    return duplicate_record(member, final_root(kept_rule[0], removed_map), kept_rule[1])


def _key_by_kept(member, kept_rule, removed_map=None):
    return final_root(kept_rule[0], removed_map), MemberKey(*member).posting_id


def _assign(membership, root_merges):
    member, (roots, rank) = membership
    return member, (root_merges.get(roots[0], roots[0]), RULES[rank])


class _KeepPostingsFn(beam.DoFn):
    """Drops removed records and adds duplicate_count/duplicate_ids to the rest; the removed
    and collapsed ids come as side inputs. A record read more than once is passed on, keyed,
    to be grouped with its copies."""

    def __init__(self):
        self._removed = Metrics.counter("dedupe", "duplicates_removed")

    def process(self, posting, removed, collapsed, repeated):
        member = tuple(member_key(posting))
        if member in repeated:
            yield beam.pvalue.TaggedOutput(_REPEATED_TAG, (member, posting))
        elif member in removed:
            self._removed.inc()
        else:
            yield kept_posting(posting, collapsed.get(member, ()))


class _KeepRepeatedFn(beam.DoFn):
    """The copies of one record read twice (overlapping input globs): the extra copies are
    exact_id duplicates of the first."""

    def __init__(self):
        self._removed = Metrics.counter("dedupe", "duplicates_removed")

    def process(self, copies, removed, collapsed):
        member, postings = copies
        postings = list(postings)
        if member in removed:
            self._removed.inc(len(postings))
            return
        collapsed_ids = list(collapsed.get(member, ()))
        for _ in postings[1:]:
            self._removed.inc()
            collapsed_ids.append(MemberKey(*member).posting_id)
            yield beam.pvalue.TaggedOutput(DUPLICATES_TAG,
                                           duplicate_record(member, member, "exact_id"))
        yield kept_posting(postings[0], collapsed_ids)


class RemoveDuplicates(beam.PTransform):
    """Posting rows in; {"postings": unique rows with duplicate_count/duplicate_ids,
    "duplicates": {posting_id, kept_id, rule} per removed record} out."""

    def __init__(self, date_window_days: int = DATE_WINDOW_DAYS,
                 near_text_threshold: float = NEAR_TEXT_THRESHOLD,
                 drop_keys: tuple = ()):
        """drop_keys: row keys no later stage reads (the long description): they are dropped
        before rows wait for the duplicate decisions, so the runner buffers slim rows."""
        super().__init__()
        if date_window_days < 0:
            raise ValueError(f"date_window_days must be >= 0, got {date_window_days}")
        if not 0.0 < near_text_threshold <= 1.0:
            raise ValueError(f"near_text_threshold must be in (0, 1], got {near_text_threshold}")
        self._window_days = date_window_days
        self._threshold = near_text_threshold
        self._drop_keys = frozenset(drop_keys)

    def expand(self, postings):
        clustered = (
            postings
            | "ComputeSignatures" >> beam.ParDo(_ComputeSignatureFn())
            | "EmitBlockKeys" >> beam.FlatMap(_block_entries)
            | "GroupByBlock" >> beam.GroupByKey()
            | "ClusterBlocks" >> beam.ParDo(_ClusterBlockFn(self._window_days, self._threshold))
            .with_outputs(_REPEATED_TAG, main="memberships")
        )
        memberships = (clustered["memberships"]
                       | "CombineMemberships" >> beam.CombinePerKey(_MembershipsFn()))
        root_merges = (
            memberships
            | "LinkClusterRoots" >> beam.FlatMap(_root_links)
            | "MergeClusterRoots" >> beam.CombineGlobally(_RootMergesFn())
        )
        assignments = memberships | "ResolveRoots" >> beam.Map(
            _assign, root_merges=beam.pvalue.AsSingleton(root_merges))
        removed = assignments | "KeepRemoved" >> beam.Filter(lambda a: a[0] != a[1][0])
        removed_ids = beam.pvalue.AsDict(removed)
        cluster_duplicates = removed | "DescribeRemoved" >> beam.MapTuple(
            _describe_removed, removed_map=removed_ids)
        collapsed_ids = (
            removed
            | "KeyByKept" >> beam.MapTuple(_key_by_kept, removed_map=removed_ids)
            | "CollectCollapsedIds" >> beam.CombinePerKey(beam.combiners.ToListCombineFn())
        )
        collapsed = beam.pvalue.AsDict(collapsed_ids)
        rows = postings
        if self._drop_keys:
            drop = self._drop_keys
            rows = postings | "DropUnreadKeys" >> beam.Map(
                lambda posting: {k: v for k, v in posting.items() if k not in drop})
        kept = rows | "KeepPostings" >> beam.ParDo(
            _KeepPostingsFn(), removed=removed_ids, collapsed=collapsed,
            repeated=beam.pvalue.AsDict(clustered[_REPEATED_TAG]),
        ).with_outputs(_REPEATED_TAG, main=POSTINGS_TAG)
        kept_repeated = (
            kept[_REPEATED_TAG]
            | "GroupCopies" >> beam.GroupByKey()
            | "KeepOneCopy" >> beam.ParDo(_KeepRepeatedFn(), removed=removed_ids,
                                          collapsed=collapsed)
            .with_outputs(DUPLICATES_TAG, main=POSTINGS_TAG)
        )
        unique = ((kept[POSTINGS_TAG], kept_repeated[POSTINGS_TAG])
                  | "FlattenPostings" >> beam.Flatten())
        duplicates = (
            (cluster_duplicates, kept_repeated[DUPLICATES_TAG])
            | "FlattenDuplicates" >> beam.Flatten()
        )
        return {POSTINGS_TAG: unique, DUPLICATES_TAG: duplicates}
