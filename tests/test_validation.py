import random
import re

import phonenumbers
import pytest

from crm import validation


@pytest.mark.parametrize("raw", ["(617) 555-0134", "617.555.0134", "+1 617 555 0134", "6175550134"])
def test_phone_numbers_written_any_way_are_stored_alike(raw):
    assert validation.phone(raw) == "+16175550134"


def _phonenumbers_says(digits: str) -> str | None:
    try:
        parsed = phonenumbers.parse(digits, "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _ours(digits: str) -> str | None:
    try:
        return validation.phone(digits)
    except ValueError:
        return None


def test_a_us_number_is_judged_exactly_as_phonenumbers_judges_it():
    """The shortcut that asks once per exchange agrees with phonenumbers on any number."""
    rng = random.Random(16)
    numbers = [f"{rng.randrange(10**10):010d}" for _ in range(20_000)]
    numbers += [
        f"{area}{exchange}{rng.randrange(10_000):04d}"
        for area in (617, 508, 401, 800, 900, 523, 524, 983, 310, 211)
        for exchange in range(200, 1000, 7)
    ]
    assert [_ours(n) for n in numbers] == [_phonenumbers_says(n) for n in numbers]
    assert sum(_ours(n) is not None for n in numbers) > 5_000


def test_an_impossible_phone_number_is_refused():
    with pytest.raises(ValueError, match="invalid phone"):
        validation.phone("555-01")


@pytest.mark.parametrize(
    ("raw", "code"), [("ma", "MA"), ("Massachusetts", "MA"), ("new york", "NY"), ("DC", "DC")]
)
def test_states_are_two_letter_codes(raw, code):
    assert validation.state(raw) == code


def test_an_unknown_state_is_refused():
    with pytest.raises(ValueError, match="unknown US state"):
        validation.state("Ontario")


@pytest.mark.parametrize(
    ("raw", "zip_"),
    [
        ("02118", "02118"),
        ("2118", "02118"),
        ("02118-1234", "02118-1234"),
        ("021181234", "02118-1234"),
    ],
)
def test_zip_codes_keep_their_leading_zero(raw, zip_):
    assert validation.zip_code(raw) == zip_


def test_a_malformed_zip_is_refused():
    with pytest.raises(ValueError, match="invalid ZIP"):
        validation.zip_code("ABCDE")


def test_a_valid_npi_passes_the_luhn_check():
    assert validation.npi("1234567893") == "1234567893"


@pytest.mark.parametrize("raw", ["1234567890", "123456789", "12345678931", "12345a7893"])
def test_a_wrong_npi_is_refused(raw):
    with pytest.raises(ValueError, match="invalid NPI"):
        validation.npi(raw)


def test_emails_are_lowercased_and_checked():
    assert validation.email(" Dr.Smith@Clinic.COM ") == "dr.smith@clinic.com"
    with pytest.raises(ValueError, match="invalid email"):
        validation.email("dr.smith@clinic")


def test_tags_are_a_sorted_set():
    assert validation.word_list("Soccer; football , soccer|Lacrosse") == "football,lacrosse,soccer"


def test_a_known_time_zone_is_its_zone():
    assert validation.time_zone("America/Chicago").key == "America/Chicago"


@pytest.mark.parametrize("raw", ["Mars/Olympus", "", "../etc/passwd"])
def test_an_unknown_time_zone_is_refused_by_name(raw):
    with pytest.raises(ValueError, match=f"^{re.escape(f'unknown time zone {raw!r}')}$"):
        validation.time_zone(raw)
