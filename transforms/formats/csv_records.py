"""CSV postings: a header row, then one posting per row; `,` `;` `|` or tab separated, BOM
and quoted newlines allowed (USAJOBS exports, Place de l'emploi public, LinkedIn, JobSpy).

Called by the format dispatch; yields one RawRecord per row and a Reject (stage "parse") for
every row that is not well formed: unclosed quotes, missing or extra columns, empty rows.
"""
from __future__ import annotations

import csv
import itertools
import re
from typing import Callable, Iterable, Iterator, Optional, Union

from schemas.posting import MAX_RECORD_BYTES, RawRecord
from schemas.rejects import EXCERPT_CHARS, Reject, make_reject
from transforms.formats.fields import fields_for_header, generic_fields
from transforms.formats.json_records import FieldsFn
from transforms.formats.pieces import may_hold_nul, pieces_of

# Record-level problems are parse rejects; "read" is for files (binary, too large, gzip).
STAGE = "parse"
DELIMITERS = (",", ";", "|", "\t")
Item = Union[RawRecord, Reject]

_QUOTE_AND_LINE_ENDS = ('"', "\r", "\n")
_LONE_CR = re.compile("\r(?!\n)")
# Line ends looked for one at a time before the rest are counted at once.
_FIND_LINES_MAX = 1000
# A row whose quoted field is still open this far on is left to the csv module (it is over
# the record size limit anyway): the plain splitter reads a row again as each piece arrives.
_PLAIN_ROW_MAX_CHARS = MAX_RECORD_BYTES
# _plain_row's answer when the text ends before the row does and more text may follow.
_NEED_MORE = object()


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


class _CsvText:
    """A CSV file's text as it arrives in pieces cut after a "\\n" (see formats.pieces), kept
    from the current row's first character on (`text[start:]`); a leading BOM is dropped.

    Rows are cut out of this text by offset: splitting every piece into lines and joining a
    row's lines back cost more than splitting the rows into fields. Lines (counted only for
    error details) end as `split_lines` ends them.
    """

    def __init__(self, pieces: Iterable[str]):
        self.source = pieces  # asked whether it saw NUL (formats.pieces.may_hold_nul)
        self._pieces = (piece for piece in pieces if piece)
        self.text = ""
        self.start = 0  # offset of the current row's first character
        self.complete = False  # the text holds the file's last piece
        self._lines_before_text = 0
        first = next(self._pieces, None)
        if first is None:
            self.complete = True
        else:
            self.text = first[1:] if first.startswith("\ufeff") else first

    def more(self) -> bool:
        """Append the next piece, dropping the text before the current row; False (and
        `complete`) when there is none."""
        piece = next(self._pieces, None)
        if piece is None:
            self.complete = True
            return False
        if self.start:
            self._lines_before_text += _count_lines(self.text, 0, self.start)
            self.text = self.text[self.start:] + piece
            self.start = 0
        else:
            self.text += piece
        return True

    def line_number(self) -> int:
        """The number of the current row's first line, counted from 0."""
        return self._lines_before_text + _count_lines(self.text, 0, self.start)

    def next_line(self) -> Optional[str]:
        """The line at the current row's start, which becomes the next row's start."""
        while True:
            bounds = _line_at(self.text, self.start, self.complete)
            if bounds is not None:
                break
            if not self.more():
                bounds = _line_at(self.text, self.start, True)
                if bounds is None:
                    return None
                break
        line = self.text[self.start:bounds[1]]
        self.start = bounds[1]
        return line

    def lines(self, consumed: list[str]) -> Iterator[str]:
        """The lines from the current row's start on (what a csv reader reads), each also
        appended to `consumed`; the text is kept from the row's start while they are read."""
        offset = 0  # from self.start, which more() may move
        while True:
            position = self.start + offset
            bounds = _line_at(self.text, position, self.complete)
            if bounds is None:
                if self.more():
                    continue
                bounds = _line_at(self.text, self.start + offset, True)
                if bounds is None:
                    return
                position = self.start + offset
            line = self.text[position:bounds[1]]
            offset += len(line)
            consumed.append(line)
            yield line

    def end_row(self, end: int) -> str:
        """The raw text of the current row, which ends at offset `end`."""
        raw = self.text[self.start:end]
        self.start = end
        return raw


def _count_lines(text: str, start: int, end: int) -> int:
    """The number of lines in text[start:end], which ends where a line ends."""
    # Lines are found one by one with str.find (memchr) while they are long: str.count looks
    # at every character, several times slower on CSV exports whose lines run to kilobytes.
    lines = 0
    found = text.find("\n", start, end)
    while found != -1:
        lines += 1
        if lines == _FIND_LINES_MAX:
            lines += text.count("\n", found + 1, end)
            break
        found = text.find("\n", found + 1, end)
    carriage = text.find("\r", start, end)
    carriages = 0
    while carriage != -1:
        if not text.startswith("\n", carriage + 1):
            lines += 1  # a lone "\r"
        carriages += 1
        if carriages == _FIND_LINES_MAX:
            lines += sum(1 for _ in _LONE_CR.finditer(text, carriage + 1, end))
            break
        carriage = text.find("\r", carriage + 1, end)
    return lines


def _line_at(text: str, start: int, complete: bool) -> Optional[tuple[int, int]]:
    """(where its ending starts, where the next line starts) for the line of `text` that holds
    offset `start`, ended as `split_lines` ends lines; None when the text ends before it is
    known where the line ends (or, for a complete text, when no line starts at `start`)."""
    length = len(text)
    if start >= length:
        return None
    newline = text.find("\n", start)
    stop = length if newline == -1 else newline + 1
    carriage = text.find("\r", start, stop)
    if carriage == -1:
        if newline == -1:
            return (length, length) if complete else None
        return newline, stop
    if carriage + 1 == length and not complete:
        return None  # a "\n" may follow in the next piece
    return carriage, carriage + 2 if text.startswith("\n", carriage + 1) else carriage + 1


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
    csv_text = _CsvText(pieces)
    header_line = csv_text.next_line()
    while header_line is not None and not header_line.strip():
        header_line = csv_text.next_line()
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
    plain_rows = len(delimiter) == 1 and delimiter not in _QUOTE_AND_LINE_ENDS
    field_limit = csv.field_size_limit()
    while True:
        split = _split_plain_row(csv_text, delimiter, field_limit) if plain_rows else None
        if split is not None:
            row, end = split
            raw = csv_text.end_row(end)
            if row:
                yield _row_item(source_uri, source_format, row_index, header, row, raw, row_fields,
                                may_hold_nul(csv_text.source))
                row_index += 1
            continue
        # Anything but a plain row (and the end of the file) is the csv module's to decide.
        consumed: list[str] = []
        reader = csv.reader(csv_text.lines(consumed), delimiter=delimiter, strict=True)
        try:
            row = next(reader, None)
        except csv.Error as err:
            line_number = csv_text.line_number()
            # The broken row's first line and the two after it.
            excerpt = "".join(itertools.islice(csv_text.lines([]), 3))
            yield make_reject(source_uri, row_index, STAGE, _error_reason(err),
                              f"CSV row {row_index} (line {line_number + 1}): {err}", excerpt)
            csv_text.next_line()  # the next row starts on the broken row's second line
            row_index += 1
            continue
        if row is None:
            return
        raw = "".join(consumed[:reader.line_num])
        csv_text.end_row(csv_text.start + len(raw))
        if row:
            yield _row_item(source_uri, source_format, row_index, header, row, raw, row_fields,
                            may_hold_nul(csv_text.source))
            row_index += 1


def _split_plain_row(
    csv_text: _CsvText, delimiter: str, field_limit: int
) -> Optional[tuple[list[str], int]]:
    """The fields of the row that starts at `csv_text.start` and the offset after it, when the
    row is plain CSV: every field unquoted, or quoted and followed by the delimiter or the
    row's end. None for anything else, and at the end of the file.

    csv.reader (strict, double quotes) splits a plain row into exactly these fields, at ~50
    instructions a character; str.find and str.split find the quotes and delimiters at a few,
    so long rows (USAJOBS: 16 KB, 80 columns) cost a fraction.
    """
    while True:
        split = _plain_row(csv_text.text, csv_text.start, delimiter, field_limit,
                           csv_text.complete)
        if split is not _NEED_MORE or not csv_text.more():
            break
    if split is _NEED_MORE:
        split = _plain_row(csv_text.text, csv_text.start, delimiter, field_limit, True)
    return split


def _plain_row(text: str, start: int, delimiter: str, field_limit: int, complete: bool):
    """_split_plain_row on the text so far: the fields and end offset, None, or _NEED_MORE."""
    bounds = _line_at(text, start, complete)
    if bounds is None:
        return None if complete else _NEED_MORE
    row_end, end = bounds  # where the row's last line (so far) ends, and the line after it
    if text[start] in "\r\n":
        return [], end  # a blank line: csv.reader gives an empty row too
    quoted_field_start = delimiter + '"'
    fields: list[str] = []
    position = start
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
                if not _CSV_TAKES_NUL and "\x00" in text[start:end]:
                    return None
                return fields, end
            position = cut + 1
        close = text.find('"', position + 1)
        doubled = False
        while True:
            if close == -1 or (close + 1 == len(text) and not complete):
                # The quote may close further on, unless the row is past any record's size.
                if complete or len(text) - start > _PLAIN_ROW_MAX_CHARS:
                    return None
                return _NEED_MORE
            if text.startswith('"', close + 1):
                doubled = True
                close = text.find('"', close + 2)
            else:
                break
        if close > row_end:  # the quoted field goes on over the next lines
            bounds = _line_at(text, close, complete)
            if bounds is None:
                return None if complete else _NEED_MORE
            row_end, end = bounds
        field = text[position + 1:close]
        if doubled:
            field = field.replace('""', '"')
        if len(field) > field_limit:
            return None
        fields.append(field)
        position = close + 1
        if not text.startswith(delimiter, position):
            if position != row_end or (not _CSV_TAKES_NUL and "\x00" in text[start:end]):
                return None
            return fields, end
        position += 1


def _row_item(
    source_uri: str, source_format: str, row_index: int, header: list, row: list, raw: str,
    row_fields: Callable[[list], Optional[dict]], may_hold_nul: bool = True,
) -> Item:
    if len(row) != len(header):
        return make_reject(source_uri, row_index, STAGE, "csv_wrong_column_count",
                           f"CSV row {row_index} has {len(row)} columns, the header has "
                           f"{len(header)}", raw)
    if len(raw) * 4 > MAX_RECORD_BYTES and len(raw.encode("utf-8", "surrogatepass")) \
            > MAX_RECORD_BYTES:
        return make_reject(source_uri, row_index, STAGE, "record_too_large",
                           f"CSV row {row_index} is over {MAX_RECORD_BYTES} bytes", raw)
    if may_hold_nul and "\x00" in raw:
        return make_reject(source_uri, row_index, STAGE, "nul_bytes",
                           f"CSV row {row_index} holds NUL bytes", raw)
    for value in row:
        if value and not value.isspace():
            break
    else:
        return make_reject(source_uri, row_index, STAGE, "empty_record",
                           f"CSV row {row_index} has no values", raw)
    fields = row_fields(row) or {}
    return RawRecord(source_uri, row_index, source_format, fields, raw[:EXCERPT_CHARS])
