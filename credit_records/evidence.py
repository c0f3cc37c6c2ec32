"""Evidence files (attachments): what may be uploaded, checked by name and by content."""

import hashlib
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_ATTACHMENTS_PER_UPLOAD = 10

_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
# suffix -> (content type, accepted leading bytes)
ALLOWED_TYPES = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".ofd": ("application/ofd", _ZIP),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    ".doc": ("application/msword", _OLE),
    ".xls": ("application/vnd.ms-excel", _OLE),
}


def check_upload(upload) -> tuple[str, str]:
    """Validate an uploaded evidence file; return (content type, sha256)."""
    name = Path(upload.name or "").name
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_TYPES:
        raise ValidationError(
            _("附件“%(name)s”的类型不允许：只接受 %(allowed)s")
            % {"name": name, "allowed": _("、").join(s.lstrip(".") for s in ALLOWED_TYPES)}
        )
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            _("附件“%(name)s”过大（%(size).1f MB，最大 %(max)d MB）")
            % {"name": name, "size": upload.size / 1048576, "max": MAX_ATTACHMENT_BYTES // 1048576}
        )
    if upload.size == 0:
        raise ValidationError(_("附件“%(name)s”是空文件") % {"name": name})
    content_type, signatures = ALLOWED_TYPES[suffix]
    upload.seek(0)
    head = upload.read(16)
    if not any(head.startswith(sig) for sig in signatures):
        raise ValidationError(
            _("附件“%(name)s”的内容与扩展名不符（不是有效的 %(type)s 文件）")
            % {"name": name, "type": suffix.lstrip(".").upper()}
        )
    sha = hashlib.sha256(head)
    for chunk in iter(lambda: upload.read(1 << 16), b""):
        sha.update(chunk)
    upload.seek(0)
    return content_type, sha.hexdigest()
