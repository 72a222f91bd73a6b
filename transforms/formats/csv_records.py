"""CSV postings: a header row, then one posting per row; `,` `;` `|` or tab separated, BOM
and quoted newlines allowed (USAJOBS exports, Place de l'emploi public, LinkedIn, JobSpy).

Called by the format dispatch; yields one RawRecord per row and a Reject (stage "parse") for
every row that is not well formed: unclosed quotes, missing or extra columns, empty rows.
"""
from __future__ import annotations

import csv
import itertools
from typing import Callable, Iterable, Iterator, Optional, Union

from schemas.posting import MAX_RECORD_BYTES, RawRecord
from schemas.rejects import EXCERPT_CHARS, Reject, make_reject
from transforms.formats.fields import fields_for_header, generic_fields
from transforms.formats.json_records import FieldsFn
from transforms.formats.pieces import pieces_of

# Record-level problems are parse rejects; "read" is for files (binary, too large, gzip).
STAGE = "parse"
DELIMITERS = (",", ";", "|", "\t")
Item = Union[RawRecord, Reject]

_QUOTE_AND_LINE_ENDS = ('"', "\r", "\n")
# A quoted field running over more lines than this is left to the csv module.
_PLAIN_ROW_MAX_LINES = 1000


def _csv_takes_nul() -> bool:
    # Python 3.11 reads NUL as any other character; older versions raise "line contains NUL".
    try:
        return list(csv.reader(["a\x00b"])) == [["a\x00b"]]
    except csv.Error:
        return False


_CSV_TAKES_NUL = _csv_takes_nul()

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


def csv_line_lists(pieces: Iterable[str]) -> Iterator[list[str]]:
    """The lines of a text that arrives in pieces cut after a "\\n" (see formats.pieces), one
    list per piece, split exactly as `split_lines` splits the whole text; a leading BOM is
    dropped."""
    first = True
    for piece in pieces:
        if not piece:
            continue
        if first:
            first = False
            if piece.startswith("\ufeff"):
                piece = piece[1:]
        yield list(split_lines(piece))


class _RowLines:
    """The lines of a CSV file, numbered from 0, taken one by one by the plain-row splitter or
    as one iterator by a csv reader. The lines from the current row's first onward are kept:
    they are that row's raw text, and after a broken row the next row starts on the line
    after the broken row's first."""

    # Kept lines before the current row are dropped once there are this many of them.
    _DROP_AFTER = 4096

    def __init__(self, line_lists: Iterator[list[str]]):
        self._kept: list[str] = []
        self._kept_from = 0  # line number of _kept[0]
        self._source = itertools.chain.from_iterable(self._keeping(line_lists))
        self.taken = 0  # lines taken from the source so far
        self.row_start = 0  # line number of the current row's first line

    def _keeping(self, line_lists: Iterator[list[str]]) -> Iterator[list[str]]:
        for lines in line_lists:
            self._kept.extend(lines)
            yield lines

    def next_line(self) -> Optional[str]:
        """The next line from the source (it also becomes the current row's first line)."""
        line = next(self._source, None)
        if line is not None:
            self.taken += 1
        return line

    def line(self, number: int) -> Optional[str]:
        """Line `number` (not before the current row), taking lines up to it; None past the end."""
        while self.taken <= number:
            if self.next_line() is None:
                return None
        return self._kept[number - self._kept_from]

    def reader_lines(self) -> Iterator[str]:
        """What a new csv reader reads: lines taken but not yet read as rows, then the rest."""
        if self.row_start < self.taken:
            return itertools.chain(self.lines(self.row_start, self.taken), self._source)
        return self._source

    def lines(self, start: int, end: int) -> list[str]:
        return self._kept[start - self._kept_from:end - self._kept_from]

    def end_row(self, end: int) -> str:
        """The raw text of the current row, which ends before line `end`."""
        lines = self.lines(self.row_start, end)
        self.taken = max(self.taken, end)
        self.row_start = end
        if end - self._kept_from > self._DROP_AFTER:
            del self._kept[:end - self._kept_from]
            self._kept_from = end
        return "".join(lines)

    def broken_row_excerpt(self, end: int) -> str:
        """The first line of a broken row (which read up to line `end`) and the two after it."""
        self.taken = max(self.taken, end)
        while self.taken < self.row_start + 3 and self.next_line() is not None:
            pass
        return "".join(self.lines(self.row_start, min(self.taken, self.row_start + 3)))


def parse_csv(
    source_uri: str, text: str, source_format: str = "csv", to_fields: FieldsFn = generic_fields,
    delimiter: Optional[str] = None,
) -> Iterator[Item]:
    """Rows as records, numbered from 0 after the header; blank lines are skipped.

    After a quoting error the reader restarts on the line after the broken row's first line,
    so one stray quote costs one row, not the rest of the file.
    """
    return parse_csv_pieces(source_uri, pieces_of(text), source_format, to_fields, delimiter)


def parse_csv_pieces(
    source_uri: str, pieces: Iterable[str], source_format: str = "csv",
    to_fields: FieldsFn = generic_fields, delimiter: Optional[str] = None,
) -> Iterator[Item]:
    """`parse_csv` over a text that arrives in pieces cut after a "\\n" (formats.pieces)."""
    lines = _RowLines(csv_line_lists(pieces))
    header_line = lines.next_line()
    while header_line is not None and not header_line.strip():
        header_line = lines.next_line()
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
    lines.row_start = lines.taken
    plain_rows = len(delimiter) == 1 and delimiter not in _QUOTE_AND_LINE_ENDS
    field_limit = csv.field_size_limit()
    while True:
        split = _split_plain_row(lines, delimiter, field_limit) if plain_rows else None
        if split is not None:
            row, end = split
            raw = lines.end_row(end)
            if row:
                yield _row_item(source_uri, source_format, row_index, header, row, raw, row_fields)
                row_index += 1
            continue
        # Anything but a plain row (and the end of the file) is the csv module's to decide.
        reader_start = lines.row_start
        reader = csv.reader(lines.reader_lines(), delimiter=delimiter, strict=True)
        try:
            row = next(reader, None)
        except csv.Error as err:
            line_number = lines.row_start
            excerpt = lines.broken_row_excerpt(reader_start + reader.line_num)
            yield make_reject(source_uri, row_index, STAGE, _error_reason(err),
                              f"CSV row {row_index} (line {line_number + 1}): {err}", excerpt)
            lines.row_start += 1
            row_index += 1
            continue
        if row is None:
            return
        raw = lines.end_row(reader_start + reader.line_num)
        if row:
            yield _row_item(source_uri, source_format, row_index, header, row, raw, row_fields)
            row_index += 1


def _split_plain_row(
    lines: _RowLines, delimiter: str, field_limit: int
) -> Optional[tuple[list[str], int]]:
    """The fields of the row that starts on line `lines.row_start` and the number of the line
    after it, when the row is plain CSV: every field unquoted, or quoted and followed by the
    delimiter or the row's end. None for anything else, and at the end of the file.

    csv.reader (strict, double quotes) splits a plain row into exactly these fields, at ~50
    instructions a character; str.find and str.split find the quotes and delimiters at a few,
    so long rows (USAJOBS: 16 KB, 80 columns) cost a fraction.
    """
    start = lines.row_start
    text = lines.line(start)
    if text is None:
        return None
    end = start + 1
    if text[0] in "\r\n":
        return [], end  # a blank line: csv.reader gives an empty row too
    if not _CSV_TAKES_NUL and "\x00" in text:
        return None
    row_end = _row_end(text)
    quoted_field_start = delimiter + '"'
    fields: list[str] = []
    position = 0
    while True:
        if not text.startswith('"', position):
            # Unquoted fields up to the next quoted one: a quote inside a field is a character.
            cut = text.find(quoted_field_start, position, row_end)
            unquoted = text[position:row_end if cut == -1 else cut].split(delimiter)
            if cut - position > field_limit or (cut == -1 and row_end - position > field_limit):
                if any(len(field) > field_limit for field in unquoted):
                    return None
            fields += unquoted
            if cut == -1:
                return fields, end
            position = cut + 1
        close = text.find('"', position + 1)
        doubled = False
        while True:
            if close == -1:  # the quoted field goes on in the next line
                more = lines.line(end)
                if more is None or end - start >= _PLAIN_ROW_MAX_LINES or (
                        not _CSV_TAKES_NUL and "\x00" in more):
                    return None
                searched = len(text)
                text += more
                end += 1
                row_end = _row_end(text)
                close = text.find('"', searched)
            elif text.startswith('"', close + 1):
                doubled = True
                close = text.find('"', close + 2)
            else:
                break
        field = text[position + 1:close]
        if doubled:
            field = field.replace('""', '"')
        if len(field) > field_limit:
            return None
        fields.append(field)
        position = close + 1
        if not text.startswith(delimiter, position):
            return (fields, end) if position == row_end else None
        position += 1


def _row_end(text: str) -> int:
    """Where the line ending of a row's last line starts (the text's end when it has none)."""
    if text.endswith("\n"):
        return len(text) - 2 if text.endswith("\r\n") else len(text) - 1
    return len(text) - 1 if text.endswith("\r") else len(text)


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
    if all(not value or value.isspace() for value in row):
        return make_reject(source_uri, row_index, STAGE, "empty_record",
                           f"CSV row {row_index} has no values", raw)
    fields = row_fields(row) or {}
    return RawRecord(source_uri, row_index, source_format, fields, raw[:EXCERPT_CHARS])
