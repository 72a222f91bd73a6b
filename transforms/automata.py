"""Aho-Corasick matching for the skills stage, which looks for the taxonomy's many aliases in
posting text in one pass; built once per worker from their keys. (Seniority and the
work-arrangement scan build their own small ahocorasick-rs automata.)
"""
from __future__ import annotations

from typing import Mapping, NamedTuple

import ahocorasick_rs

class LiteralMatcher(NamedTuple):
    """Every occurrence of many ASCII literals in a bytes text, overlapping ones included:
    `automaton.find_matches_as_indexes(text, overlapping=True)` gives (index, start, end)
    in order of end, the longest first among those ending together; values[index] is the
    value of the literal found."""
    automaton: ahocorasick_rs.BytesAhoCorasick
    values: list


def build_literal_matcher(entries: Mapping[str, object]) -> LiteralMatcher:
    """A matcher for the keys of `entries` (ASCII), built by the Rust aho-corasick crate.

    On the skills automaton (18k keys) a posting's scan costs about half of pyahocorasick's,
    warm or with the automaton out of the CPU caches (as in a worker that runs the other
    stages between postings): the contiguous NFA keeps its states in one block, where
    pyahocorasick allocates each node apart. Its DFA is slower here: 40 MB of transitions.
    Keys go in sorted order, which lays a word's states out together (a few percent).
    """
    keys = sorted(entries)
    automaton = ahocorasick_rs.BytesAhoCorasick(
        [key.encode("ascii") for key in keys],
        implementation=ahocorasick_rs.Implementation.ContiguousNFA)
    return LiteralMatcher(automaton, [entries[key] for key in keys])
