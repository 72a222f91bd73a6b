"""Text that arrives in pieces: transforms.read hands a streamed file's decoded text to the
line-based parsers (CSV, JSON lines) one piece at a time, each piece ending after a "\\n" (or
at the end of the text), so no line is ever split between two pieces.

`pieces_of` cuts a text already in memory the same way, so both paths share one parser.
A source of pieces may also say whether what it handed out so far holds NUL (`saw_nul`, as
transforms.read's TextPieces does from the raw bytes); `may_hold_nul` asks it.
"""
from __future__ import annotations

from typing import Iterator

# About one read block of text: big enough that per-piece work is negligible, small enough
# that a piece and its lines are a few MiB at most.
PIECE_CHARS = 1024 * 1024


def pieces_of(text: str, size: int = PIECE_CHARS) -> Iterator[str]:
    """`text` in consecutive pieces of about `size` characters, each cut after a "\\n"."""
    start, length = 0, len(text)
    if length <= size:
        if text:
            yield text
        return
    while start < length:
        end = text.find("\n", start + size) + 1 or length
        yield text[start:end]
        start = end


def may_hold_nul(pieces: object) -> bool:
    """False only when `pieces` says none of the pieces it handed out so far holds NUL. A NUL
    search in text with characters past U+00FF cannot use memchr (about 1 ns a character):
    the source's check of the raw bytes saves one per record."""
    return getattr(pieces, "saw_nul", True)
