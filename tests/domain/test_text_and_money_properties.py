"""Property-based tests for Vietnamese text handling, money amounts and recipient identity."""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import date
from uuid import UUID

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from domain.decision import check_amount
from domain.errors import DomainError, NegativeAmount, ValidationFailed
from domain.recipients import Recipient, release_pseudonyms, use_pseudonyms
from domain.text import fold, nfc, nfc_multiline

MAX_AMOUNT = 10**13

# -- Vietnamese letters, built independently of domain.text ------------------------------------

# (precomposed-free) base letter → the ASCII letter a reader would type without diacritics
_BASES = {
    "a": "a",
    "a\u0306": "a",  # ă
    "a\u0302": "a",  # â
    "e": "e",
    "e\u0302": "e",  # ê
    "i": "i",
    "o": "o",
    "o\u0302": "o",  # ô
    "o\u031b": "o",  # ơ
    "u": "u",
    "u\u031b": "u",  # ư
    "y": "y",
}
_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # ngang, huyền, sắc, hỏi, ngã, nặng
_CONSONANTS = "bcdghklmnpqrstvx"


def _vowel(base: str, tone: str, upper: bool) -> tuple[str, str]:
    text = unicodedata.normalize("NFC", base + tone)
    plain = _BASES[base]
    return (text.upper() if upper else text), plain


vietnamese_letter = st.one_of(
    st.builds(_vowel, st.sampled_from(sorted(_BASES)), st.sampled_from(_TONES), st.booleans()),
    st.sampled_from(_CONSONANTS).flatmap(lambda c: st.sampled_from([(c, c), (c.upper(), c)])),
    st.sampled_from([("đ", "d"), ("Đ", "d")]),
)
# a word: (spelled with diacritics, spelled without, lower case)
vietnamese_word = st.lists(vietnamese_letter, min_size=1, max_size=7).map(
    lambda letters: ("".join(t for t, _ in letters), "".join(p for _, p in letters))
)
vietnamese_name = st.lists(vietnamese_word, min_size=1, max_size=5).map(
    lambda words: (" ".join(t for t, _ in words), " ".join(p for _, p in words))
)
spacing = st.sampled_from([" ", "  ", "\t", "\u00a0", " \n "])

# Any text, including combining marks, odd spaces and characters of every script.
any_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)),
    max_size=40,
)


def nfd(value: str) -> str:
    return unicodedata.normalize("NFD", value)


def nfc_only(value: str) -> str:
    return unicodedata.normalize("NFC", value)


# -- nfc ----------------------------------------------------------------------------------------


@given(any_text)
@example("Nguye\u0302\u0303n  Thi\u0323\t Ho\u0302\u0300ng Nhung ")
def test_nfc_is_idempotent(value):
    once = nfc(value)
    assert nfc(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert once == once.strip()
    assert "  " not in once


@given(any_text)
@example("Lò Thị\x00 Xuân\x07\x1b[0m")
def test_nfc_drops_control_characters(value):
    """NUL and friends never reach storage (PostgreSQL text refuses NUL outright)."""
    for cleaned in (nfc(value), nfc_multiline(value)):
        assert not [c for c in cleaned if unicodedata.category(c) == "Cc" and c != "\n"]
    assert "\n" not in nfc(value)


@given(any_text)
def test_nfc_gives_the_same_result_for_nfd_and_nfc_input(value):
    assert nfc(nfd(value)) == nfc(nfc_only(value)) == nfc(value)


@given(vietnamese_name)
def test_nfc_of_a_vietnamese_name_is_the_precomposed_spelling(name):
    spelled, _ = name
    assert nfc(nfd(spelled)) == nfc_only(spelled)


# -- fold ---------------------------------------------------------------------------------------


def test_fold_known_name():
    assert fold("Nguyễn Thị Hồng Nhung") == fold("nguyen thi hong nhung") == "nguyen thi hong nhung"
    assert fold(nfd("Nguyễn Thị Hồng Nhung")) == "nguyen thi hong nhung"
    assert fold("ĐẶNG  Thị\tĐào") == "dang thi dao"


@given(any_text)
def test_fold_is_idempotent(value):
    once = fold(value)
    assert fold(once) == once


@given(any_text)
def test_fold_ignores_normalisation_form(value):
    assert fold(nfd(value)) == fold(nfc_only(value)) == fold(value)


@given(any_text)
def test_fold_output_has_no_combining_marks_or_double_spaces(value):
    folded = fold(value)
    assert not any(unicodedata.combining(ch) for ch in folded)
    assert "  " not in folded
    assert folded == folded.strip()


@given(vietnamese_name, spacing)
def test_fold_ignores_diacritics_case_and_spacing(name, space):
    spelled, plain = name
    expected = plain  # lower case ASCII words joined by single spaces
    assert fold(spelled) == expected
    assert fold(nfd(spelled)) == expected
    assert fold(spelled.upper()) == expected
    assert fold(spelled.lower()) == expected
    assert fold(plain.upper()) == expected
    assert fold(space + spelled.replace(" ", space) + space) == expected


# -- money --------------------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=MAX_AMOUNT))
@example(0)
@example(MAX_AMOUNT)
def test_check_amount_accepts_non_negative_ints(amount):
    result = check_amount(amount)
    assert result == amount
    assert type(result) is int


def test_check_amount_none_means_not_stated():
    assert check_amount(None) is None


@given(st.integers(max_value=-1))
@example(-1)
def test_check_amount_refuses_negative_ints(amount):
    with pytest.raises(NegativeAmount) as caught:
        check_amount(amount)
    assert caught.value.code == "money.negative"


@given(st.integers(min_value=MAX_AMOUNT + 1))
def test_check_amount_refuses_absurd_amounts(amount):
    with pytest.raises(ValidationFailed) as caught:
        check_amount(amount)
    assert caught.value.code == "validation.invalid"


not_an_int = st.one_of(
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.from_regex(r"\A-?\d{1,15}\Z"),  # digits in a string are still a string
    st.decimals(allow_nan=False, allow_infinity=False),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.just(b"100"),
)


@given(not_an_int)
@example(True)
@example(False)
@example(100.0)
@example(-0.0)
@example("300000")
def test_check_amount_refuses_everything_but_ints(amount):
    with pytest.raises(ValidationFailed) as caught:
        check_amount(amount)
    assert caught.value.code == "validation.invalid"


# -- recipients ---------------------------------------------------------------------------------

UNIT = UUID("0b7e4c1a-2d3f-4e5a-9b6c-7d8e9f0a1b2c")


@given(
    vietnamese_name,
    st.sampled_from(["individual", "collective", "household"]),
    st.one_of(st.none(), st.integers(min_value=1900, max_value=2100)),
)
def test_recipient_key_ignores_spelling_of_the_name(name, kind, birth_year):
    spelled, plain = name
    assume(nfc(spelled))
    extra = {"birth_year": birth_year} if kind == "individual" else {}
    keys = {
        Recipient.build({"kind": kind, "name": variant, "unit_id": str(UNIT), **extra}).key
        for variant in (
            spelled,
            nfd(spelled),
            nfc_only(spelled),
            plain,
            plain.upper(),
            "  " + nfd(spelled).replace(" ", "   ") + "\t",
        )
    }
    assert len(keys) == 1, keys


@given(vietnamese_name)
def test_recipient_name_is_stored_nfc(name):
    spelled, _ = name
    built = Recipient.build({"kind": "individual", "name": nfd(spelled)})
    assert built.name == nfc(spelled)
    assert Recipient.from_dict(built.as_dict()) == built


@given(st.from_regex(r"\A[0-9]{12}\Z"), vietnamese_name, vietnamese_name)
def test_recipient_with_citizen_id_is_keyed_by_it_alone(citizen_id, name_a, name_b):
    dotted = f"{citizen_id[:3]}.{citizen_id[3:6]} {citizen_id[6:]}"

    def keys() -> tuple[str, str]:
        a = Recipient.build({"kind": "individual", "name": name_a[0], "citizen_id": citizen_id})
        b = Recipient.build({"kind": "individual", "name": name_b[1], "citizen_id": dotted})
        return a.key, b.key

    def keyed(text: str) -> str:
        return hashlib.sha256(b"k|" + text.encode()).hexdigest()[:32]

    use_pseudonyms(None)  # the domain alone: the ID itself
    try:
        assert keys() == (f"cccd:{citizen_id}",) * 2
        # as the service keys it (services.personal_data): a keyed pseudonym of the ID
        use_pseudonyms(keyed)
        try:
            assert keys() == (f"cccd:{keyed(f'cccd:{citizen_id}')}",) * 2
        finally:
            release_pseudonyms(keyed)
    finally:
        release_pseudonyms(None)


json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=30),
)
junk = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.text(max_size=5), children, max_size=3),
    ),
    max_leaves=8,
)
field_values = {
    "kind": st.one_of(st.sampled_from(["individual", "collective", "household"]), junk),
    "name": st.one_of(st.text(max_size=40), st.text(min_size=290, max_size=320), junk),
    "unit_id": st.one_of(st.uuids().map(str), st.uuids(), junk),
    "org_unit_id": st.one_of(st.uuids().map(str), junk),
    "gender": st.one_of(st.sampled_from(["female", "male"]), junk),
    "birth_year": st.one_of(st.integers(min_value=1850, max_value=2150), junk),
    "birth_date": st.one_of(st.dates().map(date.isoformat), st.dates(), junk),
    "position": st.one_of(st.text(max_size=30), junk),
    "citizen_id": st.one_of(st.from_regex(r"\A[\d .\-]{9,15}\Z"), junk),
    "women_share": st.one_of(st.integers(min_value=-5, max_value=105), junk),
}
recipient_input = st.one_of(
    st.fixed_dictionaries({}, optional=field_values),
    st.dictionaries(st.text(max_size=12), junk, max_size=6),
    st.fixed_dictionaries({}, optional=field_values).flatmap(
        lambda d: st.dictionaries(st.text(max_size=8), junk, max_size=3).map(
            lambda extra: {**extra, **d}
        )
    ),
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(recipient_input)
@example({"kind": "individual", "name": "A", "birth_year": "abc"})
@example({"kind": "individual", "name": "A", "birth_year": float("nan")})
@example({"kind": "individual", "name": "A", "birth_year": float("inf")})
@example({"kind": "individual", "name": "A", "women_share": "x"})
@example({"kind": "collective", "name": "A", "women_share": [50]})
@example({"kind": "individual", "name": "A", "citizen_id": 123456789012})
@example({"kind": "individual", "name": "A", "position": 5})
@example({"kind": "individual", "name": "A", "birth_date": 5})
@example({"kind": "individual", "name": "A", "birth_date": "2000-01-01", "birth_year": "2000"})
def test_recipient_build_refuses_junk_only_with_domain_errors(data):
    try:
        built = Recipient.build(data)
    except DomainError as error:
        assert error.code and error.message
        return
    # Whatever is accepted is clean, and survives the round trip through an event's dict.
    assert built.kind in ("individual", "collective", "household")
    assert built.name == nfc(built.name)
    assert len(built.name) <= 300
    assert built.birth_year is None or (
        type(built.birth_year) is int and 1900 <= built.birth_year <= 2100
    )
    assert built.women_share is None or (
        type(built.women_share) is int and 0 <= built.women_share <= 100
    )
    assert built.citizen_id is None or (
        built.citizen_id.isdigit() and len(built.citizen_id) in (9, 12)
    )
    assert built.position is None or isinstance(built.position, str)
    assert Recipient.from_dict(built.as_dict()) == built
    assert isinstance(built.key, str)
