import pytest
from django.core.exceptions import ValidationError

from employers.uscc import normalize_uscc, validate_uscc

# Real published codes (check digits verified by hand against GB 32100-2015).
VALID = [
    "91110000600037341L",  # a Beijing enterprise
    "91410425MA9F0001XT",
    "12410425MA9F000886",  # 机构编制 authority, 事业单位
    "N2410425MA9F00077C",  # 农村集体经济组织: stdnum's validate() rejects the letter N
]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_pass(code):
    assert validate_uscc(code) == code


def test_normalises_case_and_spaces():
    assert normalize_uscc(" 9111 0000 6000 3734 1l ") == "91110000600037341L"
    assert validate_uscc("91110000600037341l") == "91110000600037341L"


def test_bad_checksum_names_the_value():
    with pytest.raises(ValidationError) as exc:
        validate_uscc("91110000600037341M")
    assert "91110000600037341M" in exc.value.messages[0]
    assert "校验码" in exc.value.messages[0]
    assert exc.value.code == "checksum"


def test_n_prefixed_code_with_bad_checksum_is_rejected():
    with pytest.raises(ValidationError) as exc:
        validate_uscc("N2410425MA9F00077D")
    assert exc.value.code == "checksum"


@pytest.mark.parametrize(
    "code, error",
    [
        ("", "required"),
        ("9111000060003734", "length"),
        ("91110000600037341LX", "length"),
        ("91110000600O37341L", "format"),  # the letter O is not in the alphabet
        ("Z1110000600037341L", "format"),
    ],
)
def test_malformed_codes(code, error):
    with pytest.raises(ValidationError) as exc:
        validate_uscc(code)
    assert exc.value.code == error
