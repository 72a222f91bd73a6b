"""Aho-Corasick automata for the stages that look for many literals in posting text in one
pass (seniority's cue literals, skills' aliases), built once per worker from their keys.
"""
from __future__ import annotations

from typing import Mapping, NamedTuple

import ahocorasick
import ahocorasick_rs

# pyahocorasick tries a state's edges one by one, in the order they were added. Adding the
# keys spelt with the commonest letters of English prose first shortens the step taken for
# most characters of a posting (a scan of the skills automaton runs 5-10% faster).
_COMMON_LETTERS_FIRST = str.maketrans(
    {letter: chr(rank) for rank, letter in enumerate(" etaoinsrhldcumfpgwybvkxjqz")})


def build_automaton(entries: Mapping[str, object]) -> ahocorasick.Automaton:
    """An automaton that reports each key of `entries` with its value."""
    automaton = ahocorasick.Automaton()
    for key in sorted(entries, key=lambda key: key.translate(_COMMON_LETTERS_FIRST)):
        automaton.add_word(key, entries[key])
    automaton.make_automaton()
    return automaton


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
