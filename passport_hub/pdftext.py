"""PDF text extraction shared by every PDF plugin, bounded in time and size.

pdfplumber keeps lines by position (words regrouped by their y coordinate), which
survives text runs split mid-word. Extraction runs in a worker process with a time
limit, so a hostile PDF cannot hang the hub.
"""

from __future__ import annotations

import io
import multiprocessing

from .config import PDF_IN_PROCESS_VARIABLE, flag_variable, pdf_time_limit
from .errors import MalformedError, UnsafeError

#: seconds allowed for extracting one PDF's text
#: pages read at most
PDF_MAX_PAGES = 200


def _extract(data: bytes) -> list[str]:
    import logging

    import pdfplumber

    # pdfminer reports each repaired cross-reference entry; a damaged PDF is reported once, by us
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = []
            for page in pdf.pages[:PDF_MAX_PAGES]:
                text = page.extract_text(x_tolerance=1.5, y_tolerance=3) or ""
                # the same (cached) text map extract_text used: positions cost no second pass
                textmap = page.get_textmap(x_tolerance=1.5, y_tolerance=3)
                pages.append(_page_text(text.replace("\u00a0", " "), textmap.tuples))
            return pages
    except PDFPasswordIncorrect:
        raise EncryptedPdf() from None
    except Exception as exc:
        # pdfplumber wraps pdfminer errors: PdfminerException(PDFPasswordIncorrect())
        if any(isinstance(a, PDFPasswordIncorrect) for a in getattr(exc, "args", ())) or isinstance(
                exc.__context__, PDFPasswordIncorrect):
            raise EncryptedPdf() from None
        raise


class PageText(str):
    """The text of one page — a plain ``str`` for every caller — that also carries
    where its words sit: ``lines`` has, for each text line (``text.split("\n")``), a
    tuple of ``(word, x0, x1)`` in reading order, x in PDF points from the left edge.

    A wide gap between two words of one line means separate columns printed on one
    baseline (e.g. a name on the left, an address block on the right).
    """

    lines: tuple[tuple[tuple[str, float, float], ...], ...] = ()

    def segments(self, line: int, gap: float = 24.0) -> list[str]:
        """Line ``line`` (0-based) cut where words are more than ``gap`` points apart."""
        words = self.lines[line] if 0 <= line < len(self.lines) else ()
        out: list[str] = []
        prev_x1: float | None = None
        for word, x0, x1 in words:
            if prev_x1 is None or x0 - prev_x1 > gap:
                out.append(word)
            else:
                out[-1] += " " + word
            prev_x1 = x1
        return out


def _page_text(text: str, tuples) -> PageText:
    """Wrap ``text`` with the word positions read from pdfplumber's text map tuples."""
    lines: list[tuple[tuple[str, float, float], ...]] = []
    words: list[tuple[str, float, float]] = []
    cur: list | None = None
    for ch, obj in tuples:
        if ch == "\n" or obj is None or ch.isspace():
            if cur is not None:
                words.append((cur[0], cur[1], cur[2]))
                cur = None
            if ch == "\n":
                lines.append(tuple(words))
                words = []
        elif cur is None:
            cur = [ch, float(obj["x0"]), float(obj["x1"])]
        else:
            cur[0] += ch
            cur[2] = float(obj["x1"])
    if cur is not None:
        words.append((cur[0], cur[1], cur[2]))
    lines.append(tuple(words))
    page = PageText(text)
    page.lines = tuple(lines)
    return page


class EncryptedPdf(Exception):
    pass


def _worker(data: bytes, conn) -> None:
    try:
        conn.send(("ok", _extract(data)))
    except EncryptedPdf:
        conn.send(("encrypted", ""))
    except Exception as exc:  # reported to the parent as malformed
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def extract_pages(data: bytes, *, name: str = "document", time_limit: float | None = None) -> list[str]:
    """Text of each page of a PDF.

    :raises MalformedError: not a readable PDF (truncated, corrupt) or over the time limit.
    :raises UnsafeError: the PDF is encrypted.
    """
    if not data.lstrip()[:5] == b"%PDF-":
        raise MalformedError(f"{name}: not a PDF")
    limit = pdf_time_limit() if time_limit is None else time_limit
    if limit <= 0 or flag_variable(PDF_IN_PROCESS_VARIABLE):
        try:
            return _extract(data)
        except EncryptedPdf:
            raise UnsafeError(f"{name}: the PDF is encrypted; export an unprotected copy") from None
        except Exception as exc:
            raise _unreadable(name, data, f"{type(exc).__name__}: {exc}") from None
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_worker, args=(data, child), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(limit):
            raise MalformedError(f"{name}: reading the PDF took longer than {limit:g} s; refused")
        status, payload = parent.recv()
    except EOFError:
        raise _unreadable(name, data, "the reader process crashed") from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(1)
        parent.close()
    if status == "encrypted":
        raise UnsafeError(f"{name}: the PDF is encrypted; export an unprotected copy")
    if status == "error":
        raise _unreadable(name, data, payload)
    return payload


def _unreadable(name: str, data: bytes, detail: str) -> MalformedError:
    # what a user can act on: a file cut short (a failed download) is the usual cause
    cut = b"%%EOF" not in data[-2048:]
    return MalformedError(
        f"{name}: unreadable PDF: " + ("the file is cut short (no end-of-file marker); download or export it again"
                                       if cut else "the file is damaged"),
        internal=detail,
    )
