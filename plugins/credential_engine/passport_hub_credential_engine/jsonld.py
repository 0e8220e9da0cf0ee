"""Plain-JSON access to CTDL JSON-LD: language maps, CTIDs, references, lists.

No JSON-LD processor and no remote contexts: the registry's data carries properties the
published context lacks, and a strict expansion would drop them (CredentialRegistry#428).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

CTID_RE = re.compile(r"^ce-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
#: language-map keys tried in order before any other English variant, then the first key
PREFERRED_LANGUAGES = ("en-us", "en")


def as_list(value: Any) -> list[Any]:
    """JSON-LD allows one value or an array almost everywhere: always give a list."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def _pick_language(mapping: dict[str, Any], prefer: str | None = None) -> Any:
    if not mapping:
        return None
    if len(mapping) == 1:  # the usual map: whichever rule applies, its one value is picked
        return next(iter(mapping.values()))
    by_key = {str(k).casefold(): v for k, v in mapping.items()}
    order = ([prefer.casefold()] if prefer else []) + list(PREFERRED_LANGUAGES)
    for key in order:
        if key in by_key:
            return by_key[key]
    for key, value in by_key.items():
        if key.startswith("en"):
            return value
    return next(iter(mapping.values()))


def lang_text(value: Any, prefer: str | None = None) -> str | None:
    """One text from a language map (``{"en-US": "..."}``), a plain string, or a list of either.

    Order: ``prefer`` → ``en-US`` / ``en-us`` → ``en`` → any ``en*`` → the first key.
    A map whose value is an array gives its first non-empty item.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dict):
        if "@value" in value:
            return lang_text(value["@value"], prefer)
        picked = _pick_language(value, prefer)
        if isinstance(picked, str):  # the usual {"en-US": "..."}
            return picked.strip() or None
        return lang_text(picked, prefer)
    if isinstance(value, list):
        for item in value:
            text = lang_text(item, prefer)
            if text:
                return text
    return None


def lang_list(value: Any, prefer: str | None = None) -> list[str]:
    """All texts of a language map whose values are arrays (keywords, alternate names)."""
    out: list[str] = []
    for item in as_list(value):
        if isinstance(item, dict) and "@value" not in item:
            for picked in as_list(_pick_language(item, prefer)):
                text = lang_text(picked)
                if text:
                    out.append(text)
        else:
            text = lang_text(item, prefer)
            if text:
                out.append(text)
    return out


def clean_text(text: str | None) -> str | None:
    """Line endings to ``\\n``, no surrounding blanks; ``None`` stays ``None``."""
    if text is None:
        return None
    cleaned = (text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text).strip()
    return cleaned or None


def normalize_ctid(value: Any) -> str | None:
    """The canonical lower-case CTID in ``value``, or ``None``.

    Accepts a bare CTID in any case, a legacy ``urn:ctid:`` CTID, and a registry IRI
    (``.../resources/ce-...`` or ``.../graph/ce-...``, production, sandbox or legacy host).
    The UUID version nibble is not checked (CaSS data uses v3 UUIDs).
    """
    if not isinstance(value, str):
        return None
    if len(value) == 39 and CTID_RE.match(value):
        return value  # already canonical
    if (len(value) > 48 and value[-40] == "/" and value[-41] != "/" and value.isascii()
            and "?" not in value and "#" not in value and "[" not in value and "]" not in value):
        # a plain IRI ending in /ce-…: its last path segment is its last 39 characters (a "//"
        # before them would make them the host; ?, # and brackets change what urlsplit reads)
        tail = value[-39:].lower()
        if CTID_RE.match(tail):
            return tail
    text = value.strip()
    # text[:9].lower() == "urn:ctid:" as text.lower().startswith("urn:ctid:"), without lowering it all
    if text[:9].lower() == "urn:ctid:":
        text = text[9:]
    if "/" in text:
        text = urlsplit(text).path.rstrip("/").rsplit("/", 1)[-1]
        if text[:9].lower() == "urn:ctid:":
            text = text[9:]
    text = text.lower()
    return text if CTID_RE.match(text) else None


def ref_id(value: Any) -> str | None:
    """The ``@id`` a reference names: a string, or ``{"@id": ...}``; ``None`` otherwise."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        ident = value.get("@id")
        if isinstance(ident, str):
            return ident.strip() or None
    return None


def registry_host(iri: str | None) -> str | None:
    if not iri or "://" not in iri:
        return None
    return (urlsplit(iri).hostname or "").lower() or None


def is_sandbox_iri(iri: str | None) -> bool:
    # a plain ASCII IRI without "sandbox." cannot have a sandbox host: no URL parse needed
    # (urlsplit drops tabs and newlines, and refuses unbalanced brackets, so those take the long way)
    if (iri and iri.isascii() and "sandbox." not in iri.lower()
            and "\t" not in iri and "\r" not in iri and "\n" not in iri and "[" not in iri and "]" not in iri):
        return False
    host = registry_host(iri)
    return bool(host and host.startswith("sandbox."))


def iter_dicts(values: Iterable[Any]) -> Iterable[dict]:
    for value in values:
        if isinstance(value, dict):
            yield value
