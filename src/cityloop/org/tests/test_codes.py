"""Division codes (GB/T 2260 + street + community) and unified social credit codes."""

import pytest
from django.core.exceptions import ValidationError

from cityloop.org import codes


@pytest.mark.parametrize("code", ["440303", "110101", "820001"])
def test_valid_district_codes_pass(code):
    codes.validate_district_code(code)


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("44030", "district_code_format"),
        ("44030a", "district_code_format"),
        ("990303", "district_code_province"),
        ("440300", "district_code_level"),
    ],
)
def test_bad_district_codes_are_refused_with_reason(code, error):
    with pytest.raises(ValidationError) as exc:
        codes.validate_district_code(code)
    assert exc.value.code == error
    assert code in str(exc.value.messages[0])


def test_street_code_must_extend_its_district():
    codes.validate_street_code("440303001", "440303")
    with pytest.raises(ValidationError) as exc:
        codes.validate_street_code("440304001", "440303")
    assert exc.value.code == "street_code_parent"


@pytest.mark.parametrize("code", ["440303000", "440303600", "44030300"])
def test_street_code_range_and_length(code):
    with pytest.raises(ValidationError):
        codes.validate_street_code(code)


def test_community_code_must_extend_its_street():
    codes.validate_community_code("440303001001", "440303001")
    with pytest.raises(ValidationError) as exc:
        codes.validate_community_code("440303002001", "440303001")
    assert exc.value.code == "community_code_parent"
    with pytest.raises(ValidationError) as exc:
        codes.validate_community_code("440303001000")
    assert exc.value.code == "community_code_range"


@pytest.mark.parametrize(
    "code",
    ["91350100M000100Y43", "91110000600037341L", "91440300708461136T"],
)
def test_real_credit_codes_pass(code):
    codes.validate_credit_code(code)


def test_credit_code_with_wrong_check_character_names_the_expected_one():
    with pytest.raises(ValidationError) as exc:
        codes.validate_credit_code("91440300708461136X")
    assert exc.value.code == "credit_code_check"
    assert "T" in exc.value.messages[0]


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("9144030070846113", "credit_code_format"),  # too short
        ("91440300708461136I", "credit_code_format"),  # I is not in the character set
        ("B1440300708461136T", "credit_code_registrar"),
        ("9144A300708461136T", "credit_code_division"),
    ],
)
def test_malformed_credit_codes_are_refused(code, error):
    with pytest.raises(ValidationError) as exc:
        codes.validate_credit_code(code)
    assert exc.value.code == error


def test_make_credit_code_completes_a_valid_code():
    code = codes.make_credit_code("92440303MA5DC4P38")
    codes.validate_credit_code(code)
    assert len(code) == 18


def test_citizen_id_numbers_are_checked_by_their_check_digit_and_birth_date():
    from cityloop.org.codes import (
        id_check_character,
        make_id_number,
        mask_identity,
        mask_phone,
        validate_id_number,
    )

    # GB 11643-1999's own example: 11010519491231002X
    assert id_check_character("11010519491231002") == "X"
    validate_id_number("11010519491231002X")
    for bad in (
        "110105194912310021",
        "11010519491231002x",
        "1101051949123100",
        "110105194913310023",
    ):
        with pytest.raises(ValidationError):
            validate_id_number(bad)
    number = make_id_number("44030319850312001")
    validate_id_number(number)
    assert mask_identity(number) == "440303********" + number[-4:]
    assert mask_phone("13800138000") == "138****8000"
