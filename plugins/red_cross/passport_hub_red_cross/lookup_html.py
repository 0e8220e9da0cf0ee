"""Reading the certificate lookup's HTML fragment.

Only the researched markup is trusted (formats/red_cross.md §4): result rows
``div.result-certificate-dt`` with ``.col-class`` / ``.col-date`` / ``.col-st-name`` /
``.col-status``, and the hidden 18-field ``certpdfdownload`` value. The no-match text,
the CDN block page and anything else are told apart; unknown markup is never guessed at.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date

from lxml import etree
from lxml.html import defs

from passport_hub.errors import MalformedError, NotFoundError, UnavailableError

from .facts import STATUS_TEXT, CertificateFacts, fill_expiry, read_date, settle_status
from .ids import delivery_format, names_match, normalize_cert_id

NO_MATCH_TEXT = "sorry, we did not find a certificate"
ACCESS_DENIED_TEXT = "access denied"
PIPE_FIELDS = 18
#: markers that say "this is (meant to be) a lookup answer" (for sniff)
MARKERS = (b"result-certificate-dt", b"no-certificate-result", b"empty-certificate-result", b"certpdfdownload")
MAX_HTML_BYTES = 2_000_000
#: how far into a document sniff looks for the markers
SNIFF_BYTES = 200_000
#: a substring of every marker (one scan instead of one per marker)
_MARKER_PART = re.compile(rb"c(?:ertificate-(?:dt|result)|ertpdfdownload)")
_FIRST_TAG = re.compile(rb"<([A-Za-z][^\s/>]*)")
#: HTML element names (lxml's list and the HTML5 ones it lacks)
_HTML_TAGS = frozenset(t.encode() for t in defs.tags) | {
    b"main", b"template", b"picture", b"dialog", b"slot", b"data", b"bdi", b"search", b"frame", b"noframes"}
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
#: the CDN's block page (formats/red_cross.md §2, §7 item 5) is small; its title and heading are just
#: "Access Denied" (a page that merely mentions it in a longer heading is another page)
_TITLE = re.compile(rb"<title\b[^>]*>([^<]*)", re.IGNORECASE)
_FIRST_H1 = re.compile(rb"<h1\b[^>]*>([^<]*)", re.IGNORECASE)
_RED_CROSS_URL = r"https?://(?:[a-z0-9-]+\.)*redcross\.org(?![a-z0-9.-])"
#: what ties a block page to the Red Cross: the refused URL its sentence quotes ("You don't have permission
#: to access "URL" on this server", written with character references) is on a redcross.org host. A
#: redcross.org link elsewhere (footer, preconnect) proves nothing, nor does the "Reference #18..." id
#: (the CDN's, on every site it serves)
_REFUSED_URL = re.compile(rf'permission\s+to\s+access\s+"{_RED_CROSS_URL}[^"]*"\s+on\s+this\s+server', re.IGNORECASE)
#: or the address a browser notes in the page it saves
_SAVED_FROM = re.compile(rf"<!--\s*saved from url=\(\d+\){_RED_CROSS_URL}", re.IGNORECASE)


_HEADINGS = etree.XPath("//title | //h1")
#: the class names read inside a row
_ROW_CLASSES = frozenset({"col-class", "col-st-name", "col-date", "col-status",
                          "certpdfdownload", "certpdfurl", "eachcert", "certid"})


def _first_tag(head: bytes) -> bytes | None:
    """The lower-cased name of the first element in ``head`` (comments, doctype and XML
    declaration skipped), or ``None`` when the head does not show one."""
    pos = 0
    while (pos := head.find(b"<", pos)) >= 0:
        if head.startswith(b"<!--", pos):
            end, skip = head.find(b"-->", pos + 4), 3
        elif head.startswith((b"<!", b"<?"), pos):
            end, skip = head.find(b">", pos + 2), 1
        elif m := _FIRST_TAG.match(head, pos):
            return m[1].lower()
        else:
            end, skip = pos, 1
        if end < 0:
            return None
        pos = end + skip
    return None


def has_markers(data: bytes) -> bool:
    """A marker within the first :data:`SNIFF_BYTES` bytes."""
    if _MARKER_PART.search(data, 0, SNIFF_BYTES) is None:
        return False
    return any(data.find(marker, 0, SNIFF_BYTES) >= 0 for marker in MARKERS)


def _says_access_denied(match: re.Match[bytes] | None) -> bool:
    if match is None:
        return False
    return " ".join(html.unescape(match[1].decode("latin-1")).split()).casefold() == ACCESS_DENIED_TEXT


#: how much of a document sniff looks at: the block page is a few hundred bytes
HEAD_BYTES = 4096


def is_refusal(data: bytes) -> bool:
    """The document (its first :data:`HEAD_BYTES`) is the Red Cross site's ``Access Denied`` page: its title
    or first ``h1`` is exactly that (case and spacing aside), and the refused address it quotes
    (written with character references, ``http&#58;&#47;&#47;www&#46;redcross&#46;org``, so
    unescaped first) or the browser's ``<!-- saved from url=(NNNN)... -->`` note is on a
    ``redcross.org`` host."""
    head = data[:HEAD_BYTES]
    if not (_says_access_denied(_TITLE.search(head)) or _says_access_denied(_FIRST_H1.search(head))):
        return False
    text = head.decode("latin-1")
    return _SAVED_FROM.search(text) is not None or _REFUSED_URL.search(html.unescape(text)) is not None


def looks_like_answer(data: bytes) -> bool:
    """Sniff: an HTML page or fragment with one of the :data:`MARKERS`, or the site's refusal
    (:func:`is_refusal`), which has no marker but must still be reported as ``unavailable``.

    A document that does not start with markup (source code quoting the markers, say), whose
    first element is not an HTML element (an XML transcript) or that is not 8-bit text is no
    lookup answer; all three are told from the head, without scanning the document (the source
    has already set JSON aside). The refusal is looked for in the head only: the block page is
    a few hundred bytes."""
    head = data[:HEAD_BYTES]
    if b"\x00" in head:  # UTF-16 (or binary): the ASCII markers cannot be in it
        return False
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):  # a page starts with markup, not with text or code
        return False
    tag = _first_tag(head)
    if tag is not None and tag not in _HTML_TAGS:
        return False
    return has_markers(data) or is_refusal(head)


#: what lxml.html's ``text_content()`` runs; the page is parsed with the plain etree HTML parser,
#: whose elements cost a fifth of lxml.html's to visit (no Python class lookup per element)
_TEXT_CONTENT = etree.XPath("string()", smart_strings=False)


def _text(el) -> str:
    return " ".join(_TEXT_CONTENT(el).split())


def _none(value: str | None) -> str | None:
    value = " ".join(value.split()) if value else ""
    return value or None


@dataclass
class LookupAnswer:
    """Rows that fit, and one warning per row that did not."""

    certificates: list[CertificateFacts]
    rejected: list[str] = field(default_factory=list)


def load_page(data: bytes | str, name: str):
    """The answer parsed as HTML (``MalformedError`` when it is empty, too large or unreadable)."""
    if len(data) > MAX_HTML_BYTES:
        raise MalformedError(f"{name}: the lookup answer is larger than {MAX_HTML_BYTES} bytes; refused")
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    text = _XML_DECLARATION.sub("", text)
    if not text or text.isspace():
        raise MalformedError(f"{name}: the certificate lookup answered with an empty page")
    parser = etree.HTMLParser(remove_comments=True, no_network=True, recover=True)
    try:
        root = etree.fromstring(text, parser)
        if root is None:  # as lxml.html.document_fromstring says it
            raise etree.ParserError("Document is empty")
        return root
    except (etree.ParserError, ValueError) as exc:
        raise MalformedError(f"{name}: the certificate lookup answer is not readable HTML ({exc})") from None


def read_answer(
    data: bytes | str, *, name: str = "lookup answer", today: date | None = None, page=None
) -> LookupAnswer:
    """Every certificate in a lookup answer (``page``: ``data`` already parsed by :func:`load_page`).

    :raises NotFoundError: the answer is the no-match text.
    :raises UnavailableError: the answer is the CDN's ``Access Denied`` page.
    :raises MalformedError: neither result rows nor the no-match text (the site changed),
        or no row could be read.
    """
    today = today or date.today()
    root = page if page is not None else load_page(data, name)
    heading = " ".join(_text(el) for el in _HEADINGS(root))
    if ACCESS_DENIED_TEXT in heading.lower():
        raise UnavailableError(
            f"{name}: the Red Cross site refused the lookup (Access Denied, bot protection); "
            "the certificate could not be checked - this does not mean it does not exist"
        )
    # a walk over the divs: an XPath class test (concat, normalize-space) on every div costs more
    rows = [div for div in root.iter("div") if "result-certificate-dt" in _class_names(div.get("class") or "")]
    if not rows:
        page_text = _text(root).lower()
        if NO_MATCH_TEXT in page_text:
            raise NotFoundError(f"{name}: the Red Cross lookup found no certificate for this search")
        if ACCESS_DENIED_TEXT in page_text:
            raise UnavailableError(
                f"{name}: the Red Cross site refused the lookup (Access Denied); the certificate could not be checked"
            )
        raise MalformedError(
            f"{name}: the Red Cross lookup answered, but with neither certificate rows nor its "
            "no-match text; the page layout may have changed, so nothing was read from it"
        )
    answer = LookupAnswer(certificates=[])
    for position, row in enumerate(rows, start=1):
        try:
            answer.certificates.append(_read_row(row, position, today))
        except _RowRejected as exc:
            answer.rejected.append(str(exc))
    if not answer.certificates:
        raise MalformedError(
            f"{name}: no certificate row of the Red Cross lookup could be read ({'; '.join(answer.rejected)})"
        )
    return answer


class _RowRejected(Exception):
    pass


def _class_names(value: str) -> list[str]:
    """The names in a class attribute, split as ``normalize-space()`` splits (on these four characters only)."""
    if "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\t", " ").replace("\n", " ").replace("\r", " ")
    return value.split(" ")


def _row_cells(row) -> dict[str, list]:
    """The row's descendant elements of each :data:`_ROW_CLASSES` class, in document order: one
    walk of the row (an XPath class test per class costs more than the walk, even compiled)."""
    cells: dict[str, list] = {}
    for el in row.iterdescendants(etree.Element):
        value = el.get("class")
        if not value:
            continue
        for token in _class_names(value):
            if token in _ROW_CLASSES:
                found = cells.setdefault(token, [])
                if not found or found[-1] is not el:  # a name written twice is one match
                    found.append(el)
    return cells


def _one(cells: dict[str, list], css: str, position: int, what: str, required: bool) -> str | None:
    found = cells.get(css, ())
    if len(found) > 1:
        raise _RowRejected(f"row {position}: {len(found)} {what} cells; the row does not fit, skipped")
    text = _text(found[0]) if found else ""
    if not text:
        if required:
            raise _RowRejected(f"row {position}: no {what}; the row does not fit, skipped")
        return None
    return text


def _input_values(cells: dict[str, list], css: str) -> list[str]:
    return [value for el in cells.get(css, ()) if el.tag == "input" and (value := el.get("value")) is not None]


def _read_row(row, position: int, today: date) -> CertificateFacts:
    where = f"row {position}"
    cells = _row_cells(row)
    title = _one(cells, "col-class", position, "course title", True)
    holder = _one(cells, "col-st-name", position, "student name", True)
    date_text = _one(cells, "col-date", position, "completion date", False)
    status_text = _one(cells, "col-status", position, "status", False)

    pipe: list[str] | None = None
    warnings: list[str] = []
    values = _input_values(cells, "certpdfdownload") or _input_values(cells, "certpdfurl")
    if len(values) > 1:
        raise _RowRejected(f"{where}: {len(values)} hidden download values; the row does not fit, skipped")
    if values:
        parts = values[0].split("|")
        if len(parts) == PIPE_FIELDS:
            pipe = [p.strip() for p in parts]
        else:
            warnings.append(
                f"{where}: the hidden download value has {len(parts)} fields, not {PIPE_FIELDS}; "
                "issue and expiry dates, provider and instructor were not read from it"
            )

    # every place the row names its certificate ID must agree
    raw_ids = _input_values(cells, "eachcert") + _input_values(cells, "certid")
    if pipe:
        raw_ids += [pipe[0], pipe[17]]
    raw_ids = [r for r in raw_ids if r.strip()]
    if not raw_ids:
        raise _RowRejected(f"{where}: no certificate ID; the row does not fit, skipped")
    ids = {normalize_cert_id(r) for r in raw_ids}
    if None in ids:
        bad = next(r for r in raw_ids if normalize_cert_id(r) is None)
        raise _RowRejected(f"{where}: {bad.strip()!r} is not a certificate ID; the row does not fit, skipped")
    if len(ids) > 1:
        raise _RowRejected(f"{where}: its certificate IDs disagree ({', '.join(sorted(i for i in ids if i))}); skipped")
    cert_id = ids.pop()
    assert cert_id is not None
    where = f"row {position} ({cert_id})"
    facts = CertificateFacts(cert_id=cert_id, course_title=title, holder_name=holder)
    facts.warnings = [w.replace(f"row {position}", where, 1) for w in warnings]
    facts.completion_date = read_date(date_text, "completion date", facts.warnings, where)
    facts.status_text = status_text
    if status_text is not None:
        facts.status = STATUS_TEXT.get(status_text.casefold(), facts.status)
        if status_text.casefold() not in STATUS_TEXT:
            facts.warnings.append(f"{where}: unknown status {status_text!r}; status left unknown")

    if pipe:
        facts.pipe_status = _none(pipe[9])
        facts.course_code = _none(pipe[6])
        facts.provider = _none(pipe[3]) or _none(pipe[12])
        facts.aas_number = _none(pipe[4])
        facts.instructor = _none(pipe[16])
        facts.validity_text = _none(pipe[15])
        facts.issue_date = read_date(pipe[13], "issue date", facts.warnings, where)
        facts.expiry_date = read_date(pipe[14], "expiry date", facts.warnings, where)
        if _none(pipe[5]) and not names_match(pipe[5], title):
            facts.warnings.append(f"{where}: the download value names the course {pipe[5]!r}; kept {title!r}")
        if _none(pipe[11]) and not names_match(pipe[11], holder):
            facts.warnings.append(f"{where}: the download value names the student {pipe[11]!r}; kept {holder!r}")
        if _none(pipe[12]) and _none(pipe[3]) and _none(pipe[12]) != _none(pipe[3]):
            facts.warnings.append(f"{where}: two providers given ({pipe[3]!r}, {pipe[12]!r}); kept the first")
        pipe_state = STATUS_TEXT.get((facts.pipe_status or "").casefold())
        if status_text is None and pipe_state is not None:
            facts.status = pipe_state
        elif pipe_state is not None and status_text is not None and pipe_state != facts.status:
            facts.warnings.append(
                f"{where}: status {status_text!r} but the download value says {facts.pipe_status!r}; "
                f"kept {status_text!r}"
            )
        facts.delivery_format = delivery_format(facts.course_code, _none(pipe[8]))
    fill_expiry(facts, where)
    settle_status(facts, today, where)
    return facts
