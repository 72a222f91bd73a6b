"""Batches for the shuffles: what puts elements into lists before they cross a stage boundary
(dedupe blocks, rows waiting for the duplicate decisions, writer shards).

A runner pays for every element it encodes, ships and decodes between stages (on the
DirectRunner with two workers that was most of the job's cost); inside a fused stage an
element costs a function call. So what must meet across a shuffle travels in lists of up to
`max_size` values, flushed when full and at the end of the bundle: memory stays bounded by the
batch size times the number of open keys, never by the input. Batch (global window) only.

A list crosses as one packed bytes value (`pack`/`unpack`, pickle protocol 5): opaque to the
runner, which would otherwise hold every grouped value as a Python object (the DirectRunner's
grouping buffer decodes them all), and about twice as fast to encode and decode as Beam's
generic coder on nested rows. Producer and consumer are the same code, in the same job.
"""
from __future__ import annotations

import pickle
from typing import Callable, Hashable, Iterator, Optional

import apache_beam as beam
import zstandard  # Apache Beam's own dependency (its zstd file compression)
from apache_beam.transforms.window import GlobalWindows

from transforms.memory import prepare_process


_ZSTD_HEADER = 0x28  # zstd frames start with it; pickles (protocol >= 2) with 0x80


def pack(values, compress: bool = False) -> bytes:
    """compress: zstd level 1 on top, for what the runner holds longest (the dedupe block
    entries: 3.3 kB -> 0.85 kB per posting on the 10k bench mix for ~9 us of CPU per
    posting; zlib level 1 took ~31 us for 0.93 kB)."""
    packed = pickle.dumps(values, protocol=pickle.HIGHEST_PROTOCOL)
    return zstandard.compress(packed, 1) if compress else packed


def unpack(packed: bytes):
    if packed[0] == _ZSTD_HEADER:
        packed = zstandard.decompress(packed)
    return pickle.loads(packed)


def unpack_all(packed_batches) -> Iterator:
    """The values of several packed lists, in order."""
    for packed in packed_batches:
        yield from unpack(packed)


class KeyedBatches:
    """Open lists per key; `add` hands back a list when it reaches max_size."""

    def __init__(self, max_size: int):
        if max_size < 1:
            raise ValueError(f"max_size must be at least 1, got {max_size}")
        self._max_size = max_size
        self._open: dict[Hashable, list] = {}

    def add(self, key: Hashable, value) -> Optional[list]:
        full = self.add_all(((key, value),))
        return full[0][1] if full else None

    def add_all(self, keyed_values) -> list[tuple[Hashable, list]]:
        """add() for many (key, value) pairs in one call; the lists that filled up."""
        full = []
        open_lists, max_size = self._open, self._max_size
        for key, value in keyed_values:
            batch = open_lists.get(key)
            if batch is None:
                batch = open_lists[key] = []
            batch.append(value)
            if len(batch) >= max_size:
                del open_lists[key]
                full.append((key, batch))
        return full

    def drain(self) -> Iterator[tuple[Hashable, list]]:
        """Every open list, once; the object is empty afterwards."""
        batches, self._open = self._open, {}
        yield from batches.items()


class BatchInBundleFn(beam.DoFn):
    """Elements -> packed lists of at most max_size of them, in arrival order; with `key_of`,
    (key_of(element), packed list) per key. `transform` is applied to each element first;
    `encode` turns a full list into the bytes that cross (default: `pack`)."""

    def __init__(self, max_size: int, transform: Optional[Callable] = None,
                 key_of: Optional[Callable] = None,
                 encode: Callable[[list], bytes] = pack):
        KeyedBatches(max_size)  # a bad size fails when the graph is built, not on a worker
        self._max_size = max_size
        self._transform = transform
        self._key_of = key_of
        self._encode = encode

    def setup(self):
        prepare_process()  # this worker's, once (transforms/memory.py)

    def start_bundle(self):
        self._batches = KeyedBatches(self._max_size)

    def process(self, element):
        key = self._key_of(element) if self._key_of else None
        full = self._batches.add(key, self._transform(element) if self._transform else element)
        if full is not None:
            yield self._output(key, full)

    def finish_bundle(self):
        for key, batch in self._batches.drain():
            yield GlobalWindows.windowed_value(self._output(key, batch))

    def _output(self, key, batch: list):
        encoded = self._encode(batch)
        return (key, encoded) if self._key_of else encoded
