"""Normalizing issuer names and credential titles for catalog matching.

:func:`normalize_match_key` is the one rule: a catalog implementation (the core's store,
or a test's in-memory lookup) keys ``by_issuer_title`` on it, and a lookup with raw text
normalizes the same way, so callers may pass either raw or normalized text.
"""

from __future__ import annotations

import unicodedata

_DROP = {"'", "\u2019", "\u2018", "\u02bc"}  # apostrophes join: "Master's" -> "masters"


def normalize_match_key(text: str | None) -> str:
    """Casefold, drop accents and apostrophes, turn other punctuation and symbols into spaces, collapse blanks.

    ``"Bachelor of Science, Accounting (BSACC_202503)"`` → ``"bachelor of science accounting bsacc 202503"``;
    ``"Master's  Degree"`` → ``"masters degree"``; ``"Técnico"`` → ``"tecnico"``. Idempotent; ``None`` gives ``""``.
    """
    if not text:
        return ""
    out: list[str] = []
    for ch in unicodedata.normalize("NFKD", text).casefold():
        if ch in _DROP or unicodedata.combining(ch):
            continue
        category = unicodedata.category(ch)
        if category[0] in ("P", "S") or category[0] == "Z" or ch.isspace() or category == "Cc":
            out.append(" ")
        else:
            out.append(ch)
    return " ".join("".join(out).split())
