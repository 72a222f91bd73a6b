"""Dead-letter rows: what every stage emits for a record it cannot turn into a posting.

All stages send rejects to one tagged output; `transforms.outputs` writes them through one sink.
"""
from __future__ import annotations

from typing import NamedTuple, Optional

REJECTS_TAG = "rejects"
EXCERPT_CHARS = 500


class Reject(NamedTuple):
    """One rejected input record, as written to rejects/*.jsonl."""

    source_uri: str
    source_record: Optional[int]
    stage: str  # read, parse, location, seniority, skills, dedupe
    reason: str  # short, stable, machine-countable: "invalid_json", "no_title_and_no_text", ...
    detail: str  # human-readable message ("invalid JSON at record 3: Expecting value: line 1 column 5")
    excerpt: str  # at most EXCERPT_CHARS characters of the raw record

    def as_json_dict(self) -> dict:
        return {
            "source_uri": self.source_uri,
            "source_record": self.source_record,
            "stage": self.stage,
            "reason": self.reason,
            "detail": self.detail,
            "excerpt": self.excerpt,
        }


def make_reject(
    source_uri: str,
    source_record: Optional[int],
    stage: str,
    reason: str,
    detail: str = "",
    raw: object = "",
) -> Reject:
    """Build a Reject, cutting the raw record to the excerpt limit and never failing itself."""
    if isinstance(raw, (bytes, bytearray)):
        excerpt = bytes(raw[: EXCERPT_CHARS * 4]).decode("utf-8", errors="replace")
    else:
        excerpt = raw if isinstance(raw, str) else repr(raw)[: EXCERPT_CHARS * 2]
    excerpt = printable(excerpt.replace("\x00", "\\x00")[:EXCERPT_CHARS])
    return Reject(printable(source_uri), source_record, stage, reason,
                  printable(detail or reason), excerpt)


def printable(text: str) -> str:
    """Text that always encodes as UTF-8: undecodable input bytes (lone surrogates) are
    written as visible escapes such as \\udce9 instead of failing the rejects sink."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
