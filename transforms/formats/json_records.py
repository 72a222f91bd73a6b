"""JSON postings: JSON lines, top-level arrays (Remote OK, JobSpy, scrapers, Lever), wrapped
lists ({"jobs": [...]}, {"data": [...]}), Elasticsearch responses and single objects.

Called by the format dispatch; yields one RawRecord per posting object and a Reject (stage
"parse") for every line or element that is not one, with the record index and the reason.
"""
from __future__ import annotations

import collections
import itertools
import json
import re
from typing import Callable, Iterable, Iterator, Optional, Union

from schemas.posting import MAX_RECORD_BYTES, RawRecord
from schemas.rejects import EXCERPT_CHARS, Reject, make_reject
from transforms.formats.fields import generic_fields
from transforms.formats.pieces import may_hold_nul, pieces_of

# Record-level problems are parse rejects; "read" is for files (binary, too large, gzip).
STAGE = "parse"
FieldsFn = Callable[[dict], Optional[dict]]
Item = Union[RawRecord, Reject]

_DECODER = json.JSONDecoder()
_WHITESPACE = re.compile(r"[ \t\n\r]*")
# Keys under which APIs and exports wrap their list of postings.
_LIST_KEYS = ("jobs", "data", "results", "postings", "items", "records", "job_postings",
              "jobPostings", "hits", "elements", "offers", "ads", "vacancies", "@graph")


def _too_large(raw: str) -> bool:
    # Characters are at most 4 UTF-8 bytes: only long strings need encoding to measure.
    return len(raw) * 4 > MAX_RECORD_BYTES and len(raw.encode("utf-8", "surrogatepass")) \
        > MAX_RECORD_BYTES


def record_or_reject(
    source_uri: str, index: int, source_format: str, posting: object, raw: str,
    to_fields: FieldsFn,
) -> Optional[Item]:
    """The RawRecord of one decoded JSON value, a Reject, or None for a non-posting banner."""
    if not isinstance(posting, dict):
        return make_reject(source_uri, index, STAGE, "not_an_object",
                           f"record {index} is a JSON {type(posting).__name__}, not an object", raw)
    fields = to_fields(posting)
    if fields is None:
        return None
    return RawRecord(source_uri, index, source_format, fields, raw[:EXCERPT_CHARS])


def _decode_error(index: int, err: json.JSONDecodeError, text_end: int) -> tuple[str, str]:
    truncated = err.msg.startswith("Unterminated string") or err.pos >= text_end
    reason = "truncated_json" if truncated else "invalid_json"
    return reason, f"invalid JSON at record {index}: {err.msg} (char {err.pos})"


def parse_jsonl(
    source_uri: str, text: str, source_format: str = "jsonl", to_fields: FieldsFn = generic_fields,
) -> Iterator[Item]:
    """One record per line (0-based line number as source_record); blank lines are skipped."""
    return parse_jsonl_pieces(source_uri, pieces_of(text), source_format, to_fields)


def _numbered_lines(pieces: Iterable[str]) -> Iterator[tuple[int, str]]:
    # Only "\n" ends a line: U+2028 and friends may sit raw inside JSON strings.
    return enumerate(itertools.chain.from_iterable(
        piece[:-1].split("\n") if piece.endswith("\n") else piece.split("\n")
        for piece in pieces if piece))


def parse_jsonl_pieces(
    source_uri: str, pieces: Iterable[str], source_format: str = "jsonl",
    to_fields: FieldsFn = generic_fields,
) -> Iterator[Item]:
    """`parse_jsonl` over a text that arrives in pieces cut after a "\\n" (formats.pieces)."""
    lines = _numbered_lines(pieces)
    ahead: collections.deque = collections.deque()  # lines read to look past a broken one
    while True:
        numbered = ahead.popleft() if ahead else next(lines, None)
        if numbered is None:
            return
        index, line = numbered
        stripped = line.strip(" \t\r\ufeff")
        if not stripped:
            continue
        if _too_large(stripped):
            yield make_reject(source_uri, index, STAGE, "record_too_large",
                              f"record {index} is over {MAX_RECORD_BYTES} bytes", stripped)
            continue
        if may_hold_nul(pieces) and "\x00" in stripped:
            yield make_reject(source_uri, index, STAGE, "nul_bytes",
                              f"record {index} holds NUL bytes", stripped)
            continue
        try:
            posting = json.loads(stripped)
        except RecursionError:
            yield make_reject(source_uri, index, STAGE, "json_too_deep",
                              f"record {index} is nested too deeply to decode", stripped)
            continue
        except json.JSONDecodeError as err:
            reason, detail = _decode_error(index, err, len(stripped))
            # Only the file's last line can be cut off by truncation.
            if reason != "invalid_json" and (not line.strip() or _more_text(lines, ahead)):
                reason = "invalid_json"
            yield make_reject(source_uri, index, STAGE, reason, detail, stripped)
            continue
        item = record_or_reject(source_uri, index, source_format, posting, stripped, to_fields)
        if item is not None:
            yield item


def _more_text(lines: Iterator[tuple[int, str]], ahead: collections.deque) -> bool:
    """True when a line that is not blank comes after the current one (read into `ahead`)."""
    if any(line.strip() for _, line in ahead):
        return True
    for numbered in lines:
        ahead.append(numbered)
        if numbered[1].strip():
            return True
    return False


def parse_json_array(
    source_uri: str, text: str, start: int, source_format: str, to_fields: FieldsFn,
) -> Iterator[Item]:
    """The elements of the top-level array opening at `start`, decoded one at a time so a
    broken or truncated element keeps every element before it."""
    end_of_text = len(text.rstrip())
    position = start + 1
    index = 0
    while True:
        position = _WHITESPACE.match(text, position).end()
        if position >= end_of_text:
            yield make_reject(source_uri, index, STAGE, "truncated_json",
                              f"invalid JSON at record {index}: the array is not closed", "")
            return
        if text[position] == "]":
            trailing = text[position + 1:].strip()
            if trailing:
                yield make_reject(source_uri, index, STAGE, "invalid_json",
                                  f"invalid JSON at record {index}: extra data after the array",
                                  trailing)
            return
        try:
            posting, end = _DECODER.raw_decode(text, position)
        except RecursionError:
            yield make_reject(source_uri, index, STAGE, "json_too_deep",
                              f"record {index} is nested too deeply to decode",
                              text[position:position + EXCERPT_CHARS])
            return
        except json.JSONDecodeError as err:
            reason, detail = _decode_error(index, err, end_of_text)
            yield make_reject(source_uri, index, STAGE, reason, detail,
                              text[position:position + EXCERPT_CHARS])
            return
        raw = text[position:end]
        if _too_large(raw):
            yield make_reject(source_uri, index, STAGE, "record_too_large",
                              f"record {index} is over {MAX_RECORD_BYTES} bytes", raw)
        else:
            item = record_or_reject(source_uri, index, source_format, posting, raw, to_fields)
            if item is not None:
                yield item
        index += 1
        position = _WHITESPACE.match(text, end).end()
        if position < end_of_text and text[position] == ",":
            position += 1
        elif position < end_of_text and text[position] != "]":
            yield make_reject(source_uri, index, STAGE, "invalid_json",
                              f"invalid JSON at record {index}: expected ',' or ']' "
                              f"(char {position})", text[position:position + EXCERPT_CHARS])
            return


def postings_in_document(document: object) -> list:
    """The posting objects of a decoded JSON document: Elasticsearch hits, USAJOBS search
    results, a wrapped list ({"jobs": [...]}) or the document itself."""
    if isinstance(document, list):
        return document
    if not isinstance(document, dict):
        return [document]
    hits = document.get("hits")
    if isinstance(hits, dict) and isinstance(hits.get("hits"), list):
        return [_es_source(hit) for hit in hits["hits"]]
    search = document.get("SearchResult")
    if isinstance(search, dict) and isinstance(search.get("SearchResultItems"), list):
        return search["SearchResultItems"]
    for key in _LIST_KEYS:
        wrapped = document.get(key)
        if isinstance(wrapped, list) and (not wrapped or isinstance(wrapped[0], dict)):
            return wrapped
    return [document]


def _es_source(hit: object) -> object:
    if not isinstance(hit, dict) or not isinstance(hit.get("_source"), dict):
        return hit
    source = dict(hit["_source"])
    if "id" not in source and "_id" in hit:
        source["id"] = hit["_id"]
    return source


def parse_json(
    source_uri: str, text: str, source_format: str = "json", to_fields: FieldsFn = generic_fields,
) -> Iterator[Item]:
    """A whole JSON document: a top-level array element by element, else the postings of the
    decoded object. JSON lines saved as .json are read as JSON lines."""
    if text.startswith("\ufeff"):
        text = text[1:]
    start = _WHITESPACE.match(text).end()
    if start >= len(text):
        return
    if text[start] == "[":
        yield from parse_json_array(source_uri, text, start, source_format, to_fields)
        return
    try:
        document = json.loads(text[start:])
    except RecursionError:
        yield make_reject(source_uri, 0, STAGE, "json_too_deep",
                          "the document is nested too deeply to decode", text)
        return
    except json.JSONDecodeError as err:
        if err.msg == "Extra data" and text[start] == "{":
            yield from parse_jsonl(source_uri, text, "jsonl" if source_format == "json"
                                   else source_format, to_fields)
            return
        reason, detail = _decode_error(0, err, len(text[start:].rstrip()))
        yield make_reject(source_uri, 0, STAGE, reason, detail, text)
        return
    postings = postings_in_document(document)
    single = len(postings) == 1 and postings[0] is document
    for index, posting in enumerate(postings):
        # The excerpt (and size) of a wrapped posting is its own JSON, not the wrapper's.
        try:
            raw = text[start:] if single else json.dumps(posting, ensure_ascii=False)
        except RecursionError:
            yield make_reject(source_uri, index, STAGE, "json_too_deep",
                              f"record {index} is nested too deeply to encode", "")
            continue
        if _too_large(raw):
            yield make_reject(source_uri, index, STAGE, "record_too_large",
                              f"record {index} is over {MAX_RECORD_BYTES} bytes", raw)
            continue
        item = record_or_reject(source_uri, index, source_format, posting, raw, to_fields)
        if item is not None:
            yield item
