"""KeyedBatches and the batching DoFns: every element comes out once, in lists no longer
than the batch size."""
import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from transforms.batching import (
    BatchInBundleFn, KeyedBatches, pack, unpack, unpack_all,
)


def test_keyed_batches_hand_back_full_lists_and_drain_the_rest():
    batches = KeyedBatches(2)
    assert batches.add("GB", "london") is None
    assert batches.add("FR", "paris") is None
    assert batches.add("GB", "leeds") == ["london", "leeds"]
    assert batches.add("GB", "york") is None
    assert sorted(batches.drain()) == [("FR", ["paris"]), ("GB", ["york"])]
    assert list(batches.drain()) == []


def test_keyed_batches_need_a_positive_size():
    with pytest.raises(ValueError, match="max_size must be at least 1, got 0"):
        KeyedBatches(0)


def test_batch_dofns_keep_every_element_once():
    cities = ["london", "leeds", "york", "paris", "lyon"]
    with TestPipeline() as pipeline:
        created = pipeline | beam.Create(cities)
        flat = (created
                | "Batch" >> beam.ParDo(BatchInBundleFn(2, str.upper))
                | "Sizes" >> beam.Map(lambda packed: (len(unpack(packed)) <= 2, unpack(packed)))
                | "Flatten" >> beam.FlatMap(lambda checked: checked[1] if checked[0] else ["!"]))
        assert_that(flat, equal_to([city.upper() for city in cities]), label="CheckBatches")
        keyed = (created
                 | "BatchByInitial" >> beam.ParDo(BatchInBundleFn(2, key_of=lambda c: c[0]))
                 | "Spread" >> beam.FlatMap(lambda kv: [(kv[0], city) for city in unpack(kv[1])]))
        assert_that(keyed, equal_to([(city[0], city) for city in cities]), label="CheckKeyed")


def test_packed_lists_come_back_equal_and_in_order():
    import datetime as dt
    rows = [{"posting_id": "621954600", "posted_date": dt.date(2021, 11, 12),
             "skills": ["python"], "place": ("US", "US-WA", None)}, {"posting_id": "jb-88213"}]
    assert isinstance(pack(rows), bytes)
    assert unpack(pack(rows)) == rows
    assert list(unpack_all([pack(rows[:1]), pack(rows[1:])])) == rows


def test_add_all_hands_back_every_list_that_filled_up():
    batches = KeyedBatches(2)
    assert batches.add_all([("GB", "london"), ("GB", "leeds"), ("FR", "paris"),
                            ("GB", "york"), ("FR", "lyon")]) == [
        ("GB", ["london", "leeds"]), ("FR", ["paris", "lyon"])]
    assert list(batches.drain()) == [("GB", ["york"])]


def test_compressed_packs_unpack_the_same():
    rows = [{"posting_id": str(621954600 + n), "title": "Clinical Laboratory Scientist"}
            for n in range(50)]
    compressed = pack(rows, compress=True)
    assert len(compressed) < len(pack(rows)) / 2
    assert unpack(compressed) == rows
    assert list(unpack_all([compressed, pack(rows[:1])])) == rows + rows[:1]
