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
