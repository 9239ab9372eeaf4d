"""Bach chorale melodies from music21's bundled corpus, ready for Keras.

The chorales ship inside the ``music21`` wheel, so nothing is downloaded.
Parsing a chorale's MusicXML with music21 takes about 0.1 s on an idle laptop
core (all 371 take half a minute), so the course parses a small fixed subset
and keeps the extracted pitch sequences in a small JSON cache file. The cache
is optional: if it cannot be read or written, the chorales are parsed again.

A melody here is the soprano line of a chorale as a sequence of MIDI pitch
numbers (60 = middle C): rests are skipped, tied notes count once, and
durations are ignored.

Usage::

    from lstm_course import music
    melodies = music.chorale_melodies(30)          # list of int arrays
    pitches = music.PitchRange.covering(melodies)  # MIDI pitch <-> class index
    x, y = music.melody_pairs([pitches.encode(m) for m in melodies], steps=8)

For next-note prediction and generation: :func:`tune_groups` (to hold out
whole tunes, not only whole chorales), :class:`PitchBigram` (the counting
baseline), :func:`continue_melodies` (write a continuation one note at a
time with any model) and :func:`continuation_stats` (does it stay in the
chorale's key and range?).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from lstm_course.language_model import sample_next
from lstm_course.preprocessing import windows

CACHE_ENV = "LSTM_COURSE_CACHE"
"""Environment variable that overrides the cache directory (``~/.cache/lstm_course``)."""

_CACHE_VERSION = 1


def cache_dir() -> Path:
    """Where :func:`chorale_melodies` keeps its cache file.

    ``$LSTM_COURSE_CACHE`` if set, else ``~/.cache/lstm_course``.
    """
    override = os.environ.get(CACHE_ENV)
    return Path(override) if override else Path.home() / ".cache" / "lstm_course"


def chorale_names(count: int) -> list[str]:
    """Corpus paths of the first ``count`` chorales in Riemenschneider's numbering.

    Riemenschneider's edition (371 four-part chorales) is music21's default
    order, e.g. ``"bach/bwv269"`` for number 1.
    """
    from music21 import corpus

    if not 1 <= count <= 371:
        raise ValueError(f"count must be in [1, 371], got {count}")
    names = corpus.chorales.Iterator(1, 371, returnType="filename")
    return [str(name) for _, name in zip(range(count), names)]


def soprano_pitches(score: Any) -> list[int] | None:
    """MIDI pitches of a parsed chorale's soprano line, or None if it has none.

    The soprano is the part named "Soprano" or, in a score of exactly four
    unnamed parts, the first one. Rests are skipped; a note tied to the one
    before it is the same sounding note and is not repeated.
    """
    parts = list(score.parts)
    named = [p for p in parts if "soprano" in (p.partName or "").lower()]
    if named:
        part = named[0]
    elif len(parts) == 4:
        part = parts[0]
    else:
        return None
    pitches: list[int] = []
    for note in part.flatten().notes:
        if not note.isNote:  # a chord in a melody line: not a single pitch
            continue
        if note.tie is not None and note.tie.type in ("stop", "continue"):
            continue
        pitches.append(int(note.pitch.midi))
    return pitches or None


def _parse(count: int) -> list[tuple[str, list[int]]]:
    """Parse chorales in Riemenschneider order until ``count`` soprano lines are found."""
    from music21 import corpus

    found: list[tuple[str, list[int]]] = []
    for name in chorale_names(371):
        pitches = soprano_pitches(corpus.parse(name))
        if pitches is not None:
            found.append((name, pitches))
        if len(found) == count:
            return found
    raise RuntimeError(f"the corpus holds only {len(found)} chorales with a soprano line")


def _cache_file(count: int, directory: Path) -> Path:
    return directory / f"chorale_soprano_v{_CACHE_VERSION}_{count}.json"


def _read_cache(path: Path, count: int) -> list[tuple[str, list[int]]] | None:
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
        entries = [(str(name), [int(p) for p in pitches]) for name, pitches in content["chorales"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if content.get("version") != _CACHE_VERSION or len(entries) != count:
        return None
    return entries


def _write_cache(path: Path, entries: list[tuple[str, list[int]]]) -> None:
    """Write atomically; a read-only or full disk only costs the next parse."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp",
                                         delete=False, encoding="utf-8") as handle:
            json.dump({"version": _CACHE_VERSION, "chorales": entries}, handle)
        os.replace(handle.name, path)
    except OSError:
        pass


def load_chorales(count: int = 30, cache: bool = True,
                  directory: Path | str | None = None) -> list[tuple[str, list[int]]]:
    """``(corpus name, soprano MIDI pitches)`` for the first ``count`` chorales.

    With ``cache=True`` the result is read from, or else written to, a JSON
    file in ``directory`` (default :func:`cache_dir`); ``cache=False`` always
    parses. Both give the same result.
    """
    if not 1 <= count <= 371:
        raise ValueError(f"count must be in [1, 371], got {count}")
    if not cache:
        return _parse(count)
    path = _cache_file(count, Path(directory) if directory is not None else cache_dir())
    entries = _read_cache(path, count)
    if entries is None:
        entries = _parse(count)
        _write_cache(path, entries)
    return entries


def chorale_melodies(count: int = 30, cache: bool = True,
                     directory: Path | str | None = None) -> list[np.ndarray]:
    """Soprano lines of the first ``count`` chorales, each an ``int64`` array of MIDI pitches."""
    return [np.asarray(p, dtype=np.int64) for _, p in load_chorales(count, cache, directory)]


@dataclass(frozen=True)
class PitchRange:
    """The MIDI pitches ``lowest..highest`` as classes ``0..size-1``.

    A contiguous range (rather than only the pitches that occur) keeps the
    index readable: class ``k`` is MIDI pitch ``lowest + k``.
    """

    lowest: int
    highest: int

    @classmethod
    def covering(cls, melodies: Iterable[Sequence[int] | np.ndarray]) -> "PitchRange":
        values = np.concatenate([np.asarray(m, dtype=np.int64).ravel() for m in melodies])
        if values.size == 0:
            raise ValueError("no pitches to cover")
        return cls(int(values.min()), int(values.max()))

    @property
    def size(self) -> int:
        return self.highest - self.lowest + 1

    def encode(self, pitches: Sequence[int] | np.ndarray) -> np.ndarray:
        """MIDI pitches -> class indices; raises if a pitch is out of range."""
        values = np.asarray(pitches, dtype=np.int64)
        if values.size and (values.min() < self.lowest or values.max() > self.highest):
            raise ValueError(f"pitches outside {self.lowest}..{self.highest}")
        return values - self.lowest

    def decode(self, classes: Sequence[int] | np.ndarray) -> np.ndarray:
        """Class indices -> MIDI pitches."""
        return np.asarray(classes, dtype=np.int64) + self.lowest


def melody_pairs(melodies: Iterable[np.ndarray], steps: int) -> tuple[np.ndarray, np.ndarray]:
    """One-to-many training pairs: a note, and the ``steps`` notes that follow it.

    For every position ``i`` of every melody with ``steps`` notes after it,
    ``x`` holds ``melody[i]`` and the row of ``y`` holds
    ``melody[i + 1 : i + 1 + steps]``. Returns ``x`` of shape ``(n,)`` and
    ``y`` of shape ``(n, steps)``; pairs never cross from one melody to the
    next.
    """
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    xs, ys = [], []
    for melody in melodies:
        m = np.asarray(melody, dtype=np.int64)
        if len(m) <= steps:
            continue
        # every run of steps + 1 notes: its first note, then the steps that follow it
        runs = windows(m, steps + 1, step=1)
        xs.append(runs[:, 0])
        ys.append(runs[:, 1:])
    if not xs:
        return np.zeros(0, np.int64), np.zeros((0, steps), np.int64)
    return np.concatenate(xs), np.concatenate(ys)


_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


def note_names(pitches: Iterable[int]) -> list[str]:
    """MIDI pitches as note names with octave (60 -> ``"C4"``, 61 -> ``"C#4"``; sharps only)."""
    return [f"{_NAMES[int(p) % 12]}{int(p) // 12 - 1}" for p in pitches]


def midi_numbers(names: Iterable[str]) -> list[int]:
    """Note names with octave as MIDI pitches (``"C4"`` -> 60, ``"F#5"`` -> 78); inverse of
    :func:`note_names`."""
    out = []
    for name in names:
        match = re.fullmatch(r"([A-G]#?)(-1|[0-9])", name)
        if match is None or match.group(1) not in _NAMES:
            raise ValueError(f"not a note name like 'C4' or 'F#5': {name!r}")
        out.append(_NAMES.index(match.group(1)) + 12 * (int(match.group(2)) + 1))
    return out


def tune_groups(melodies: Sequence[np.ndarray], n: int = 6, threshold: float = 0.3) -> np.ndarray:
    """A group label for each melody: melodies of the same hymn tune share a label.

    Bach harmonised many tunes more than once, and the corpus holds each
    harmonisation as its own chorale, sometimes in another key or with a
    note changed. Two melodies count as the same tune when at least
    ``threshold`` of the runs of ``n`` consecutive intervals (in semitones,
    so a transposition changes nothing) of the shorter one also occur in the
    other; groups are the connected components of that relation. Labels are
    ``0, 1, ...`` in order of each group's first melody.
    """
    if n < 1 or not 0.0 < threshold <= 1.0:
        raise ValueError(f"need n >= 1 and threshold in (0, 1], got {n}, {threshold}")
    shapes = []
    for melody in melodies:
        steps = np.diff(np.asarray(melody, dtype=np.int64))
        shapes.append({tuple(steps[i:i + n]) for i in range(len(steps) - n + 1)})
    parent = list(range(len(shapes)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i, a in enumerate(shapes):
        for j in range(i + 1, len(shapes)):
            b = shapes[j]
            if a and b and len(a & b) >= threshold * min(len(a), len(b)):
                parent[max(root(i), root(j))] = min(root(i), root(j))
    roots = [root(i) for i in range(len(shapes))]
    first = {r: k for k, r in enumerate(dict.fromkeys(roots))}
    return np.array([first[r] for r in roots], dtype=np.int64)


@dataclass(frozen=True)
class PitchBigram:
    """Next-note probabilities from counts of note pairs: ``probs[a, b] = P(next = b | last = a)``.

    Fitted with add-``alpha`` smoothing, so that a pair never seen in
    training keeps a small probability::

        P(b | a) = (count(a, b) + alpha) / (count(a) + alpha * size)
    """

    probs: np.ndarray  # (size, size), each row sums to 1

    @classmethod
    def fit(cls, melodies: Iterable[np.ndarray], size: int, alpha: float = 1.0) -> "PitchBigram":
        """Count the pairs of consecutive classes (``0 .. size - 1``) inside each melody."""
        if alpha <= 0:
            raise ValueError(f"alpha must be positive, got {alpha}")
        counts = np.full((size, size), float(alpha))
        for melody in melodies:
            m = np.asarray(melody, dtype=np.int64)
            np.add.at(counts, (m[:-1], m[1:]), 1.0)
        return cls(counts / counts.sum(axis=1, keepdims=True))

    def next_distribution(self, notes: np.ndarray) -> np.ndarray:
        """The distribution of the next class after each row of ``notes`` ``(batch, t)``: ``(batch, size)``."""
        return self.probs[np.asarray(notes, dtype=np.int64)[:, -1]]


def continue_melodies(next_distribution: Callable[[np.ndarray], np.ndarray], openings: np.ndarray,
                      length: int, rng: np.random.Generator, temperature: float = 1.0) -> np.ndarray:
    """Write ``length`` notes after each opening, one note at a time.

    ``openings`` holds class indices ``(batch, t)``. At each step
    ``next_distribution(notes so far)`` gives a distribution ``(batch, size)``
    over the next class (a trained model's last output, or
    :meth:`PitchBigram.next_distribution`); one class per row is drawn from
    it at ``temperature`` by :func:`lstm_course.language_model.sample_next`
    (0: the most probable one) and appended, so
    every note is chosen knowing the ones written before it. Returns the
    written notes only, ``(batch, length)``.
    """
    notes = np.asarray(openings, dtype=np.int64)
    if notes.ndim != 2 or notes.shape[1] < 1:
        raise ValueError(f"openings must be (batch, t) with t >= 1, got shape {notes.shape}")
    start = notes.shape[1]
    for _ in range(length):
        probs = np.asarray(next_distribution(notes), dtype=np.float64)
        notes = np.column_stack([notes, [sample_next(row, temperature, rng) for row in probs]])
    return notes[:, start:]


def continuation_stats(written: np.ndarray, references: Sequence[np.ndarray]) -> dict[str, float]:
    """How much like its own chorale each written line is, as shares of the notes written.

    ``written`` holds MIDI pitches ``(batch, length)`` and ``references[i]``
    the whole melody that row ``i`` continues. Returns

    * ``in_key``: the note's pitch class (C, C#, ...) occurs in the reference,
      a simple stand-in for "in the chorale's key";
    * ``in_range``: the note lies between the reference's lowest and highest note;
    * ``leaps``: of the steps between consecutive written notes, those larger
      than a major third (4 semitones);
    * ``repeats``: of those steps, the repeated notes.
    """
    written = np.asarray(written, dtype=np.int64)
    if written.ndim != 2 or len(written) != len(references) or written.shape[1] < 2:
        raise ValueError("need one reference per written row and at least two notes per row")
    in_key = [np.isin(w % 12, np.asarray(r) % 12) for w, r in zip(written, references)]
    in_range = [(w >= np.min(r)) & (w <= np.max(r)) for w, r in zip(written, references)]
    steps = np.abs(np.diff(written, axis=1))
    return {"in_key": float(np.mean(in_key)), "in_range": float(np.mean(in_range)),
            "leaps": float(np.mean(steps > 4)), "repeats": float(np.mean(steps == 0))}
