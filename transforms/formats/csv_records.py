"""CSV postings: a header row, then one posting per row; `,` `;` `|` or tab separated, BOM
and quoted newlines allowed (USAJOBS exports, Place de l'emploi public, LinkedIn, JobSpy).

Called by the format dispatch; yields one RawRecord per row and a Reject (stage "parse") for
every row that is not well formed: unclosed quotes, missing or extra columns, empty rows.
"""
from __future__ import annotations

import csv
import itertools
from typing import Callable, Iterator, Optional, Union

from schemas.posting import MAX_RECORD_BYTES, RawRecord
from schemas.rejects import EXCERPT_CHARS, Reject, make_reject
from transforms.formats.fields import fields_for_header, generic_fields
from transforms.formats.json_records import FieldsFn

# Record-level problems are parse rejects; "read" is for files (binary, too large, gzip).
STAGE = "parse"
DELIMITERS = (",", ";", "|", "\t")
Item = Union[RawRecord, Reject]

# One field may be as large as a whole record; the csv default (128 KiB) is too small for
# long descriptions, and the record limit is enforced per row below.
csv.field_size_limit(max(csv.field_size_limit(), MAX_RECORD_BYTES))


def sniff_delimiter(header_line: str) -> str:
    """The separator used most often in the header line (`,` on a tie or when none is used)."""
    counts = {delimiter: header_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] > 0 else ","


def _error_reason(err: csv.Error) -> str:
    message = str(err)
    if "field larger than field limit" in message:
        return "record_too_large"
    if "unexpected end of data" in message or "EOF" in message:
        return "csv_unclosed_quote"
    return "csv_invalid_quoting"


def split_lines(text: str) -> Iterator[str]:
    """The lines of `text` with their endings, one at a time, split exactly as
    io.StringIO(text, newline="").readlines() splits them (at \\n, \\r\\n and a lone \\r).

    Lazy, so a file read only in part (or a huge one) is never split whole up front.
    """
    length = len(text)
    start = 0
    while start < length:
        end = text.find("\n", start) + 1 or length
        line = text[start:end]
        start = end
        if "\r" not in line:
            yield line
            continue
        piece_start = 0
        while piece_start < len(line):
            cut = line.find("\r", piece_start) + 1 or len(line)
            if line.startswith("\n", cut):
                cut += 1
            yield line[piece_start:cut]
            piece_start = cut


class _RowLines:
    """The line iterator the csv reader reads: it keeps the lines handed out since the last
    row ended (that row's raw text) and can hand lines out again (to restart after a broken
    row on the line after its first)."""

    def __init__(self, text: str):
        self._lines = split_lines(text)
        self._again: list[str] = []  # lines to hand out again, last one first
        self.taken: list[str] = []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self._again.pop() if self._again else next(self._lines)
        self.taken.append(line)
        return line

    def peek(self, count: int) -> list[str]:
        """Up to `count` lines that come next, left to be read again."""
        upcoming = list(itertools.islice(self, count))
        del self.taken[len(self.taken) - len(upcoming):]
        self.read_again(upcoming)
        return upcoming

    def read_again(self, lines: list[str]) -> None:
        self._again.extend(reversed(lines))


def parse_csv(
    source_uri: str, text: str, source_format: str = "csv", to_fields: FieldsFn = generic_fields,
    delimiter: Optional[str] = None,
) -> Iterator[Item]:
    """Rows as records, numbered from 0 after the header; blank lines are skipped.

    After a quoting error the reader restarts on the line after the broken row's first line,
    so one stray quote costs one row, not the rest of the file.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = _RowLines(text)
    header_line = next((line for line in lines if line.strip()), None)
    if header_line is None:
        return
    delimiter = delimiter or sniff_delimiter(header_line)
    try:
        header = next(csv.reader([header_line], delimiter=delimiter, strict=True))
    except csv.Error as err:
        yield make_reject(source_uri, None, STAGE, "csv_invalid_header",
                          f"the header row cannot be read: {err}", header_line)
        return
    header = [name.strip() for name in header]
    if to_fields is generic_fields:
        row_fields = fields_for_header(header)
    else:
        def row_fields(row: list) -> Optional[dict]:
            return to_fields({name: value for name, value in zip(header, row) if name})
    row_index = 0
    line_number = len(lines.taken)  # lines before the next row: blank ones and the header
    lines.taken = []
    while True:
        reader = csv.reader(lines, delimiter=delimiter, strict=True)
        try:
            for row in reader:
                row_lines, lines.taken = lines.taken, []
                line_number += len(row_lines)
                if not row:
                    continue
                raw = "".join(row_lines)
                yield _row_item(source_uri, source_format, row_index, header, row, raw, row_fields)
                row_index += 1
            return
        except csv.Error as err:
            broken, lines.taken = lines.taken, []
            lines.read_again(broken[1:])
            excerpt = "".join(broken[:1] + lines.peek(2))
            yield make_reject(source_uri, row_index, STAGE, _error_reason(err),
                              f"CSV row {row_index} (line {line_number + 1}): {err}", excerpt)
            row_index += 1
            line_number += 1


def _row_item(
    source_uri: str, source_format: str, row_index: int, header: list, row: list, raw: str,
    row_fields: Callable[[list], Optional[dict]],
) -> Item:
    if len(row) != len(header):
        return make_reject(source_uri, row_index, STAGE, "csv_wrong_column_count",
                           f"CSV row {row_index} has {len(row)} columns, the header has "
                           f"{len(header)}", raw)
    if len(raw) * 4 > MAX_RECORD_BYTES and len(raw.encode("utf-8", "surrogatepass")) \
            > MAX_RECORD_BYTES:
        return make_reject(source_uri, row_index, STAGE, "record_too_large",
                           f"CSV row {row_index} is over {MAX_RECORD_BYTES} bytes", raw)
    if "\x00" in raw:
        return make_reject(source_uri, row_index, STAGE, "nul_bytes",
                           f"CSV row {row_index} holds NUL bytes", raw)
    if not any(value.strip() for value in row):
        return make_reject(source_uri, row_index, STAGE, "empty_record",
                           f"CSV row {row_index} has no values", raw)
    fields = row_fields(row) or {}
    return RawRecord(source_uri, row_index, source_format, fields, raw[:EXCERPT_CHARS])
