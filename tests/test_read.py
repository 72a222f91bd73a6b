"""Reading files: gzip with a decompression cap, truncated archives, binary content and
decoding, before any format parser sees the text."""
import gzip
import io
import zlib

import pytest

from transforms.read import (FileTooLarge, decode_text, looks_binary, read_capped)

POSTING_LINE = b'{"id": "1", "title": "Data Scientist", "description": "Python and SQL"}\n'


def test_plain_bytes_are_read_whole():
    assert read_capped(io.BytesIO(POSTING_LINE * 3)) == (POSTING_LINE * 3, None)


def test_gzip_is_inflated_by_content_not_name():
    assert read_capped(io.BytesIO(gzip.compress(POSTING_LINE * 2))) == (POSTING_LINE * 2, None)


def test_concatenated_gzip_members_are_all_read():
    joined = gzip.compress(POSTING_LINE) + gzip.compress(POSTING_LINE.replace(b'"1"', b'"2"'))
    content, problem = read_capped(io.BytesIO(joined))
    assert problem is None
    assert content.count(b'"title"') == 2 and b'"2"' in content


def test_truncated_gzip_keeps_what_came_before_the_cut():
    whole = gzip.compress(POSTING_LINE * 2000)
    content, problem = read_capped(io.BytesIO(whole[: len(whole) // 2]))
    assert problem == "truncated_gzip"
    assert content.startswith(POSTING_LINE * 10)
    assert 0 < len(content) < len(POSTING_LINE * 2000)


def test_gzip_bomb_stops_at_the_cap_without_inflating_it_all():
    bomb = gzip.compress(b"\0" * (20 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 100_000
    with pytest.raises(FileTooLarge, match="decompressed size is larger than 1048576 bytes"):
        read_capped(io.BytesIO(bomb), limit=1024 * 1024)


def test_plain_file_over_the_cap_is_refused():
    with pytest.raises(FileTooLarge, match="file is larger than 100 bytes"):
        read_capped(io.BytesIO(b"x" * (3 * 1024 * 1024)), limit=100)


def test_corrupt_gzip_body_is_reported():
    whole = bytearray(gzip.compress(POSTING_LINE * 50))
    whole[20:40] = b"\xff" * 20
    content, problem = read_capped(io.BytesIO(bytes(whole)))
    assert problem == "corrupt_gzip"


@pytest.mark.parametrize("head, binary", [
    (POSTING_LINE, False),
    ("Ingénieur·e données, Göteborg — 3 ans d’expérience".encode(), False),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", True),
    (zlib.compress(POSTING_LINE * 40), True),
    (b"", False),
])
def test_looks_binary(head, binary):
    assert looks_binary(head) is binary


def test_decode_drops_the_bom():
    assert decode_text(b"\xef\xbb\xbfid,title\n1,Nurse\n") == ("id,title\n1,Nurse\n", True)


def test_decode_honours_a_declared_html_charset():
    page = '<html><head><meta charset="windows-1252"></head><body>Café – 5€</body></html>'
    assert decode_text(page.encode("cp1252")) == (page, True)


def test_undecodable_bytes_survive_as_surrogates_for_a_per_record_reject():
    text, clean = decode_text(b'{"title": "ok"}\n{"title": "caf\xe9"}\n')
    assert clean is False
    assert text.splitlines()[0] == '{"title": "ok"}'
    assert "\udce9" in text.splitlines()[1]


def test_read_postings_composite_routes_records_and_dead_letters(tmp_path):
    import apache_beam as beam
    from apache_beam.testing.test_pipeline import TestPipeline
    from apache_beam.testing.util import assert_that, equal_to

    from transforms.read import ReadPostings

    feed = tmp_path / "feed.jsonl.gz"
    feed.write_bytes(gzip.compress(POSTING_LINE + b'{"id": "2", "title": "Welder"}\n'))
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 400)
    with TestPipeline() as pipeline:
        read = pipeline | ReadPostings([str(tmp_path / "*")])
        records = read["records"] | "RecordIds" >> beam.Map(
            lambda r: (r.source_uri.rsplit("/", 1)[1], r.source_record, r.source_format,
                       r.fields["id"], r.fields["title"]))
        assert_that(records, equal_to([
            ("feed.jsonl.gz", 0, "jsonl", "1", "Data Scientist"),
            ("feed.jsonl.gz", 1, "jsonl", "2", "Welder")]), label="CheckRecords")
        rejects = read["rejects"] | "RejectReasons" >> beam.Map(
            lambda r: (r.source_uri.rsplit("/", 1)[1], r.stage, r.reason))
        assert_that(rejects, equal_to([("image.txt", "read", "binary_content")]),
                    label="CheckRejects")


# ---------------------------------------------------------------------------------------------
# Line-based files are decoded and parsed block by block; records and rejects are those of the
# whole file read at once.

def _read(name: str, content: bytes, stream_class=io.BytesIO) -> list:
    from transforms.read import read_file_records
    return list(read_file_records(name, stream_class(content)))


def _summary(items: list) -> list:
    from schemas.posting import RawRecord
    return [(item.source_record, "record", item.fields.get("title")) if isinstance(item, RawRecord)
            else (item.source_record, item.stage, item.reason) for item in items]


JOBS_CSV = ('id,title,description\n1,Ingénieur données,"Python, SQL\net Göteborg"\n'
            '2,Sjuksköterska,Natt\r\n3,"Cook ""Line""",Grill\n').encode()


def test_text_pieces_end_after_a_line_end_and_drop_the_bom():
    from transforms.read import TextPieces
    pieces = TextPieces(b"\xef\xbb\xbfid,title\n1,Nu", iter([b"rse\n2,Co", b"ok"]))
    assert list(pieces) == ["id,title\n", "1,Nurse\n", "2,Cook"]
    assert (pieces.saw_nul, pieces.saw_undecodable) == (False, False)


def test_small_blocks_give_the_records_of_the_whole_file(monkeypatch):
    import transforms.read
    whole = _read("jobs.csv", JOBS_CSV)
    assert _summary(whole) == [(0, "record", "Ingénieur données"), (1, "record", "Sjuksköterska"),
                               (2, "record", 'Cook "Line"')]
    monkeypatch.setattr(transforms.read, "READ_CHUNK_BYTES", 7)  # splits "é" and "ö" too
    monkeypatch.setattr(transforms.read, "HEAD_BYTES", 7)
    assert _read("jobs.csv", JOBS_CSV) == whole
    assert _read("jobs.csv", gzip.compress(JOBS_CSV)) == whole


def test_a_streamed_record_with_bad_bytes_is_rejected_alone(monkeypatch):
    import transforms.read
    monkeypatch.setattr(transforms.read, "READ_CHUNK_BYTES", 16)
    monkeypatch.setattr(transforms.read, "HEAD_BYTES", 16)
    content = JOBS_CSV.replace("Natt".encode(), b"Na\xfftt")
    assert _summary(_read("jobs.csv", content)) == [(0, "record", "Ingénieur données"),
                                                    (1, "read", "invalid_utf8"),
                                                    (2, "record", 'Cook "Line"')]


def test_a_json_escape_is_screened_for_what_the_whole_file_holds(monkeypatch):
    # The first record's NUL comes from an escape; the raw NUL byte is two lines later, so the
    # first record waits for the end of the file and is rejected as a whole-file read would.
    import transforms.read
    monkeypatch.setattr(transforms.read, "READ_CHUNK_BYTES", 16)
    monkeypatch.setattr(transforms.read, "HEAD_BYTES", 16)
    content = (b'{"id": "1", "title": "Driver\\u0000"}\n{"id": "2", "title": "Welder"}\n'
               b'{"id": "3", "title": "N\x00L"}\n')
    assert _summary(_read("feed.jsonl", content)) == [
        (1, "record", "Welder"), (2, "parse", "nul_bytes"), (0, "read", "nul_bytes")]
    # Without the raw NUL the file is clean and the waiting record is kept (last).
    assert _summary(_read("feed.jsonl", content.split(b"\n{\"id\": \"3\"")[0] + b"\n")) == [
        (1, "record", "Welder"), (0, "record", "Driver\x00")]


def test_a_cut_archive_is_reported_before_the_records_it_keeps():
    whole = gzip.compress(POSTING_LINE * 2000)
    items = _read("feed.jsonl.gz", whole[: len(whole) // 2])
    assert _summary(items[:2]) == [(None, "read", "truncated_gzip"),
                                   (0, "record", "Data Scientist")]
    assert 10 < len(items) < 2000


def test_the_size_cap_holds_for_streamed_files(monkeypatch):
    import transforms.read
    monkeypatch.setattr(transforms.read, "MAX_FILE_BYTES", 100)
    monkeypatch.setattr(transforms.read, "READ_CHUNK_BYTES", 16)
    monkeypatch.setattr(transforms.read, "HEAD_BYTES", 16)
    for name, content in (("jobs.csv", JOBS_CSV), ("jobs.csv.gz", gzip.compress(JOBS_CSV))):
        (reject,) = _read(name, content)
        assert (reject.reason, reject.source_record) == ("file_too_large", None)


class _Unseekable(io.BytesIO):
    def seekable(self):
        return False


def test_a_stream_that_cannot_seek_is_read_whole_with_the_same_records():
    assert _read("jobs.csv", JOBS_CSV, _Unseekable) == _read("jobs.csv", JOBS_CSV)


def test_a_declared_charset_page_is_decoded_whole():
    page = ('<html><head><meta charset="windows-1252"></head><body><h1>Chef de cuisine</h1>'
            '<p>Café – 5€ de prime</p></body></html>').encode("cp1252")
    (record,) = _read("chef.html", page)
    assert "Café – 5€ de prime" in record.fields["description"]


def test_files_are_dealt_largest_first():
    from apache_beam.io.filesystem import FileMetadata
    from transforms.read import deal_order
    files = [FileMetadata("b.csv", 10), FileMetadata("a.jsonl", 80), FileMetadata("c.csv", 10)]
    assert [f.path for f in deal_order(files)] == ["a.jsonl", "b.csv", "c.csv"]
