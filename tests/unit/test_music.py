import json

import numpy as np
import pytest

from lstm_course import music


@pytest.fixture(scope="module")
def three():
    """The first three chorales, parsed once (about a second)."""
    return music.load_chorales(3, cache=False)


def test_first_chorales_in_riemenschneider_order(three):
    assert music.chorale_names(3) == ["bach/bwv269", "bach/bwv347", "bach/bwv153.1"]
    assert [name for name, _ in three] == music.chorale_names(3)
    name, pitches = three[0]
    # "Aus meines Herzens Grunde" opens G4 G4 D5 B4 A4 G4 in the soprano
    assert pitches[:6] == [67, 67, 74, 71, 69, 67]
    assert all(55 <= p <= 84 for _, ps in three for p in ps), "a soprano stays in its range"
    assert all(len(ps) > 20 for _, ps in three)


def test_cache_is_written_and_gives_the_same_result(three, tmp_path):
    cached = music.load_chorales(3, directory=tmp_path)
    assert cached == three
    (path,) = tmp_path.glob("*.json")
    assert json.loads(path.read_text())["chorales"] == [list(e) for e in three]
    # a second call reads the file: tamper with it to prove it
    content = json.loads(path.read_text())
    content["chorales"][0][1] = [60, 62]
    path.write_text(json.dumps(content))
    assert music.load_chorales(3, directory=tmp_path)[0][1] == [60, 62]


def test_corrupt_cache_is_replaced(three, tmp_path):
    music.load_chorales(3, directory=tmp_path)
    (path,) = tmp_path.glob("*.json")
    path.write_text('{"chorales": [')
    assert music.load_chorales(3, directory=tmp_path) == three
    assert json.loads(path.read_text())["version"] >= 1


def test_cache_is_optional(three, tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    assert music.load_chorales(3, directory=blocked / "cache") == three  # cannot write: still works
    monkeypatch.setenv(music.CACHE_ENV, str(tmp_path / "env"))
    assert music.cache_dir() == tmp_path / "env"
    melodies = music.chorale_melodies(3)
    assert [m.tolist() for m in melodies] == [p for _, p in three]
    assert all(m.dtype == np.int64 for m in melodies)
    assert list((tmp_path / "env").glob("*.json"))


def test_bad_counts_are_rejected():
    with pytest.raises(ValueError):
        music.chorale_names(0)
    with pytest.raises(ValueError):
        music.chorale_names(372)
    with pytest.raises(ValueError):
        music.load_chorales(0, cache=False)


def test_pitch_range_round_trip():
    pitches = music.PitchRange.covering([np.array([64, 67]), [60, 72]])
    assert (pitches.lowest, pitches.highest, pitches.size) == (60, 72, 13)
    assert pitches.encode([60, 72, 61]).tolist() == [0, 12, 1]
    assert pitches.decode([0, 12]).tolist() == [60, 72]
    with pytest.raises(ValueError):
        pitches.encode([59])
    with pytest.raises(ValueError):
        music.PitchRange.covering([])  # nothing to cover


def test_melody_pairs_do_not_cross_melodies():
    x, y = music.melody_pairs([np.array([1, 2, 3, 4, 5]), np.array([7, 8, 9]), np.array([6])], steps=2)
    assert x.tolist() == [1, 2, 3, 7]
    assert y.tolist() == [[2, 3], [3, 4], [4, 5], [8, 9]]
    x, y = music.melody_pairs([np.array([1, 2])], steps=3)
    assert x.shape == (0,) and y.shape == (0, 3)
    with pytest.raises(ValueError):
        music.melody_pairs([np.array([1, 2])], steps=0)


def test_note_names():
    assert music.note_names([60, 61, 69, 71, 72]) == ["C4", "C#4", "A4", "B4", "C5"]
    assert music.midi_numbers(["C4", "C#4", "A4", "B4", "C5", "F#5", "C-1"]) == [60, 61, 69, 71, 72, 78, 0]
    assert music.midi_numbers(music.note_names(range(21, 109))) == list(range(21, 109))
    for bad in ["H4", "C", "Cb4", "4", "E-4", "E#4"]:
        with pytest.raises(ValueError):
            music.midi_numbers([bad])


def test_tune_groups_ignore_transposition_and_small_changes():
    tune = np.array([67, 67, 74, 71, 69, 67, 69, 71, 69, 67, 66, 67, 69, 71, 72, 71])
    other = np.array([60, 62, 64, 65, 67, 69, 71, 72, 71, 69, 67, 65, 64, 62, 60, 60])
    varied = tune + 5
    varied[-1] += 2  # the same tune a fourth higher, one note changed
    groups = music.tune_groups([tune, other, varied, other - 3, np.array([60])])
    assert groups.tolist() == [0, 1, 0, 1, 2]  # a one-note melody has no intervals: its own group
    assert music.tune_groups([tune, other], threshold=1.0).tolist() == [0, 1]
    with pytest.raises(ValueError):
        music.tune_groups([tune], threshold=0.0)


def test_tune_groups_are_transitive():
    a = np.arange(60, 80)
    b = np.concatenate([a[:10], [50, 40, 45, 41, 47, 43, 42, 55, 52]])  # shares a's first half
    c = np.concatenate([[50, 70, 52], b[10:], [44, 61, 49]])  # shares b's second half only
    assert music.tune_groups([a, c], threshold=0.3).tolist() == [0, 1]  # nothing in common
    assert music.tune_groups([a, c, b], threshold=0.3).tolist() == [0, 0, 0]  # linked through b
    assert music.tune_groups([a, c, b], threshold=0.5).tolist() == [0, 1, 0]


def test_pitch_bigram_counts_pairs_inside_melodies():
    bigram = music.PitchBigram.fit([np.array([0, 1, 1, 2]), np.array([2, 0])], size=3, alpha=1.0)
    # pairs 0-1, 1-1, 1-2, 2-0; never 2-... across melodies
    expected = np.array([[1, 2, 1], [1, 2, 2], [2, 1, 1]], dtype=float)
    np.testing.assert_allclose(bigram.probs, expected / expected.sum(axis=1, keepdims=True))
    np.testing.assert_allclose(bigram.next_distribution(np.array([[2, 1], [0, 0]])), bigram.probs[[1, 0]])
    with pytest.raises(ValueError):
        music.PitchBigram.fit([np.array([0, 1])], size=2, alpha=0)


def test_continue_melodies_feeds_each_note_back():
    seen = []

    def next_distribution(notes):
        seen.append(notes.shape)
        return np.eye(5)[(notes[:, -1] + 1) % 5]  # certain: the next class up

    openings = np.array([[0, 1], [3, 4]])
    written = music.continue_melodies(next_distribution, openings, 4, np.random.default_rng(0))
    assert written.tolist() == [[2, 3, 4, 0], [0, 1, 2, 3]]
    assert seen == [(2, 2), (2, 3), (2, 4), (2, 5)]
    greedy = music.continue_melodies(lambda n: np.tile([0.2, 0.5, 0.3], (len(n), 1)), openings, 3,
                                     np.random.default_rng(0), temperature=0)
    assert greedy.tolist() == [[1, 1, 1], [1, 1, 1]]
    with pytest.raises(ValueError):
        music.continue_melodies(next_distribution, np.array([1, 2]), 2, np.random.default_rng(0))


def test_continue_melodies_samples_the_distribution():
    probs = np.array([0.1, 0.6, 0.3])
    written = music.continue_melodies(lambda n: np.tile(probs, (len(n), 1)), np.zeros((4000, 1), int), 2,
                                      np.random.default_rng(1))
    np.testing.assert_allclose(np.bincount(written.ravel(), minlength=3) / written.size, probs, atol=0.02)
    bigram = music.PitchBigram.fit([np.array([0, 1, 2, 0])], size=3)
    again = music.continue_melodies(bigram.next_distribution, np.zeros((3, 1), int), 5, np.random.default_rng(7))
    assert again.tolist() == music.continue_melodies(
        bigram.next_distribution, np.zeros((3, 1), int), 5, np.random.default_rng(7)).tolist()


def test_continuation_stats():
    reference = [np.array([60, 62, 64, 65, 67])]  # C D E F G
    stats = music.continuation_stats(np.array([[62, 74, 74, 61, 60]]), reference)
    # pitch classes D D D C# C: four of five in the reference; in range: 62, 61, 60
    assert stats == {"in_key": 0.8, "in_range": 0.6, "leaps": 0.5, "repeats": 0.25}
    with pytest.raises(ValueError):
        music.continuation_stats(np.array([[60, 62]]), reference * 2)
