"""py3langid's language model, scored by our own code: the library's probabilities, faster.

The model (shipped with py3langid, read with its loader) is naive Bayes over byte n-grams: a
DFA walks the UTF-8 bytes of the text, a state that ends an n-gram names its feature, and a
class scores its prior plus, over the features seen, log(1 + count) times the feature's
log-probability for the class. The library walks the DFA a byte at a time in Python (about
0.25 us a byte) and converts the float16 rows a text needs to float32 on every call (which
costs more than the walk); together they were most of a story's language cost.

The walk here is a handful of vectorised steps over all positions at once. The DFA is an
Aho-Corasick automaton over n-grams of at most ``depth`` bytes, so the state after a byte is
fixed by the ``depth`` bytes ending there (it is the longest n-gram prefix that ends the text
read). Every position's window is run from the start state side by side, one gather per byte
of window, through a table of where each (row, byte) leads: to the next state's row for the
first ``depth - 1`` bytes, to the next state's feature for the last. ``automaton_problems``
checks that shape on the model, and the tests run it.

Memory: the two tables (40 MB each) and the float32 feature rows (57 MB), about 145 MB
resident once loaded (the library's identifier: about 75 MB), loaded before the worker pool
forks and shared by the workers, which only read it. The features are summed in the order the
library sums them (first occurrence) and normalised as it does, so the probabilities are the
library's to the bit.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from workers.errors import WiredeskError

__all__ = ["LanguageModel", "automaton_problems", "load"]

Floats = npt.NDArray[np.float32]
Ints = npt.NDArray[np.intp]
_T = TypeVar("_T", bound=np.generic)


@dataclass(frozen=True, slots=True)
class LanguageModel:
    """The model's arrays in the shapes the scorer reads; build it with ``load()``."""

    classes: tuple[str, ...]  # one label a column; a label read in two scripts repeats
    log_prob: Floats  # features x classes, float32
    prior: Floats  # one a class
    next_row: npt.NDArray[np.uint32]  # row offset + byte -> offset of the next state's row
    next_feature: npt.NDArray[np.int32]  # row offset + byte -> the next state's feature or -1
    start_row: npt.NDArray[np.uint32]  # next_row from the start state, by byte
    start_feature: npt.NDArray[np.int32]  # next_feature from the start state, by byte
    depth: int  # bytes in the longest n-gram: how far back a state depends on the text
    pad: bytes  # depth - 1 bytes that leave the start state where it is
    aliases: tuple[tuple[int, int], ...]  # (first column, repeated column) of a repeated label

    def probabilities(self, text: str) -> Floats:
        """One probability a class, repeated labels folded into their first column (the other
        holds 0.0), as py3langid's ``LanguageIdentifier(norm_probs=True)`` scores ``text``."""
        if text.isupper():  # the library reads shouted copy in lower case
            text = text.lower()
        data = unicodedata.normalize("NFC", text).encode("utf8", errors="surrogatepass")
        scores = self._scores(data)
        # A softmax at temperature sqrt(bytes), as the library calibrates it across lengths.
        scores *= 1.0 / math.sqrt(len(data) or 1)
        np.exp(scores - scores.max(), out=scores)
        scores /= scores.sum()
        for first, repeated in self.aliases:
            scores[first] += scores[repeated]
            scores[repeated] = 0.0
        return scores

    def features(self, data: bytes) -> npt.NDArray[np.int32]:
        """The feature the DFA names after each byte of ``data`` (-1 for none), walking from
        the start state."""
        # Window i is the depth bytes ending at data[i]; the pad stands in for the bytes
        # before the start, so a window near it reads as a walk from the start does.
        octets = np.frombuffer(self.pad + data, dtype=np.uint8)
        n = len(data)
        last = self.depth - 1
        if not last:
            return self.start_feature.take(octets)
        at = self.start_row.take(octets[:n])
        for lag in range(1, last):
            at = self.next_row.take(at + octets[lag : lag + n])
        return self.next_feature.take(at + octets[last:])

    def _scores(self, data: bytes) -> Floats:
        """Naive-Bayes log-scores: the prior plus log(1 + count) times each feature's row."""
        found = self.features(data)
        found = found[found >= 0]
        m = found.size
        if not m:
            # No feature at all: every class alike (the library's 0.0 under norm_probs).
            return np.zeros(len(self.classes), dtype=np.float32)
        # Count each feature and keep them in order of first occurrence, the order the library
        # sums the rows in (a float sum depends on its order, if only in the last bit): a
        # stable sort puts each feature's run in order of position, its first occurrence first.
        order = found.argsort(kind="stable")
        grouped = found[order]
        edges = np.empty(m + 1, dtype=bool)
        edges[0] = edges[m] = True
        np.not_equal(grouped[1:], grouped[:-1], out=edges[1:m])
        bounds = edges.nonzero()[0]
        counts = np.zeros(m, dtype=np.float32)  # at each first occurrence, its run's length
        counts[order[bounds[:-1]]] = bounds[1:] - bounds[:-1]
        firsts = counts > 0
        weights = np.log1p(counts[firsts])
        scores: Floats = weights @ self.log_prob.take(found[firsts], axis=0) + self.prior
        return scores


def _read() -> tuple[Any, Any, list[str], npt.NDArray[np.uint32], Ints, Ints]:
    """py3langid's model as arrays: (log-probabilities, priors, classes, the DFA's distinct
    rows flattened, each state's row, each state's feature)."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE
    from py3langid.modelio import load_model

    log_prob, prior, classes, moves, row, feature = load_model(MODEL_DIR / MODEL_FILE)
    return (
        log_prob,
        prior,
        list(classes),
        np.frombuffer(moves, dtype=f"u{moves.itemsize}").astype(np.uint32, copy=False),
        np.frombuffer(row, dtype=f"u{row.itemsize}").astype(np.intp),
        np.asarray(feature, dtype=np.intp),
    )


def load() -> LanguageModel:
    """Read py3langid's shipped model (about two seconds) into a ``LanguageModel``."""
    log_prob, prior, classes, moves, rows, feature = _read()
    depth = _depth(moves.reshape(-1, 256), rows)
    start = int(rows[0]) << 8
    # A byte that starts no n-gram keeps the start state: it pads the windows at the start.
    idle = np.flatnonzero(moves[start : start + 256] == 0)
    if not idle.size:
        raise WiredeskError("language model: every byte starts an n-gram, nothing to pad with")
    next_row = _through(rows.astype(np.uint32) << np.uint32(8), moves)
    next_feature = _through(feature.astype(np.int32), moves)
    del moves  # before the float32 rows are made: the peak stays near the final size
    first: dict[str, int] = {}
    aliases = []
    for column, label in enumerate(classes):
        if label in first:
            aliases.append((first[label], column))
        else:
            first[label] = column
    return LanguageModel(
        classes=tuple(classes),
        # float16 on disk; converting the rows a text needs on every call cost more than the
        # rest of the scoring, so they are converted once.
        log_prob=np.asarray(log_prob).astype(np.float32),
        prior=np.asarray(prior, dtype=np.float32),
        next_row=next_row,
        next_feature=next_feature,
        start_row=next_row[start : start + 256],
        start_feature=next_feature[start : start + 256],
        depth=depth,
        pad=bytes([int(idle[0])]) * (depth - 1),
        aliases=tuple(aliases),
    )


def _through(per_state: npt.NDArray[_T], moves: npt.NDArray[np.uint32]) -> npt.NDArray[_T]:
    """``per_state[moves]``, a million moves at a time (a take converts its indices to 8-byte
    integers: all at once that is another 80 MB)."""
    out = np.empty(moves.size, dtype=per_state.dtype)
    step = 1 << 20
    for at in range(0, moves.size, step):
        per_state.take(moves[at : at + step], out=out[at : at + step])
    return out


def _depth(moves: npt.NDArray[np.uint32], rows: Ints) -> int:
    """The greatest distance of a state from the start state (breadth-first, a row at a time:
    states that share a row lead to the same states)."""
    seen = np.zeros(rows.size, dtype=bool)
    seen[0] = True
    expanded = np.zeros(moves.shape[0], dtype=bool)
    frontier = np.zeros(1, dtype=np.intp)
    depth = 0
    while True:
        todo = np.zeros(moves.shape[0], dtype=bool)
        todo[rows[frontier]] = True
        todo &= ~expanded  # a row expanded before leads only to states already seen
        expanded |= todo
        reached = np.zeros(rows.size, dtype=bool)
        reached[moves[np.flatnonzero(todo)]] = True
        reached &= ~seen
        if not reached.any():
            return depth
        seen |= reached
        frontier = np.flatnonzero(reached)
        depth += 1


def automaton_problems(
    flat_moves: npt.NDArray[np.uint32] | None = None, rows: Ints | None = None
) -> list[str]:
    """What keeps py3langid's DFA (or the one given: its distinct rows flattened, each state's
    row) from being an Aho-Corasick automaton as deep as ``load()`` finds it, the shape
    ``LanguageModel.features`` relies on; empty when it is one. About a second, so the tests
    run it, not ``load``.

    It is one when its deepening transitions (to a state one step further from the start)
    form a trie, and every other transition goes where the same byte goes from the state's
    failure state (the deepest state whose path is a proper suffix of the state's, found
    through the DFA itself), or from the start state back to the start. Then the state after
    a text is the deepest state whose path ends the text, which its last ``depth`` bytes fix.
    """
    if flat_moves is None or rows is None:
        _, _, _, flat_moves, rows, _ = _read()
    moves = flat_moves.reshape(-1, 256)
    n = rows.size
    depth = np.full(n, -1, dtype=np.intp)
    depth[0] = level = 0
    frontier = np.zeros(1, dtype=np.intp)
    while frontier.size:
        level += 1
        reached = np.zeros(n, dtype=bool)
        reached[moves[rows[frontier]]] = True
        reached &= depth < 0
        frontier = np.flatnonzero(reached)
        depth[frontier] = level
    if (depth < 0).any():
        return [f"{int((depth < 0).sum())} states cannot be reached"]
    problems = []
    if int(depth.max()) != _depth(moves, rows):
        problems.append("the breadth-first depths disagree")
    chunks = [np.arange(at, min(at + 8192, n)) for at in range(0, n, 8192)]
    # The deepening transitions: exactly one into every state but the start makes a trie.
    parent = np.full(n, -1, dtype=np.intp)
    parent_byte = np.zeros(n, dtype=np.intp)
    incoming = np.zeros(n, dtype=np.intp)
    for states in chunks:
        targets = moves[rows[states]]
        source, byte = np.nonzero(depth[targets] == depth[states, None] + 1)
        into = targets[source, byte].astype(np.intp)
        incoming += np.bincount(into, minlength=n)
        parent[into] = states[source]
        parent_byte[into] = byte
    if incoming[0] or (incoming[1:] != 1).any():
        return [*problems, "the deepening transitions are no trie"]
    # Failure states, level by level: the start for depth 1, else where the parent's failure
    # state goes on the state's last byte.
    fail = np.zeros(n, dtype=np.intp)
    for d in range(2, int(depth.max()) + 1):
        at = np.flatnonzero(depth == d)
        fail[at] = moves[rows[fail[parent[at]]], parent_byte[at]]
    if (depth[fail[1:]] >= depth[1:]).any():
        problems.append("a failure state is no nearer the start than its state")
    for states in chunks:
        targets = moves[rows[states]]
        other = depth[targets] != depth[states, None] + 1
        fallback = moves[rows[fail[states]]]
        fallback[states == 0] = 0  # the start state's failure is to stay where it is
        if (other & (targets != fallback)).any():
            problems.append("a transition goes elsewhere than its failure state's")
            break
    return problems
