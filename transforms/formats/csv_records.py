"""CSV postings: a header row, then one posting per row; `,` `;` `|` or tab separated, BOM
and quoted newlines allowed (USAJOBS exports, Place de l'emploi public, LinkedIn, JobSpy).

Called by the format dispatch; yields one RawRecord per row and a Reject (stage "parse") for
every row that is not well formed: unclosed quotes, missing or extra columns, empty rows.
"""
from __future__ import annotations

import csv
import io
import itertools
from typing import Iterator, Optional, Union

from schemas.posting import MAX_RECORD_BYTES, RawRecord
from schemas.rejects import EXCERPT_CHARS, Reject, make_reject
from transforms.formats.fields import generic_fields
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
    lines = io.StringIO(text, newline="").readlines()
    header_at = next((number for number, line in enumerate(lines) if line.strip()), None)
    if header_at is None:
        return
    delimiter = delimiter or sniff_delimiter(lines[header_at])
    try:
        header = next(csv.reader([lines[header_at]], delimiter=delimiter, strict=True))
    except csv.Error as err:
        yield make_reject(source_uri, None, STAGE, "csv_invalid_header",
                          f"the header row cannot be read: {err}", lines[header_at])
        return
    header = [name.strip() for name in header]
    row_index = 0
    position = header_at + 1
    while position < len(lines):
        reader = csv.reader(itertools.islice(lines, position, None), delimiter=delimiter,
                            strict=True)
        consumed = 0
        try:
            for row in reader:
                first_line, consumed = position + consumed, reader.line_num
                if not row:
                    continue
                raw = "".join(lines[first_line:position + consumed])
                yield _row_item(source_uri, source_format, row_index, header, row, raw, to_fields)
                row_index += 1
            return
        except csv.Error as err:
            first_line = position + consumed
            reason = _error_reason(err)
            yield make_reject(source_uri, row_index, STAGE, reason,
                              f"CSV row {row_index} (line {first_line + 1}): {err}",
                              "".join(lines[first_line:first_line + 3]))
            row_index += 1
            position = first_line + 1


def _row_item(
    source_uri: str, source_format: str, row_index: int, header: list, row: list, raw: str,
    to_fields: FieldsFn,
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
    record = {name: value for name, value in zip(header, row) if name}
    fields = to_fields(record) or {}
    return RawRecord(source_uri, row_index, source_format, fields, raw[:EXCERPT_CHARS])
