import datetime

import numpy as np
import pytest

from lstm_course import params, seq2seq as S


def test_numbers_in_words():
    assert [S.spell_number(n) for n in (0, 7, 13, 20, 42, 99)] == [
        "zero", "seven", "thirteen", "twenty", "forty-two", "ninety-nine"]
    assert [S.spell_ordinal(n) for n in (1, 2, 3, 12, 20, 21, 23, 30, 31)] == [
        "first", "second", "third", "twelfth", "twentieth", "twenty-first", "twenty-third", "thirtieth",
        "thirty-first"]
    assert [S.ordinal_suffix(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 31)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "31st"]
    assert [S.spell_year(y) for y in (1950, 1998, 2000, 2004, 2049)] == [
        "nineteen fifty", "nineteen ninety-eight", "two thousand", "two thousand and four",
        "two thousand and forty-nine"]
    for bad, f in [(100, S.spell_number), (0, S.spell_ordinal), (32, S.spell_ordinal), (1949, S.spell_year)]:
        with pytest.raises(ValueError):
            f(bad)


def test_formats_of_a_real_day():
    day = datetime.date(1998, 3, 3)  # a Tuesday
    written = {name: fmt(day) for name, fmt in S.FORMATS.items()}
    assert written == {
        "numeric": "03/03/98",
        "dotted": "3.3.1998",
        "day month": "3 March 1998",
        "month day": "March 3, 1998",
        "abbreviated": "Tue 3 Mar 1998",
        "weekday": "Tuesday, 3rd of March 1998",
        "spelled": "Tuesday the third of March, nineteen ninety-eight",
    }
    assert S.FORMATS["numeric"](datetime.date(2004, 12, 25)) == "25/12/04"


def test_every_format_names_exactly_one_day():
    """No two days of the range are written alike (the two-digit year is unambiguous)."""
    span = (S.LAST_DAY - S.FIRST_DAY).days + 1
    days = [S.FIRST_DAY + datetime.timedelta(days=k) for k in range(span)]
    for name, fmt in S.FORMATS.items():
        assert len({fmt(d) for d in days}) == span, name


def test_written_dates_are_distinct_real_and_seeded():
    pairs = S.written_dates(3000, seed=5)
    assert len(pairs) == 3000 and len(set(pairs.days)) == 3000
    assert all(t == d.isoformat() and S.FORMATS[f](d) == s
               for s, t, f, d in zip(pairs.sources, pairs.targets, pairs.formats, pairs.days))
    assert set(pairs.formats) == set(S.FORMATS)
    again, other = S.written_dates(3000, seed=5), S.written_dates(3000, seed=6)
    assert again == pairs and other.days != pairs.days
    only = S.written_dates(100, seed=0, formats=["spelled"])
    assert set(only.formats) == {"spelled"} and min(map(len, only.sources)) > 30
    with pytest.raises(ValueError):
        S.written_dates(10, formats=["roman"])
    with pytest.raises(ValueError):
        S.written_dates(0)


def test_the_whole_range_holds_the_leap_days():
    span = (S.LAST_DAY - S.FIRST_DAY).days + 1
    pairs = S.written_dates(span, seed=0)
    leap_days = sorted(d.year for d in pairs.days if (d.month, d.day) == (2, 29))
    assert 2000 in leap_days and len(leap_days) == 25 and span == 100 * 365 + 25


def test_date_task_splits_by_day_and_encodes():
    task = S.load_date_task(300, 100, seed=1)
    assert set(task.train.days).isdisjoint(task.test.days)
    assert task.x_train.shape[0] == 300 and task.x_test.shape == (100, task.x_train.shape[1])
    assert task.y_train.shape == (300, S.TARGET_LENGTH) and task.x_train.dtype == np.int32
    assert task.decode(task.y_test) == list(task.test.targets)
    assert [task.source.decode(row) for row in task.x_train[:20]] == list(task.train.sources[:20])
    np.testing.assert_array_equal(task.lengths("train"), S.source_lengths(task.x_train))
    assert task.start_id == S.TARGET.size == 12 and set(np.unique(task.y_train)) <= set(range(1, 12))


def test_encode_texts_pads_at_the_end():
    enc = S.TARGET
    out = S.encode_texts(enc, ["12", "3-45"])
    assert out.shape == (2, 4) and list(out[0, 2:]) == [0, 0]
    assert enc.decode(out[1]) == "3-45"
    with pytest.raises(ValueError):
        S.encode_texts(enc, ["12345"], length=3)


def test_teacher_forcing_shifts_right():
    targets = np.array([[5, 6, 7], [1, 2, 3]], dtype=np.int32)
    shifted = S.teacher_forcing(targets, 12)
    np.testing.assert_array_equal(shifted, [[12, 5, 6], [12, 1, 2]])
    assert shifted.dtype == targets.dtype and shifted.shape == targets.shape
    np.testing.assert_array_equal(targets, [[5, 6, 7], [1, 2, 3]])  # the input is left alone


def test_length_batches_cover_every_row_once_per_epoch():
    task = S.load_date_task(300, 10, seed=2)
    decoder_input = S.teacher_forcing(task.y_train, task.start_id)
    dataset = S.length_batches(task.x_train, decoder_input, task.y_train, batch_size=32, seed=0)
    assert int(dataset.cardinality()) == 10
    epochs = []
    for _ in range(2):
        seen = []
        for (x, dec), y in dataset.as_numpy_iterator():
            lengths = S.source_lengths(x)
            assert x.shape[1] == lengths.max(), "each batch is cut to its longest source"
            assert lengths.max() // 16 - lengths.min() // 16 <= 1
            np.testing.assert_array_equal(dec, S.teacher_forcing(y, task.start_id))
            seen += task.decode(y)
        assert sorted(seen) == sorted(task.train.targets)
        epochs.append(seen)
    assert epochs[0] != epochs[1], "the rows are dealt again at every epoch"


class Shift:
    """A stand-in model: the next character is the previous one plus the source's first id."""

    def predict_on_batch(self, inputs):
        x, previous = inputs
        nxt = (previous + x[:, :1]) % 12
        return np.eye(12)[nxt]


def test_greedy_decode_feeds_back_its_predictions():
    x = np.array([[3, 4, 0, 0], [1, 0, 0, 0], [5, 5, 5, 5]], dtype=np.int32)
    decoded = S.greedy_decode(Shift(), x, start_id=2, steps=4, batch_size=2)
    expected = np.zeros((3, 4), dtype=int)
    for i, step in enumerate(x[:, 0]):
        previous = 2
        for t in range(4):
            previous = expected[i, t] = (previous + step) % 12
    np.testing.assert_array_equal(decoded, expected)
    # With the true prefix, every step is predicted from the target before it.
    forced = S.teacher_forced(Shift(), x, expected, start_id=2, batch_size=2)
    np.testing.assert_array_equal(forced, expected)


def test_encoder_decoder_shapes_and_parameters():
    from lstm_course.notebook import reset

    reset()
    task = S.load_date_task(20, 6, seed=0)
    units, embed, size = 8, 4, task.source.size
    plain = S.encoder_decoder(size, units=units, embed_dim=embed)
    expected = (params.embedding_params(size, embed) + params.embedding_params(S.TARGET.size + 1, embed)
                + 2 * params.lstm_params(embed, units) + params.dense_params(units, S.TARGET.size))
    assert plain.count_params() == expected and plain.name == "encoder_decoder"
    dot = S.encoder_decoder(size, units=units, embed_dim=embed, attention="dot", name="with_dot")
    assert dot.count_params() == expected + units * S.TARGET.size
    additive = S.encoder_decoder(size, units=units, embed_dim=embed, attention="additive")
    assert additive.count_params() == dot.count_params() + units
    with pytest.raises(ValueError):
        S.encoder_decoder(size, attention="multiplicative")
    decoder_input = S.teacher_forcing(task.y_test, task.start_id)
    out = dot.predict([task.x_test, decoder_input], verbose=0)
    assert out.shape == (6, S.TARGET_LENGTH, S.TARGET.size)
    weights = S.attention_model(dot).predict([task.x_test, decoder_input], verbose=0)
    assert weights.shape == (6, S.TARGET_LENGTH, task.x_test.shape[1])
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, rtol=1e-5)
    padding = np.arange(task.x_test.shape[1])[None, :] >= task.lengths()[:, None]
    assert np.all(weights.transpose(1, 0, 2)[:, padding] == 0), "no weight on padding"


def test_scores():
    y = np.array([[1, 2, 3], [4, 5, 6]])
    p = np.array([[1, 2, 3], [4, 0, 6]])
    assert S.exact_match(p, y) == 0.5 and S.char_accuracy(p, y) == pytest.approx(5 / 6)
    acc, count = S.accuracy_by_length(np.array([8, 9, 20, 21, 40]), np.array([1, 0, 1, 1, 0]), [8, 10, 30, 50, 60])
    np.testing.assert_array_equal(count, [2, 2, 1, 0])
    np.testing.assert_allclose(acc[:3], [0.5, 1.0, 0.0])
    assert np.isnan(acc[3])
    with pytest.raises(ValueError):
        S.accuracy_by_length(np.array([1, 2]), np.array([1]), [0, 5])
