"""统一社会信用代码 (GB 32100-2015) normalisation and validation.

python-stdnum's ``stdnum.cn.uscc.validate`` insists that the registration-authority digit
(first character) is a digit, which rejects valid codes issued by authorities A, N and Y
(e.g. 农村集体经济组织 ``N2…``). Those are checked with its ``calc_check_digit`` on the first
17 characters (SPEC §2).
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError

_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_LETTER_AUTHORITIES = {"A", "N", "Y"}
_SHAPE = re.compile(rf"^[{_ALPHABET}]{{18}}$")


def normalize_uscc(value) -> str:
    """Upper case, with spaces (including full-width ones) and hyphens removed."""
    if value is None:
        return ""
    return re.sub(r"[\s\u3000-]", "", str(value)).upper()


def validate_uscc(value) -> str:
    """Return the normalised code or raise ValidationError with a Chinese message naming it."""
    code = normalize_uscc(value)
    if not code:
        raise ValidationError(_("统一社会信用代码不能为空"), code="required")
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码“%(value)s”应为 18 位，实际为 %(n)d 位")
            % {"value": code, "n": len(code)},
            code="length",
        )
    if not _SHAPE.match(code):
        raise ValidationError(
            _("统一社会信用代码“%(value)s”含有不允许的字符（不得使用 I、O、Z、S、V）")
            % {"value": code},
            code="format",
        )
    try:
        if code[0] in _LETTER_AUTHORITIES:
            if stdnum_uscc.calc_check_digit(code[:17]) != code[17]:
                raise InvalidChecksum()
        else:
            stdnum_uscc.validate(code)
    except InvalidChecksum:
        raise ValidationError(
            _("统一社会信用代码“%(value)s”校验码错误") % {"value": code}, code="checksum"
        ) from None
    except StdnumError:
        raise ValidationError(
            _("统一社会信用代码“%(value)s”格式不正确") % {"value": code}, code="format"
        ) from None
    return code


def make_uscc(first17: str) -> str:
    """Complete 17 characters with their check digit (used by demo data and tests)."""
    return first17 + stdnum_uscc.calc_check_digit(first17)
