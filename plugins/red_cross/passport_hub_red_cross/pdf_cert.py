"""Reading a Red Cross certificate PDF (full size or wallet card) by its printed labels."""

from __future__ import annotations

import re
from datetime import date

from passport_hub.errors import MalformedError

from .facts import CertificateFacts, fill_expiry, read_date, settle_status
from .ids import QR_URL_RE, cert_id_from_url, normalize_cert_id

# label wording → field; longest alternatives first so "Training Provider" wins over "Provider"
_LABELS: dict[str, str] = {
    "date completed": "completed",
    "completion date": "completed",
    "date of completion": "completed",
    "completed": "completed",
    "issue date": "issued",
    "date issued": "issued",
    "issued": "issued",
    "expiration date": "expires",
    "expiry date": "expires",
    "expiration": "expires",
    "valid until": "expires",
    "valid through": "expires",
    "expires": "expires",
    "valid for": "validity",
    "certificate id": "cert_id",
    "certificate number": "cert_id",
    "certificate no.": "cert_id",
    "certificate #": "cert_id",
    "cert id": "cert_id",
    "cert. id": "cert_id",
    "cert #": "cert_id",
    "training provider": "provider",
    "provider": "provider",
    "organization": "provider",
    "lead instructor": "instructor",
    "instructor name": "instructor",
    "instructor": "instructor",
    "student name": "holder",
    "student": "holder",
    "name": "holder",
    "course title": "course",
    "course": "course",
    "class": "course",
}
_LABEL_RE = re.compile(
    r"(?<![\w#.])(" + "|".join(re.escape(k) for k in sorted(_LABELS, key=len, reverse=True)) + r")\s*:",
    re.IGNORECASE,
)
_HOLDER_ANCHOR = re.compile(r"\b(?:this )?certifies that\b[:\s]*", re.IGNORECASE)
_COURSE_ANCHOR = re.compile(
    r"\b(?:has )?(?:successfully )?completed the (?:requirements|course) (?:for|of)\b[:\s]*", re.IGNORECASE
)
_BOILERPLATE = re.compile(
    r"^(american red cross|red cross|certificate(?: of (?:completion|achievement))?|wallet card|"
    r"synthetic test fixture\b.*|scan the code\b.*|.*\bverify this certificate\b.*|"
    r"this certifies that|(?:has )?(?:successfully )?completed the (?:requirements|course) (?:for|of))$",
    re.IGNORECASE,
)
_COURSE_WORDS = re.compile(
    r"first aid|\bcpr\b|\baed\b|lifeguard|life support|\bbls\b|babysit|water safety|swim|"
    r"emergency|responder|wilderness|bloodborne|oxygen|\bcourse\b",
    re.IGNORECASE,
)
FULL_MARKERS = ("certificate of completion", "certifies that", "certificate id")


def _labelled(lines: list[str]) -> tuple[dict[str, str], int | None]:
    """Label → value for every ``Label: value`` on the page (several may share a line),
    and the index of the first line carrying a label."""
    found: dict[str, str] = {}
    first: int | None = None
    for i, line in enumerate(lines):
        matches = list(_LABEL_RE.finditer(line))
        if not matches:
            continue
        first = i if first is None else first
        for j, m in enumerate(matches):
            end = matches[j + 1].start() if j + 1 < len(matches) else len(line)
            value = line[m.end() : end].strip()
            if not value and j + 1 == len(matches) and i + 1 < len(lines) and not _LABEL_RE.search(lines[i + 1]):
                value = lines[i + 1].strip()  # the value printed on the next line
            key = _LABELS[m[1].lower()]
            if value and key not in found:
                found[key] = value
    return found, first


def _after(lines: list[str], anchor: re.Pattern) -> str | None:
    """The text after an anchor phrase: on the same line, or the next line."""
    for i, line in enumerate(lines):
        m = anchor.search(line)
        if not m:
            continue
        rest = line[m.end() :].strip()
        if rest:
            return rest
        if i + 1 < len(lines) and not _LABEL_RE.search(lines[i + 1]) and lines[i + 1].strip():
            return lines[i + 1].strip()
    return None


def looks_like_certificate(text: str) -> bool:
    low = text.lower()
    if QR_URL_RE.search(text):
        return True
    return "red cross" in low and bool(re.search(r"\bcert(?:ificate)?\.? ?(?:id|number|#)\s*:", low))


def read_certificate(pages: list[str], *, name: str, today: date | None = None) -> CertificateFacts:
    """The certificate's facts from its PDF text.

    :raises MalformedError: no text (a scan), or no certificate ID / course title.
    """
    today = today or date.today()
    text = "\n".join(pages)
    if not text.strip():
        raise MalformedError(
            f"{name}: the text of this PDF could not be read (it looks like a scanned or image-only "
            "certificate). Enter the certificate ID printed on it instead, and passport-hub will look "
            "it up with the Red Cross."
        )
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    labels, first_label = _labelled(lines)
    warnings: list[str] = []

    urls = [m[0].rstrip(".,;)") for m in QR_URL_RE.finditer(text)]
    printed_url = urls[0] if urls else None
    url_id = cert_id_from_url(printed_url) if printed_url else None
    label_id = normalize_cert_id(labels["cert_id"]) if "cert_id" in labels else None
    if "cert_id" in labels and label_id is None:
        warnings.append(f"{name}: the printed certificate ID {labels['cert_id']!r} is not a valid ID")
    cert_id = label_id or url_id
    if cert_id is None:
        raise MalformedError(f"{name}: no Red Cross certificate ID (6-7 letters and digits) found on the certificate")
    if label_id and url_id and label_id != url_id:
        warnings.append(
            f"{name}: the certificate ID {label_id} and the verify link's ID {url_id} disagree; kept {label_id}"
        )

    holder = labels.get("holder") or _after(lines, _HOLDER_ANCHOR)
    course = labels.get("course") or _after(lines, _COURSE_ANCHOR)
    if holder is None or course is None:
        # wallet card: name and course are printed without labels above the first labelled line
        head = lines[: first_label if first_label is not None else len(lines)]
        free = [
            line
            for line in head
            if not _BOILERPLATE.match(line) and not QR_URL_RE.search(line) and line not in (holder, course)
        ]
        if course is None:
            courses = [line for line in free if _COURSE_WORDS.search(line)]
            if len(courses) == 1:
                course = courses[0]
            elif holder is None and len(free) == 2:
                course = free[1]
            elif holder is not None and len(free) == 1:
                course = free[0]
            free = [line for line in free if line != course]
        if holder is None and len(free) == 1:
            holder = free[0]
    if not course:
        raise MalformedError(f"{name}: no course title found on the Red Cross certificate {cert_id}")
    if not holder:
        warnings.append(f"{name}: no holder name found on the certificate")

    where = name
    full = any(marker in text.lower() for marker in FULL_MARKERS)
    facts = CertificateFacts(
        cert_id=cert_id,
        course_title=course,
        holder_name=holder,
        provider=labels.get("provider"),
        instructor=labels.get("instructor"),
        validity_text=labels.get("validity"),
        verify_url_as_printed=printed_url,
        certificate_format="full" if full else "wallet",
        warnings=warnings,
    )
    facts.completion_date = read_date(labels.get("completed"), "completion date", facts.warnings, where)
    facts.issue_date = read_date(labels.get("issued"), "issue date", facts.warnings, where)
    facts.expiry_date = read_date(labels.get("expires"), "expiry date", facts.warnings, where)
    if facts.completion_date is None and facts.issue_date is None:
        facts.warnings.append(f"{name}: no completion date found on the certificate")
    fill_expiry(facts, where)
    # a certificate alone cannot say it is still valid (status stays unknown until a lookup),
    # but a printed expiry that has passed does say it is expired
    settle_status(facts, today, where)
    return facts
