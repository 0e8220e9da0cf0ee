"""Offline-first loading of JSON-LD contexts and other documents (DID documents, status lists).

Everything is served from memory: the contexts and documents shipped with the plugin
(``data/``), plus any the hub's config adds. A URL that is not cached raises
:class:`MissingDocument`; the async verifier may then fetch it through the core's shared
``IssuerClient`` (only when config allows, only to allowed hosts) and retry. The sync
pyld document loader never touches the network.
"""

from __future__ import annotations

import json
import threading
from importlib import resources
from pathlib import Path
from typing import Any

from passport_hub.contract import parse_json
from passport_hub.errors import MalformedError
from passport_hub.exports.common import CONTEXT_DOCUMENT, is_extension_context

MAX_DOCUMENT_BYTES = 2_000_000


class MissingDocument(Exception):
    """A context or document is not in the cache. ``kind`` is ``context`` or ``document``."""

    def __init__(self, url: str, kind: str):
        super().__init__(f"{kind} not in the offline cache: {url}")
        self.url = url
        self.kind = kind


def _strip_fragment(url: str) -> str:
    return url.split("#", 1)[0]


def _bundled_index(sub: str, key: str) -> dict[str, Path]:
    base = resources.files("passport_hub_open_badges") / "data" / sub
    index = json.loads((base / "index.json").read_text(encoding="utf-8"))
    return {url: Path(str(base / entry["file"])) for url, entry in index[key].items()}


def load_index_dir(folder: str | Path) -> dict[str, Path]:
    """A folder with an ``index.json`` mapping URL -> {"file": relative path} (the samples' layout)."""
    folder = Path(folder)
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    table = index.get("contexts") or index.get("documents") or {}
    return {url: folder / entry["file"] for url, entry in table.items()}


class DocumentStore:
    """Contexts and documents by URL, parsed once and shared (thread-safe)."""

    def __init__(
        self,
        *,
        bundled: bool = True,
        bundled_documents: bool | None = None,
        contexts: dict[str, Path | bytes | dict] | None = None,
        documents: dict[str, Path | bytes | dict] | None = None,
    ):
        self._lock = threading.Lock()
        self._context_src: dict[str, Path | bytes | dict] = {}
        self._document_src: dict[str, Path | bytes | dict] = {}
        if bundled:
            self._context_src.update(_bundled_index("contexts", "contexts"))
        if bundled if bundled_documents is None else bundled_documents:
            self._document_src.update(_bundled_index("documents", "documents"))
        self._context_src.update(contexts or {})
        self._document_src.update(documents or {})
        self._parsed: dict[tuple[str, str], Any] = {}
        self._resolver_cache = None  # pyld resolved-context cache, created lazily

    # -- adding (after a network fetch, or from config) --------------------------------
    def add_context(self, url: str, value: Path | bytes | dict) -> None:
        with self._lock:
            self._context_src[url] = value
            self._parsed.pop(("context", url), None)

    def add_document(self, url: str, value: Path | bytes | dict) -> None:
        with self._lock:
            self._document_src[_strip_fragment(url)] = value
            self._parsed.pop(("document", _strip_fragment(url)), None)


    # -- reading -----------------------------------------------------------------------
    def _get(self, kind: str, url: str) -> Any:
        key = (kind, url)
        try:
            return self._parsed[key]
        except KeyError:
            pass
        table = self._context_src if kind == "context" else self._document_src
        src = table.get(url)
        if src is None and kind == "context" and is_extension_context(url):
            src = CONTEXT_DOCUMENT  # passport-hub's own export extension, known offline
        if src is None:
            raise MissingDocument(url, kind)
        if isinstance(src, Path):
            raw: Any = src.read_bytes()
        else:
            raw = src
        if isinstance(raw, bytes | bytearray):
            if len(raw) > MAX_DOCUMENT_BYTES:
                raise MissingDocument(url, kind)
            text = raw.decode("utf-8-sig", errors="replace")
            try:
                value = parse_json(text, name=url)
            except MalformedError:
                if kind == "context":
                    raise MissingDocument(url, kind) from None
                value = text.strip()  # e.g. a status list served as a VC-JWT
        else:
            value = raw
        with self._lock:
            self._parsed[key] = value
        return value

    def context(self, url: str) -> Any:
        return self._get("context", url)

    def document(self, url: str) -> Any:
        return self._get("document", _strip_fragment(url))

    # -- pyld integration --------------------------------------------------------------
    def pyld_loader(self, url: str, options: Any = None) -> dict:
        """A pyld document loader that serves only cached contexts and never the network."""
        doc = self.context(url)
        # tag "static" lets pyld keep the resolved context across operations (the hot path)
        return {"contextUrl": None, "documentUrl": url, "document": doc, "tag": "static"}

    def resolver_cache(self):
        """The resolved-context cache shared by every canonicalization with this store."""
        if self._resolver_cache is None:
            from cachetools import LRUCache

            self._resolver_cache = LRUCache(maxsize=256)
        return self._resolver_cache


_default_store: DocumentStore | None = None


def default_store() -> DocumentStore:
    """The process-wide store of the bundled contexts and documents."""
    global _default_store
    if _default_store is None:
        _default_store = DocumentStore()
    return _default_store
