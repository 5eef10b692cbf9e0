"""frenchfmt.parse_number: the one parser of numbers typed by a person (quiz, what-if, forms)."""

import math

import numpy as np
import pytest

from labkit.frenchfmt import parse_number


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("3,5", 3.5),
        ("1 200", 1200.0),
        ("1\u202f200,5", 1200.5),
        ("1\xa0200", 1200.0),
        ("1.200,5", 1200.5),
        ("1,200.5", 1200.5),
        ("\u22122", -2.0),
        ("-0,25", -0.25),
        ("12 %", 12.0),
        ("12 €", 12.0),
        ("1e3", 1000.0),
        (",5", 0.5),
        (7, 7.0),
        (np.int64(3), 3.0),
        (2.5, 2.5),
    ],
)
def test_numbers_typed_the_french_or_english_way(typed, expected):
    assert parse_number(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "abc",
        "1,2,3",
        "1.2.3",
        "12 ans",
        "inf",
        "nan",
        "1e400",
        True,
        False,
        None,
        float("inf"),
        float("nan"),
        np.bool_(True),
        "=1+2",
    ],
)
def test_what_is_not_a_number_gives_none(typed):
    assert parse_number(typed) is None


def test_never_returns_an_infinity():
    for typed in ("1e308", "-1e308", 1e308):
        result = parse_number(typed)
        assert result is not None and math.isfinite(result)
