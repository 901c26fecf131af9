"""helpers.claims: a claim is asserted where it applies, with its words as the error, and skipped elsewhere."""

import pytest

from helpers.claims import ClaimFailed, Claims


def test_a_claim_that_applies_is_asserted_and_names_itself_when_it_fails():
    claims = Claims(applies=True)
    claims.check(1 + 1 == 2, "arithmetic works")
    with pytest.raises(ClaimFailed, match="claim does not hold: the loss halves"):
        claims.check(sum([0.9]) < 0.5, "the loss halves")
    assert claims.checked == ["arithmetic works"]
    assert isinstance(ClaimFailed("x"), AssertionError)       # a failed claim fails a notebook like an assert


def test_a_claim_that_does_not_apply_is_skipped():
    claims = Claims(applies=False)
    claims.check(False, "a Hub checkpoint has other numbers")
    assert claims.checked == [] and "not asserted" in repr(claims)


def test_applies_must_be_a_bool():
    with pytest.raises(TypeError, match="takes a bool"):
        Claims(applies="yes")
