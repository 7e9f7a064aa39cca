"""Identifier codes of units: administrative division codes and unified social credit codes.

- District (区/县) codes are the 6-digit codes of GB/T 2260: two digits of province, two of
  prefecture, two of county. A county-level code never ends in "00" (that is a prefecture).
- Street codes add 3 digits (001–099 街道, 100–199 镇, 200–399 乡, 400–599 政企合一单位) and
  community codes 3 more (居委会/村委会), giving the 9- and 12-digit statistical division codes.
- Unified social credit codes (统一社会信用代码) follow GB 32100-2015: 18 characters from a
  31-character set without I, O, Z, S, V; the last is a check character computed modulo 31.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# First two digits of GB/T 2260 codes: the provinces, municipalities and autonomous regions,
# plus Taiwan (71), Hong Kong (81) and Macao (82).
PROVINCE_PREFIXES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# GB 32100-2015 §4: first character 登记管理部门码, second 机构类别码.
USCC_REGISTRAR = "123456789ANY"
_USCC_RE = re.compile(rf"^[{USCC_CHARSET}]{{18}}$")


def validate_district_code(code: str) -> None:
    """A 6-digit county-level GB/T 2260 code."""
    if not re.fullmatch(r"\d{6}", code or ""):
        raise ValidationError(
            _("A district code has exactly 6 digits (GB/T 2260), got “%(code)s”."),
            code="district_code_format",
            params={"code": code},
        )
    if code[:2] not in PROVINCE_PREFIXES:
        raise ValidationError(
            _("“%(code)s” does not start with a province code of GB/T 2260."),
            code="district_code_province",
            params={"code": code},
        )
    if code[4:] == "00":
        raise ValidationError(
            _("“%(code)s” is a prefecture code; a district code does not end in 00."),
            code="district_code_level",
            params={"code": code},
        )


def validate_street_code(code: str, district_code: str | None = None) -> None:
    """A 9-digit street (街道/镇/乡) code: the district's 6 digits and 3 of its own."""
    if not re.fullmatch(r"\d{9}", code or ""):
        raise ValidationError(
            _("A street code has exactly 9 digits, got “%(code)s”."),
            code="street_code_format",
            params={"code": code},
        )
    validate_district_code(code[:6])
    if not 1 <= int(code[6:]) <= 599:
        raise ValidationError(
            _("The last 3 digits of street code “%(code)s” must be between 001 and 599."),
            code="street_code_range",
            params={"code": code},
        )
    if district_code and not code.startswith(district_code):
        raise ValidationError(
            _("Street code “%(code)s” does not start with its district's code %(parent)s."),
            code="street_code_parent",
            params={"code": code, "parent": district_code},
        )


def validate_community_code(code: str, street_code: str | None = None) -> None:
    """A 12-digit community (社区/村) code: the street's 9 digits and 3 of its own."""
    if not re.fullmatch(r"\d{12}", code or ""):
        raise ValidationError(
            _("A community code has exactly 12 digits, got “%(code)s”."),
            code="community_code_format",
            params={"code": code},
        )
    validate_street_code(code[:9])
    if code[9:] == "000":
        raise ValidationError(
            _("The last 3 digits of community code “%(code)s” cannot be 000."),
            code="community_code_range",
            params={"code": code},
        )
    if street_code and not code.startswith(street_code):
        raise ValidationError(
            _("Community code “%(code)s” does not start with its street's code %(parent)s."),
            code="community_code_parent",
            params={"code": code, "parent": street_code},
        )


def uscc_check_character(first17: str) -> str:
    """The 18th character of a unified social credit code (GB 32100-2015, modulo 31)."""
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def validate_credit_code(code: str) -> None:
    """An 18-character unified social credit code with a correct check character."""
    code = code or ""
    if not _USCC_RE.fullmatch(code):
        raise ValidationError(
            _(
                "A unified social credit code has 18 characters of digits and capital letters "
                "without I, O, Z, S, V; got “%(code)s”."
            ),
            code="credit_code_format",
            params={"code": code},
        )
    if code[0] not in USCC_REGISTRAR:
        raise ValidationError(
            _("“%(code)s” does not start with a registration authority code."),
            code="credit_code_registrar",
            params={"code": code},
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            _("Characters 3–8 of “%(code)s” must be the registering division's 6-digit code."),
            code="credit_code_division",
            params={"code": code},
        )
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("The check character of “%(code)s” is wrong: expected %(expected)s."),
            code="credit_code_check",
            params={"code": code, "expected": expected},
        )


def make_credit_code(body17: str) -> str:
    """Complete 17 characters into a valid credit code (used by the demo and the tests)."""
    return body17 + uscc_check_character(body17)


# --- citizen ID numbers (公民身份号码, GB 11643-1999) ---------------------------------------------
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"  # ISO 7064 MOD 11-2: the check character by the weighted sum mod 11
_ID_RE = re.compile(r"\d{17}[\dX]")


def id_check_character(first17: str) -> str:
    """The 18th character of a citizen ID number (GB 11643-1999 §8.2, ISO 7064 MOD 11-2)."""
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def validate_id_number(number: str) -> None:
    """An 18-character citizen ID number: 6-digit division, a real birth date, 3-digit order,
    correct check character (a lowercase x is refused: the standard writes X)."""
    number = number or ""
    if not _ID_RE.fullmatch(number):
        raise ValidationError(
            _("An ID number has 17 digits and a check digit or X; got “%(number)s”."),
            code="id_number_format",
            params={"number": number},
        )
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        born = None
    if born is None or born.year < 1900 or born > date.today():  # noqa: DTZ011 (a date of birth)
        raise ValidationError(
            _("Characters 7–14 of “%(number)s” are not a date of birth."),
            code="id_number_birth",
            params={"number": number},
        )
    expected = id_check_character(number[:17])
    if number[17] != expected:
        raise ValidationError(
            _("The check digit of “%(number)s” is wrong: expected %(expected)s."),
            code="id_number_check",
            params={"number": number, "expected": expected},
        )


def make_id_number(body17: str) -> str:
    """Complete 17 digits into a valid ID number (used by the demo and the tests)."""
    return body17 + id_check_character(body17)


def mask_identity(code: str) -> str:
    """An ID number or credit code as shown to those who may not see it whole: the first 6
    and the last 4 characters (440303********123X)."""
    if not code:
        return ""
    if len(code) <= 10:
        return "*" * len(code)
    return code[:6] + "*" * (len(code) - 10) + code[-4:]


def mask_phone(phone: str) -> str:
    """A phone number with its middle hidden (138****5678)."""
    digits = phone or ""
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
