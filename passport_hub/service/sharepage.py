"""The plain, accessible HTML page an employer opens from a share link.

Semantic HTML (headings, description lists, a table with a caption and header cells),
statuses in words (never colour alone), and every value escaped.
"""

from __future__ import annotations

import re
from html import escape

from ..model import Check, CredentialRecord, Verification
from ..verify import ISSUER_IDENTITY

_CSS = """
body{font-family:system-ui,sans-serif;max-width:50rem;margin:1rem auto;padding:0 1rem;line-height:1.5;color:#111}
section{border:1px solid #888;border-radius:.4rem;padding:0 1rem 1rem;margin:1rem 0}
dt{font-weight:bold}dd{margin:0 0 .4rem 1rem}table{border-collapse:collapse;width:100%}
th,td{border:1px solid #888;padding:.3rem;text-align:left;vertical-align:top}caption{text-align:left;font-weight:bold}
.passed{background:#e6f4ea}.failed{background:#fce8e6}.not_checked{background:#f1f3f4}
"""

_CHECK_WORDS = {"passed": "Passed", "failed": "Failed", "not_checked": "Could not be checked"}
_STATUS_WORDS = {
    "verified": "Verified", "failed": "Verification failed", "revoked": "Revoked by the issuer",
    "expired": "Expired", "unverifiable": "Could not be verified", "error": "Could not be verified (error)",
}


_CODE = re.compile(r"^[a-z][a-z0-9_]*: ")


def _verification_words(status: str | None) -> str:
    """A verification's status in words (``None``: the record was never verified)."""
    return _STATUS_WORDS.get(status, status) if status else "Never checked"


def _identity(v: Verification | None) -> Check | None:
    return next((c for c in v.checks if c.name == ISSUER_IDENTITY and c.detail), None) if v is not None else None


def _summary(status: str | None, v: Verification | None) -> str:
    """``status`` in words and, when ``v`` (a verification with that status) has a check saying who
    signed, who: its detail without the reason code."""
    words = _verification_words(status)
    who = _identity(v) if v is not None and str(v.status) == status else None
    return f"{words}: {_CODE.sub('', who.detail or '', count=1)}" if who is not None else words


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="robots" content="noindex"><title>{escape(title)}</title><style>{_CSS}</style></head>'
            f'<body><main>{body}</main></body></html>')


def _dl(items: list[tuple[str, str]]) -> str:
    return "<dl>" + "".join(f"<dt>{escape(k)}</dt><dd>{v}</dd>" for k, v in items) + "</dl>"


def _record(record: CredentialRecord, n: int) -> str:
    a = record.achievement
    issuer = escape(record.issuer.name)
    who = _identity(record.verification)
    if who is not None and str(who.status) != "passed":  # nothing ties the name to whoever signed
        issuer += " <small>(the name the credential states; who signed it is under Verification)</small>"
    items: list[tuple[str, str]] = [("Issuer", issuer), ("Kind", escape(str(a.kind)))]
    if record.holder:
        items.append(("Earned by", escape(record.holder.name)))
    items.append(("Issued", escape(record.issued_on.isoformat()) if record.issued_on else "not stated"))
    items.append(("Credential valid until",
                  escape(record.expires_on.isoformat()) if record.expires_on else "no expiry stated"))
    items.append(("Status stated by the source", escape(str(record.status))))
    if a.ctid:
        items.append(("Registry CTID", escape(a.ctid)))
    if a.credit:
        credit = "".join(
            f"<li>{escape(f'{c.amount:g}')} {escape(str(c.unit).replace('_', ' '))}"
            + (f", {escape(str(c.level).replace('_', ' '))}" if c.level else "")
            + (f" ({escape(c.subject)})" if c.subject else "") + "</li>"
            for c in a.credit
        )
        items.append(("Credit", f"<ul>{credit}</ul>"))
    if a.skills:
        skills = "".join(
            f"<li>{escape(s.name)}" + (f" ({escape(s.framework or '')} {escape(s.code or '')})".replace("( ", "(")
                                        if s.framework or s.code else "") + "</li>"
            for s in a.skills
        )
        items.append(("Skills", f"<ul>{skills}</ul>"))
    if a.occupations:
        occ = "".join(f"<li>{escape(o.title or o.code)} ({escape(o.framework)} {escape(o.code)})</li>"
                      for o in a.occupations)
        items.append(("Occupations", f"<ul>{occ}</ul>"))
    if record.results:
        items.append(("Results", "<ul>" + "".join(f"<li>{escape(r.name)}: {escape(r.value)}</li>"
                                                  for r in record.results) + "</ul>"))
    v = record.verification
    if v is None:
        verification = "<p>Verification: could not be run.</p>"
    else:
        rows = "".join(
            f'<tr class="{escape(str(c.status))}"><th scope="row">{escape(c.name)}</th>'
            f"<td>{escape(_CHECK_WORDS.get(str(c.status), str(c.status)))}</td><td>{escape(c.detail or '')}</td></tr>"
            for c in v.checks
        ) or '<tr><td colspan="3">No checks apply to this credential.</td></tr>'
        verification = (
            f"<p><strong>Verification: {escape(_summary(str(v.status), v))}</strong>"
            f" (checked {escape(v.checked_at.strftime('%Y-%m-%d %H:%M:%S'))} UTC)</p>"
            f'<table><caption>Checks for {escape(a.title)}</caption><thead><tr><th scope="col">Check</th>'
            f'<th scope="col">Result</th><th scope="col">Detail</th></tr></thead><tbody>{rows}</tbody></table>'
        )
    return (f'<section aria-labelledby="rec-{n}" data-record-id="{escape(record.id)}">'
            f'<h2 id="rec-{n}">{escape(a.title)}</h2>{_dl(items)}{verification}</section>')


def share_page(share: dict, records: list[CredentialRecord], cpl=None) -> str:
    who = f" for {escape(share['audience'])}" if share.get("audience") else ""
    intro = (f"<h1>Shared credentials{who}</h1>"
             f"<p>{len(records)} credential{'s' if len(records) != 1 else ''} shared through the Career Passport. "
             f"This link expires {escape(share['link_expires_at'][:16].replace('T', ' '))} UTC; that is the link, "
             f"not the credentials (each shows its own validity).</p>")
    body = intro + "".join(_record(r, i) for i, r in enumerate(records, 1))
    if not records:
        body += "<p>The holder has removed every credential from this share.</p>"
    if cpl is not None:
        body += _cpl_section(cpl, {r.id: r.verification for r in records})
    return _page("Shared credentials", body)


def _cpl_section(cpl, shown: dict[str, Verification | None] | None = None) -> str:
    """Credit for prior learning at the share's college (a CplReport), as a table; ``shown``: the
    verifications the page shows by record id, whose signer the issuer check names too."""
    shown = shown or {}
    rows = "".join(
        f"<tr><td>{escape(c.course.code)}</td><td>{escape(c.course.title or '')}</td>"
        f"<td>{'' if c.units is None else escape(f'{c.units:g}')}</td>"
        f"<td>{escape(c.earned_by.record_title)}: {escape(c.earned_by.reason)}"
        f"<br><small>read from: {escape(c.earned_by.evidence)}</small></td>"
        f"<td>{escape(_summary(c.earned_by.verification, shown.get(c.earned_by.record_id)))}</td></tr>"
        for c in cpl.eligible
    )
    if cpl.eligible:
        table = ("<table><caption>College courses these credentials earn</caption><thead><tr>"
                 "<th scope='col'>Course</th><th scope='col'>Title</th><th scope='col'>Units</th>"
                 "<th scope='col'>Earned by</th><th scope='col'>Issuer check</th></tr></thead>"
                 f"<tbody>{rows}</tbody></table>")
    else:
        table = "<p>No course is articulated for these credentials.</p>"
    pending = (f"<p>{len(cpl.recommendations)} ACE credit recommendation(s) are not yet articulated at this college."
               "</p>") if cpl.recommendations else ""
    return f"<section><h2>Credit for prior learning at {escape(cpl.college)}</h2>{table}{pending}</section>"


def gone_page(message: str) -> str:
    return _page("Share link no longer available", f"<h1>This link is no longer available</h1><p>{escape(message)}</p>")


def not_found_page() -> str:
    return _page("Share link not found", "<h1>Share link not found</h1><p>Check the link you were given.</p>")
