"""Certificate IDs, verify links and the issuer's fixed identity."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from passport_hub.matching import normalize_text

ISSUER_NAME = "American Red Cross"
ISSUER_URL = "https://www.redcross.org"
#: the current search controller (Salesforce Commerce Cloud); the legacy one was ``Certificates-SearchCerts``
DEFAULT_LOOKUP_URL = (
    "https://www.redcross.org/on/demandware.store/Sites-RedCross-Site/default/Certificates-SearchCertificates"
)
LANDING_URL = "https://www.redcross.org/take-a-class/digital-certificate"
VERIFY_URL = "https://www.redcross.org/take-a-class/qrcode?certnumber={}"

CERT_ID_RE = re.compile(r"^[0-9A-Z]{6,7}$")
#: a verify / QR link as printed or pasted (``qrcode`` or ``qrCode``)
QR_URL_RE = re.compile(r"(?:https?://)?[\w.-]*redcross\.org/take-a-class/qrcode\?\S+", re.IGNORECASE)


def normalize_cert_id(text: object) -> str | None:
    """The certificate ID trimmed, de-spaced and upper-cased, or ``None`` if it is not one.

    Accepts the ``id-<ID>`` form the lookup's hidden inputs use.
    """
    if text is None:
        return None
    value = "".join(str(text).split()).upper()
    if value.startswith("ID-"):
        value = value[3:]
    return value if CERT_ID_RE.match(value) else None


def verify_url(cert_id: str) -> str:
    return VERIFY_URL.format(cert_id)


def cert_id_from_url(url: str) -> str | None:
    """The ``certnumber`` of a verify / QR link (path matched case-insensitively)."""
    try:
        parts = urlsplit(url if "://" in url else "https://" + url)
    except ValueError:
        return None
    if not parts.path.lower().rstrip("/").endswith("/take-a-class/qrcode"):
        return None
    query = {k.lower(): v for k, v in parse_qs(parts.query).items()}
    values = query.get("certnumber") or []
    return normalize_cert_id(values[0]) if values else None


def delivery_format(course_code: str | None, format_text: str | None = None) -> str | None:
    """Delivery format by the consumers' course-code rule: ``BL`` blended, ``OL`` or ``ROC…`` online,
    otherwise instructor-led. Without a course code, the printed format text is used if it is known."""
    if course_code:
        code = course_code.upper()
        if "BL" in code:
            return "blended"
        if "OL" in code or code.startswith("ROC"):
            return "online"
        return "instructor_led"
    if format_text:
        key = re.sub(r"[^a-z]", "", format_text.lower())
        return {"instructorled": "instructor_led", "blended": "blended", "online": "online"}.get(key)
    return None


def names_match(a: str | None, b: str | None) -> bool:
    """Two names (people or courses) are the same after case, accents, spacing and
    punctuation are ignored (the core's matching rule)."""
    if not (a and b):
        return False
    return a == b or normalize_text(a) == normalize_text(b)
