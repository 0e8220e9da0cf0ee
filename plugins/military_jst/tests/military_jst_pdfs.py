"""Build JST PDFs with reportlab in the researched layout of the synthetic samples.

Coordinates follow ``tests/data/jst_army_official.pdf`` (columns measured with pdfplumber):
ACE ID at x=36, military course number at 122, title at 200, dates at 400 / 456; credit
subject at 210, hours at 400, level at 436; occupation dates at 122 / 178; description and
level headings at 46; recipient college / address at 300. Everything here is fictional.

A transcript is a list of *items*: ``("text", x, str)`` on the current row,
``("row",)`` to move down one row, and ``("runs", [(x, str), ...])`` to draw one row as
several separate text objects (split runs). ``build`` paginates and adds the page furniture.
"""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

ROW = 13
TOP = 750
BOTTOM = 70


def row(*cols: tuple[float, str]) -> list:
    return [("cols", list(cols))]


def runs(*parts: tuple[float, str]) -> list:
    """One visual row drawn as separate text objects (each its own BT/ET)."""
    return [("runs", list(parts))]


def course(ace: str, number: str, title: str, d1: str, d2: str | None, credits: list, review: str | None = None,
           wrap: str | None = None) -> list:
    out = row((36, ace), (122, number), (200, title), (400, d1), *([(456, d2)] if d2 else []))
    if wrap:
        out += row((200, wrap))
    for subj, hours, level in credits:
        out += row((210, subj), (400, f"{hours} SH"), *([(436, level)] if level else []))
    if review:
        out += row((210, review))
    return out


def occupation(ace: str, d1: str, d2: str | None, title: str, description: str, levels: list,
               review: str | None = None) -> list:
    out = row((36, ace), (122, d1), *([(178, d2)] if d2 else []))
    out += row((36, title)) + row((46, description))
    for label, credits in levels:
        out += row((46, label))
        for c in credits:
            if isinstance(c, str):
                out += row((210, c))
            else:
                subj, hours, level = c
                out += row((210, subj), (400, f"{hours} SH"), (436, level))
    if review:
        out += row((210, review))
    return out


def personal(name: str, ssn: str, rank: str, status: str, college: str | None = None,
             address: tuple[str, str] = ("1 FICTION ROAD", "NOWHERE, ST 00000")) -> list:
    out = row((36, f"Name: {name}"), *([(300, college)] if college else []))
    out += row((36, f"SSN: {ssn}"), *([(300, address[0])] if college else []))
    out += row((36, f"Rank: {rank}"), *([(300, address[1])] if college else []))
    out += row((36, f"Status: {status}"))
    return out


def heading(text: str) -> list:
    return [("heading", text)]


def transcript(official: bool, body: list, summary: list | None = None) -> dict:
    return {"official": official, "body": body, "summary": summary}


def build(transcripts: list[dict], *, encrypt: str | None = None) -> bytes:
    """PDF bytes: each transcript starts on a new page with ``TRANSCRIPT``; page n of m per transcript."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=letter, encrypt=encrypt, invariant=1)
    c.setTitle("Joint Services Transcript (synthetic test data)")
    for t in transcripts:
        pages = _paginate(t)
        for n, (mark, rows) in enumerate(pages, start=1):
            c.setFont("Helvetica-Bold", 10)
            c.drawCentredString(306, 770, "** PRIVACY ACT INFORMATION **")
            c.drawCentredString(306, 758, mark)
            y = TOP - 14
            for kind, payload in rows:
                if kind == "heading":
                    c.setFont("Helvetica-Bold", 10)
                    c.drawString(36, y, payload)
                elif kind == "cols":
                    c.setFont("Helvetica", 8.5)
                    t_obj = c.beginText()
                    for x, text in payload:
                        t_obj.setTextOrigin(x, y)
                        t_obj.textOut(text)
                    c.drawText(t_obj)
                elif kind == "runs":
                    c.setFont("Helvetica", 8.5)
                    for x, text in payload:
                        c.drawString(x, y, text)  # each drawString is its own text object
                y -= ROW
            c.setFont("Helvetica", 8)
            c.drawCentredString(306, 40, f"Page {n} of {len(pages)}")
            c.drawCentredString(306, 28, "SYNTHETIC TEST DATA - NOT A REAL RECORD")
            c.showPage()
    c.save()
    return buf.getvalue()


def _paginate(t: dict) -> list[tuple[str, list]]:
    mark = "OFFICIAL" if t["official"] else "UNOFFICIAL"
    pages: list[tuple[str, list]] = []
    rows: list = [("heading", "TRANSCRIPT")]
    for item in t["body"]:
        if item[0] == "pagebreak":
            pages.append((mark, rows))
            rows = []
            continue
        rows.append(item)
        if TOP - 14 - ROW * len(rows) < BOTTOM:
            pages.append((mark, rows))
            rows = []
    pages.append((mark, rows))
    if t["summary"]:
        pages.append(("NOT OFFICIAL", [("heading", "SUMMARY"), *t["summary"]]))
    return pages


def page_break() -> list:
    return [("pagebreak",)]


def plain_pdf(lines: list[str], *, image_only: bool = False) -> bytes:
    """A one-page PDF that is not a JST (a letter, a certificate), or one with no text at all."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=letter, invariant=1)
    if image_only:
        c.rect(50, 50, 500, 700, fill=1)
    else:
        c.setFont("Helvetica", 11)
        for i, text in enumerate(lines):
            c.drawString(60, 720 - 16 * i, text)
    c.showPage()
    c.save()
    return buf.getvalue()
