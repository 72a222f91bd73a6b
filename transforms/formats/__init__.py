"""Raw input formats: per-file format detection and the dispatch to each format's parser.

transforms.read calls `detect_format` (unless --input_format overrides it), then
`parse_pieces` for the line-based formats (CSV, JSON lines: the text is parsed as it is read)
and `parse_file` for whole documents; each parser yields RawRecords and Rejects (stage "parse"
for a bad record, "read" for a file no parser can take).
"""
from __future__ import annotations

import re
from typing import Iterable, Iterator, Union

from schemas.posting import RawRecord
from schemas.rejects import Reject, make_reject
from transforms.formats.csv_records import parse_csv, parse_csv_pieces
from transforms.formats.greenhouse import parse_greenhouse
from transforms.formats.html_page import parse_html_page
from transforms.formats.json_records import parse_json, parse_jsonl, parse_jsonl_pieces
from transforms.formats.lever import parse_lever
from transforms.formats.text_page import parse_text_page

_COMPRESSED_SUFFIXES = (".gz", ".gzip")
_EXTENSIONS = {
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".jsonlines": "jsonl", ".json": "json",
    ".csv": "csv", ".tsv": "csv", ".psv": "csv", ".html": "html", ".htm": "html",
    ".xhtml": "html", ".txt": "text", ".text": "text", ".md": "text",
}
_GREENHOUSE = re.compile(r'^\s*\{\s*"jobs"\s*:\s*\[')
_GREENHOUSE_KEYS = re.compile(r'"(?:absolute_url|internal_job_id|pay_input_ranges|'
                              r'requisition_id|data_compliance)"\s*:')
_LEVER_KEYS = re.compile(r'"(?:hostedUrl|categories)"\s*:')
_JOBSPY_JSON_KEYS = ('"job_url"', '"site"')
_JOBSPY_COLUMNS = ("job_url", "site", "min_amount")
_HTML_START = re.compile(r"^\s*(?:<!doctype\s+html|<html|<head|<body|<div|<section|<article|"
                         r"<main|<ul|<li|<p[\s>]|<h[1-6]|<!--)", re.I)
_LINE_DELIMITERS = (",", ";", "|", "\t")
_JSON_STARTS = ("[", "{")


def _extension(source_uri: str) -> str:
    path = source_uri.lower().split("?", 1)[0]
    for suffix in _COMPRESSED_SUFFIXES:
        if path.endswith(suffix):
            path = path[: -len(suffix)]
    name = path.rsplit("/", 1)[-1]
    return "." + name.rsplit(".", 1)[-1] if "." in name else ""


def _json_kind(head: str) -> str:
    """jsonl, json, greenhouse, lever or jobspy for text that starts like JSON."""
    stripped = head.lstrip("\ufeff \t\r\n")
    if _GREENHOUSE.match(stripped) and _GREENHOUSE_KEYS.search(stripped):
        return "greenhouse"
    if stripped.startswith("["):
        if _LEVER_KEYS.search(stripped[:20_000]) and '"text"' in stripped[:20_000]:
            return "lever"
        if all(key in stripped[:20_000] for key in _JOBSPY_JSON_KEYS):
            return "jobspy"
        return "json"
    first_line, _, rest = stripped.partition("\n")
    if first_line.rstrip().endswith("}") and rest.lstrip().startswith("{"):
        if all(key in first_line for key in _JOBSPY_JSON_KEYS):
            return "jobspy"
        return "jsonl"
    return "json"


def _csv_kind(head: str) -> str:
    header = head.lstrip("\ufeff").split("\n", 1)[0].lower()
    columns = {column.strip().strip('"') for column in re.split(r"[,;|\t]", header)}
    return "jobspy" if all(column in columns for column in _JOBSPY_COLUMNS) else "csv"


def _looks_like_csv(head: str) -> bool:
    lines = [line for line in head.split("\n")[:5] if line.strip()]
    if len(lines) < 2:
        return False
    for delimiter in _LINE_DELIMITERS:
        count = lines[0].count(delimiter)
        if count >= 1 and lines[1].count(delimiter) == count:
            return True
    return False


def detect_format(source_uri: str, head: str) -> str:
    """The format of one file from its name and first ~64 KB of text: jsonl, json, csv, html,
    text, greenhouse, lever or jobspy. Content wins over a generic extension: a `.json` file
    may hold a Greenhouse or Lever response, a `.csv` file a JobSpy export."""
    by_extension = _EXTENSIONS.get(_extension(source_uri))
    stripped = head.lstrip("\ufeff \t\r\n")
    if by_extension in ("json", "jsonl"):
        kind = _json_kind(head)
        if by_extension == "jsonl" and kind == "json":
            return "jsonl"
        return kind
    if by_extension == "csv":
        return _csv_kind(head)
    if by_extension in ("html", "text"):
        return by_extension
    if stripped[:1] in ("{", "["):
        return _json_kind(head)
    if stripped.startswith("<") and _HTML_START.match(stripped):
        return "html"
    if _looks_like_csv(stripped):
        return _csv_kind(stripped)
    return "text"


def parse_file(
    source_uri: str, text: str, source_format: str
) -> Iterator[Union[RawRecord, Reject]]:
    """Every record of one decoded file, parsed as `source_format`."""
    parser = _PARSERS.get(source_format)
    if parser is None:
        yield make_reject(source_uri, None, "read", "unknown_format",
                          f"no parser for format {source_format!r}", text[:200])
        return
    yield from parser(source_uri, text)


def parses_in_pieces(source_format: str, head: str) -> bool:
    """True when files of `source_format` that start with `head` are parsed line by line as
    their text arrives (`parse_pieces`); whole documents need all their text at once."""
    if source_format == "jobspy":
        start = head.lstrip("\ufeff \t\r\n")[:1]
        return start != "" and start not in _JSON_STARTS
    return source_format in ("csv", "jsonl")


def parse_pieces(
    source_uri: str, pieces: Iterable[str], source_format: str
) -> Iterator[Union[RawRecord, Reject]]:
    """Every record of one file whose decoded text arrives in pieces cut after a "\\n"
    (formats.pieces), for a format that `parses_in_pieces`."""
    if source_format == "jsonl":
        return parse_jsonl_pieces(source_uri, pieces)
    return parse_csv_pieces(source_uri, pieces, source_format)


def _parse_jobspy(source_uri: str, text: str) -> Iterator[Union[RawRecord, Reject]]:
    # JobSpy writes CSV by default and JSON when asked; its keys are generic aliases.
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped[:1] in _JSON_STARTS:
        yield from parse_json(source_uri, text, "jobspy")
    else:
        yield from parse_csv(source_uri, text, "jobspy")


_PARSERS = {
    "jsonl": parse_jsonl,
    "json": parse_json,
    "csv": parse_csv,
    "greenhouse": parse_greenhouse,
    "lever": parse_lever,
    "jobspy": _parse_jobspy,
    "html": parse_html_page,
    "text": parse_text_page,
}
