"""First stage: find input files (local, globs, gs://), read each one under a size cap, undo
gzip, decode, detect its format from its head and hand it to the per-format parser.

Line-based formats (CSV, JSON lines) are decoded and parsed block by block as the file is
read, so a worker holds a few MiB of a big file, never all of it; whole documents (HTML, text
pages, JSON documents, API responses) are read whole. Yields RawRecord rows (one per record
found) and Reject rows (stage "read") for files or records that cannot be read. Every file is
read by one worker: a single huge file is not split.
"""
from __future__ import annotations

import codecs
import functools
import io
import itertools
import logging
import re
import zlib
from typing import BinaryIO, Iterable, Iterator, NamedTuple, Optional, Sequence, Union

import apache_beam as beam
from apache_beam.io import fileio
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.metrics import Metrics
from apache_beam.transforms.window import GlobalWindows

from schemas.posting import RawRecord
from schemas.rejects import REJECTS_TAG, Reject, make_reject
from transforms import formats

LOG = logging.getLogger(__name__)

INPUT_FORMATS = ("auto", "jsonl", "json", "csv", "html", "text", "greenhouse", "lever", "jobspy")
# One file is capped after decompression: whole documents are parsed in memory, and the cap
# also stops a gzip bomb. A larger feed should be split into several files (which also
# spreads it across workers).
MAX_FILE_BYTES = 256 * 1024 * 1024
READ_CHUNK_BYTES = 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
UTF8_BOM = b"\xef\xbb\xbf"
SNIFF_CHARS = 64 * 1024
# Bytes read before the format is chosen: enough for SNIFF_CHARS characters of any UTF-8.
HEAD_BYTES = 4 * SNIFF_CHARS
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)
_SURROGATE = re.compile("[\udc80-\udcff]")
_SURROGATE_BYTES = re.compile(rb"\xed[\xa0-\xbf]")  # any surrogate, encoded with surrogatepass
# Formats whose records may hold NUL or lone surrogates that are no bytes of the file: JSON
# escapes ("\\u0000", "\\udce9") decode to them.
_ESCAPING_FORMATS = frozenset({"jsonl"})


class FileTooLarge(Exception):
    """The file (after decompression) is over MAX_FILE_BYTES."""


class GzipBlocks:
    """The decompressed blocks of a gzip stream whose first read block is `first`, members
    concatenated as `cat a.gz b.gz` makes them, never more than `limit` bytes in all: a gzip
    bomb stops at the cap with FileTooLarge. Once the blocks run out, `problem` is None,
    "truncated_gzip" (the blocks before the cut were handed out) or "corrupt_gzip"."""

    def __init__(self, stream: BinaryIO, first: bytes, limit: int):
        self._stream = stream
        self._first = first
        self._limit = limit
        self.problem: Optional[str] = None

    def __iter__(self) -> Iterator[bytes]:
        size = 0
        inflater = zlib.decompressobj(wbits=31)
        pending = self._first
        while True:
            if not pending:
                pending = self._stream.read(READ_CHUNK_BYTES)
                if not pending:
                    self.problem = None if inflater.eof else "truncated_gzip"
                    return
            try:
                block = inflater.decompress(pending, self._limit + 1 - size)
            except zlib.error:
                self.problem = "corrupt_gzip"
                return
            size += len(block)
            if size > self._limit:
                raise FileTooLarge(f"decompressed size is larger than {self._limit} bytes")
            if block:
                yield block
            pending = inflater.unconsumed_tail
            if inflater.eof:
                rest = inflater.unused_data  # concatenated gzip members, as `cat a.gz b.gz` makes
                if rest.startswith(GZIP_MAGIC):
                    inflater = zlib.decompressobj(wbits=31)
                    pending = rest + pending
                elif not pending:
                    pending = b""


def read_capped(stream: BinaryIO, limit: int = MAX_FILE_BYTES) -> tuple[bytes, Optional[str]]:
    """Read a whole stream, inflating gzip members on the fly without ever holding more than
    `limit` decompressed bytes (a gzip bomb stops at the cap). Returns (bytes, problem) where
    problem is None, "truncated_gzip" (bytes before the cut are kept) or "corrupt_gzip"."""
    first = stream.read(READ_CHUNK_BYTES)
    if not first.startswith(GZIP_MAGIC):
        chunks, size = [first], len(first)
        while True:
            chunk = stream.read(READ_CHUNK_BYTES)
            if not chunk:
                return b"".join(chunks), None
            size += len(chunk)
            if size > limit:
                raise FileTooLarge(f"file is larger than {limit} bytes")
            chunks.append(chunk)
    blocks = GzipBlocks(stream, first, limit)
    content = b"".join(blocks)
    return content, blocks.problem


class FileContent(NamedTuple):
    """A file's decompressed content as its head and the blocks after it."""

    head: bytes  # at least HEAD_BYTES bytes, or all of the content
    rest: Iterator[bytes]
    complete: bool  # the head is all of the content
    problem: Optional[str]  # as read_capped reports it


def open_content(stream: BinaryIO, limit: int = MAX_FILE_BYTES) -> FileContent:
    """The decompressed content of a stream, checked as `read_capped` checks it (FileTooLarge,
    gzip problem) before any of it is handed on: a seekable plain stream is measured, a
    seekable gzip stream is inflated once without keeping anything, then read again as it is
    parsed. A stream that cannot seek is read whole."""
    start = _position(stream)
    if start is None:
        content, problem = read_capped(stream, limit)
        return FileContent(content, iter(()), True, problem)
    first = stream.read(READ_CHUNK_BYTES)
    if first.startswith(GZIP_MAGIC):
        checked = GzipBlocks(stream, first, limit)
        for _ in checked:
            pass
        problem = checked.problem
        stream.seek(start)
        blocks = iter(GzipBlocks(stream, stream.read(READ_CHUNK_BYTES), limit))
    else:
        size = stream.seek(0, io.SEEK_END) - start
        if size > limit and size > len(first):
            raise FileTooLarge(f"file is larger than {limit} bytes")
        stream.seek(start + len(first))
        problem = None
        blocks = itertools.chain(
            [first], iter(functools.partial(stream.read, READ_CHUNK_BYTES), b""))
    head, size = [], 0
    for block in blocks:
        head.append(block)
        size += len(block)
        if size >= HEAD_BYTES:
            break
    after = next(blocks, None)
    rest = blocks if after is None else itertools.chain([after], blocks)
    return FileContent(b"".join(head), rest, after is None, problem)


def _position(stream: BinaryIO) -> Optional[int]:
    try:
        return stream.tell() if stream.seekable() else None
    except (AttributeError, OSError, ValueError):
        return None


class TextPieces:
    """A file's decoded text in pieces cut after a "\\n" (see formats.pieces), decoded as
    `decode_text` decodes a file without a declared charset: UTF-8, BOM dropped, undecodable
    bytes kept as lone surrogates. `saw_nul` and `saw_undecodable` turn True before the first
    piece that holds such bytes is handed out."""

    def __init__(self, head: bytes, rest: Iterable[bytes]):
        self._blocks = itertools.chain([head[len(UTF8_BOM):] if head.startswith(UTF8_BOM)
                                        else head], rest)
        self.saw_nul = False
        self.saw_undecodable = False

    def __iter__(self) -> Iterator[str]:
        partial: list[bytes] = []  # bytes of a line that goes on in the next block
        for block in self._blocks:
            if not self.saw_nul and b"\x00" in block:
                self.saw_nul = True
            cut = block.rfind(b"\n") + 1
            if not cut:
                partial.append(block)
                continue
            if partial:
                partial.append(block[:cut])
                lines = b"".join(partial)
            else:
                lines = block[:cut]
            partial = [block[cut:]] if cut < len(block) else []
            yield self._decode(lines)
        if partial:
            yield self._decode(b"".join(partial))

    def _decode(self, raw: bytes) -> str:
        # A piece ends after "\n", which no UTF-8 sequence spans: pieces decode on their own.
        if not self.saw_undecodable:
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError:
                self.saw_undecodable = True
        return raw.decode("utf-8", errors="surrogateescape")


def looks_binary(head: bytes) -> bool:
    """True for content that is no text format: NULs or many control bytes early on."""
    if not head:
        return False
    sample = head[:8192]
    if sample.count(b"\x00") > len(sample) // 100 + 1:
        return True
    return len(_CONTROL_BYTES.findall(sample)) > len(sample) // 20 + 2


def decode_text(raw: bytes) -> tuple[str, bool]:
    """Decode bytes to text; returns (text, clean). UTF-8 (BOM dropped) first; an HTML page
    that declares another charset is decoded with it; otherwise undecodable bytes survive as
    lone surrogates so the record that holds them can be rejected alone (clean=False)."""
    if raw.startswith(UTF8_BOM):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), True
    except UnicodeDecodeError:
        pass
    declared = _META_CHARSET.search(raw[:4096])
    if declared:
        try:
            return raw.decode(declared.group(1).decode("ascii")), True
        except (LookupError, UnicodeDecodeError):
            pass
    return raw.decode("utf-8", errors="surrogateescape"), False


def _record_text(record: RawRecord) -> Iterable[str]:
    for value in record.fields.values():
        if isinstance(value, str):
            yield value
        elif isinstance(value, list):
            yield from (v for v in value if isinstance(v, str))


def screen_record(record: RawRecord, check_nul: bool, check_bytes: bool) -> Optional[Reject]:
    """Reject one parsed record that still carries NUL bytes or undecodable bytes."""
    for value in _record_text(record):
        if check_bytes and _SURROGATE.search(value):
            return make_reject(record.source_uri, record.source_record, "read", "invalid_utf8",
                               "record holds bytes that are not valid UTF-8", record.excerpt)
        if check_nul and "\x00" in value:
            return make_reject(record.source_uri, record.source_record, "read", "nul_bytes",
                               "record holds NUL bytes", record.excerpt)
    return None


def _nul_and_surrogates(record: RawRecord) -> tuple[bool, bool]:
    """Whether a record's text holds NUL, and whether it holds surrogates."""
    holds_nul = holds_surrogates = False
    for value in _record_text(record):
        if value.isascii():
            holds_nul = holds_nul or "\x00" in value
            continue
        # Searching bytes is cheaper than searching non-Latin-1 text.
        encoded = value.encode("utf-8", "surrogatepass")
        holds_nul = holds_nul or b"\x00" in encoded
        holds_surrogates = holds_surrogates or (
            b"\xed" in encoded and _SURROGATE_BYTES.search(encoded) is not None)
    return holds_nul, holds_surrogates


def read_file_records(
    source_uri: str, stream: BinaryIO, input_format: str = "auto"
) -> Iterator[Union[RawRecord, Reject]]:
    """All records of one file, or rejects saying why a file or record could not be read."""
    try:
        content = open_content(stream, MAX_FILE_BYTES)
    except FileTooLarge as err:
        yield make_reject(source_uri, None, "read", "file_too_large", str(err), "")
        return
    except OSError as err:
        yield _unreadable(source_uri, err)
        return
    if looks_binary(content.head[:8192]):
        yield make_reject(source_uri, None, "read", "binary_content",
                          "file content is binary, not a text posting format", content.head[:200])
        return
    if content.problem:
        yield make_reject(source_uri, None, "read", content.problem,
                          f"{content.problem.replace('_', ' ')}: records before the damage are "
                          "kept", "")
    try:
        yield from _records(source_uri, content, input_format)
    except OSError as err:  # the stream failed after its head: what was read is kept
        yield _unreadable(source_uri, err)


def _unreadable(source_uri: str, err: OSError) -> Reject:
    return make_reject(source_uri, None, "read", "unreadable_file", f"{type(err).__name__}: {err}",
                       "")


def _records(
    source_uri: str, content: FileContent, input_format: str
) -> Iterator[Union[RawRecord, Reject]]:
    head = content.head[len(UTF8_BOM):] if content.head.startswith(UTF8_BOM) else content.head
    # A declared charset may decode the whole file differently: such files are read whole.
    if not _META_CHARSET.search(head[:4096]):
        head_text = codecs.getincrementaldecoder("utf-8")("surrogateescape").decode(
            head, final=content.complete)
        if content.complete and (not head_text or head_text.isspace()):
            return  # an empty file holds no records: nothing read, nothing lost
        source_format = input_format
        if source_format == "auto":
            source_format = formats.detect_format(source_uri, head_text[:SNIFF_CHARS])
        if formats.parses_in_pieces(source_format, head_text):
            yield from _records_in_pieces(
                source_uri, TextPieces(content.head, content.rest), source_format)
            return
    raw = b"".join(itertools.chain([content.head], content.rest))
    yield from _records_of_whole_file(source_uri, raw, input_format)


def _records_in_pieces(
    source_uri: str, pieces: TextPieces, source_format: str
) -> Iterator[Union[RawRecord, Reject]]:
    """The records of a file parsed as its text arrives, screened as if the whole file had been
    searched for NUL and undecodable bytes first."""
    # A record is screened for what the whole file holds. Bytes are seen before the records
    # made of them, so a record can only miss a check when a JSON escape put NUL or a
    # surrogate into it before the file showed such bytes: that record waits for the end.
    waiting: list[RawRecord] = []
    may_escape = source_format in _ESCAPING_FORMATS
    for item in formats.parse_pieces(source_uri, pieces, source_format):
        if isinstance(item, RawRecord):
            if may_escape and not (pieces.saw_nul and pieces.saw_undecodable):
                holds_nul, holds_surrogates = _nul_and_surrogates(item)
                if (holds_nul and not pieces.saw_nul) or (
                        holds_surrogates and not pieces.saw_undecodable):
                    waiting.append(item)
                    continue
            if pieces.saw_nul or pieces.saw_undecodable:
                reject = screen_record(item, pieces.saw_nul, pieces.saw_undecodable)
                if reject is not None:
                    yield reject
                    continue
        yield item
    for record in waiting:
        yield screen_record(record, pieces.saw_nul, pieces.saw_undecodable) or record


def _records_of_whole_file(
    source_uri: str, raw: bytes, input_format: str
) -> Iterator[Union[RawRecord, Reject]]:
    check_nul = b"\x00" in raw  # a byte search: far cheaper than searching the decoded text
    text, clean = decode_text(raw)
    del raw
    if not text or text.isspace():
        return  # an empty file holds no records: nothing read, nothing lost
    source_format = input_format
    if source_format == "auto":
        source_format = formats.detect_format(source_uri, text[:SNIFF_CHARS])
    for item in formats.parse_file(source_uri, text, source_format):
        if isinstance(item, RawRecord) and (check_nul or not clean):
            reject = screen_record(item, check_nul, not clean)
            if reject is not None:
                yield reject
                continue
        yield item


class ReadFileRecordsFn(beam.DoFn):
    """Parses one ReadableFile into RawRecords (main) and Rejects (tagged)."""

    def __init__(self, input_format: str):
        self._input_format = input_format
        self._files = Metrics.counter("read", "files")
        self._records = Metrics.counter("read", "records")
        self._rejects = Metrics.counter("read", "rejects")

    def process(self, readable_file):
        source_uri = readable_file.metadata.path
        self._files.inc()
        emitted = 0
        try:
            with readable_file.open(compression_type=CompressionTypes.UNCOMPRESSED) as stream:
                for item in read_file_records(source_uri, stream, self._input_format):
                    emitted += 1
                    yield self._route(item)
        except Exception as err:  # noqa: BLE001 - one parser bug must not fail the whole job
            # Records already emitted stay; the rest of this file becomes one counted reject.
            LOG.exception("reading %s failed after %d records", source_uri, emitted)
            yield self._route(make_reject(source_uri, emitted, "read", "parser_error",
                                          f"{type(err).__name__}: {err}", ""))

    def _route(self, item):
        if isinstance(item, Reject):
            self._rejects.inc()
            return beam.pvalue.TaggedOutput(REJECTS_TAG, item)
        self._records.inc()
        return item


def deal_order(files: Sequence) -> list:
    """Matched files in the order they are dealt to workers: largest first (ties by path),
    so workers taking turns get about even shares of bytes."""
    return sorted(files, key=lambda metadata: (-metadata.size_in_bytes, metadata.path))


class _DealFilesFn(beam.DoFn):
    """A bundle's matched files -> (turn, file) in deal_order. A runner that hands grouped
    keys to its workers in turn (the local FnApiRunner does) then gives each worker an even
    share of the bytes; a random reshuffle left one of two workers with a third more work.
    Other runners spread the keys by hash, as they would a reshuffle."""

    def start_bundle(self):
        self._files = []

    def process(self, metadata):
        self._files.append(metadata)

    def finish_bundle(self):
        for turn, metadata in enumerate(deal_order(self._files)):
            yield GlobalWindows.windowed_value((turn, metadata))


class ReadPostings(beam.PTransform):
    """Input patterns -> RawRecords ("records") and read Rejects ("rejects")."""

    def __init__(self, patterns: Sequence[str], input_format: str = "auto"):
        super().__init__()
        if not patterns:
            raise ValueError("ReadPostings needs at least one input pattern")
        if input_format not in INPUT_FORMATS:
            raise ValueError(f"input_format must be one of {INPUT_FORMATS}, not {input_format!r}")
        self._patterns = list(patterns)
        self._input_format = input_format

    def expand(self, pbegin):
        return (
            pbegin
            | "InputPatterns" >> beam.Create(self._patterns)
            | "MatchInputFiles" >> fileio.MatchAll(fileio.EmptyMatchTreatment.ALLOW_IF_WILDCARD)
            | "DealFiles" >> beam.ParDo(_DealFilesFn())
            | "SpreadFiles" >> beam.GroupByKey()
            | "FilesOfTurn" >> beam.FlatMap(lambda turn_files: turn_files[1])
            | "OpenInputFiles" >> fileio.ReadMatches()
            | "ParseFiles" >> beam.ParDo(ReadFileRecordsFn(self._input_format)).with_outputs(
                REJECTS_TAG, main="records")
        )
