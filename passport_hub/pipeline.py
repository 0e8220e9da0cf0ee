"""The ingest pipeline: document → sniff → parse (streaming) → store.

Each document is its own unit: one clear outcome per document (its records, or one
error of a known kind), one transaction, nothing half-stored.
"""

from __future__ import annotations

import logging
import mimetypes
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .config import Settings, debugging
from .contract import CredentialSource, Document, is_note
from .errors import (
    AmbiguousError,
    ConfigError,
    ErrorKind,
    PassportHubError,
    TooLargeError,
    UnrecognizedError,
    as_hub_error,
)
from .loader import Registry
from .model import CatalogEntry, CredentialRecord
from .store import DEFAULT_HOLDER, Store

log = logging.getLogger("passport_hub.pipeline")


@dataclass
class Outcome:
    """What happened to one document."""

    document: str
    sha256: str | None = None
    source: str | None = None
    items: list[CredentialRecord | CatalogEntry] = field(default_factory=list)
    new: int = 0
    existing: int = 0
    #: stored records this document's newer copy replaced (see Store: which copy is kept)
    updated: int = 0
    rejected: list[dict] = field(default_factory=list)
    error: PassportHubError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def error_json(self) -> dict:
        assert self.error is not None
        return {"error": {"document": self.document, "kind": str(self.error.kind), "message": self.error.user_message}}


def named_document(data: bytes, name: str, *, origin: str = "upload") -> Document:
    """A document whose media type is guessed from its name, as for a file on disk."""
    media_type, _ = mimetypes.guess_type(Path(name).name)
    return Document(data=data, name=name, media_type=media_type, origin=origin)


def iter_paths(paths: Iterable[str | os.PathLike]) -> Iterator[Path]:
    """Files in the given paths; folders walked in sorted order, hidden files and notes
    (README, *.md) skipped."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if (child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts)
                        and not is_note(child)):
                    yield child
        else:
            yield path


class Pipeline:
    def __init__(self, registry: Registry, settings: Settings, store: Store | None = None):
        self.registry = registry
        self.settings = settings
        self.store = store
        self._sources: dict[str, CredentialSource] = {}
        #: why a source cannot run with its config: found once, not again for every document
        self._config_errors: dict[str, ConfigError] = {}

    def source(self, name: str) -> CredentialSource:
        """The source ``name`` with its config. ``NotFoundError`` when no plugin provides it;
        ``ConfigError`` when its config is invalid or the plugin's validator breaks (as the
        ``plugins`` listing reports it)."""
        if name in self._sources:
            return self._sources[name]
        cls = self.registry.source(name)
        if name not in self._config_errors:
            try:
                config = self.settings.component_config(name, cls.config_model)
            except ConfigError as exc:
                self._config_errors[name] = exc
            else:
                self._sources[name] = cls(config, http=None)
                return self._sources[name]
        # its traceback reset: raised again for every document, it would grow each time
        raise self._config_errors[name].with_traceback(None)

    def read_path(self, path: Path) -> Document:
        """Read a file, refusing it before reading when it is over the size limit."""
        limit = self.settings.max_document_bytes
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise PassportHubError(f"cannot read {path}: {exc.strerror}", kind=ErrorKind.UNRECOGNIZED) from None
        if size > limit:
            raise TooLargeError(
                f"{path}: {size:,} bytes is over the limit of {limit:,} bytes (PASSPORT_HUB_MAX_DOCUMENT_BYTES)"
            )
        return named_document(path.read_bytes(), str(path), origin="file")

    def sniff(self, document: Document) -> CredentialSource:
        data = document.data
        if not data or data.isspace():  # not data.strip(): that copies every document
            raise UnrecognizedError(f"{document.name}: the document is empty")
        if len(document.data) > self.settings.max_document_bytes:
            raise TooLargeError(f"{document.name}: over the limit of {self.settings.max_document_bytes:,} bytes")
        matches = []
        unconfigured: list[ConfigError] = []
        for name in self.registry.sources:
            try:
                source = self.source(name)
            except ConfigError as exc:  # one misconfigured plugin must not stop every other plugin's documents
                unconfigured.append(exc)
                continue
            try:
                if source.sniff(document):
                    matches.append(source)
            except Exception as exc:  # a broken sniff must not hide other sources
                log.warning("source %s: sniff raised %s on %s", name, type(exc).__name__, document.name)
        if not matches:
            # a damaged JSON or PDF file is malformed, not an unknown format
            if document.looks_like_json():
                document.json()
            elif document.looks_like_pdf():
                document.pdf_pages()
            if unconfigured:  # the document may well be theirs
                raise ConfigError(f"{document.name}: no other source recognizes this document, and "
                                  + "; ".join(exc.user_message for exc in unconfigured))
            known = ", ".join(sorted(self.registry.sources)) or "none loaded"
            raise UnrecognizedError(
                f"{document.name}: no source recognizes this document (sources: {known})"
            )
        if len(matches) > 1:
            names = ", ".join(s.name for s in matches)
            raise AmbiguousError(f"{document.name}: several sources claim this document ({names})")
        return matches[0]

    def ingest(
        self,
        document: Document,
        *,
        holder_id: str = DEFAULT_HOLDER,
        dry_run: bool = False,
        source: CredentialSource | None = None,
    ) -> Outcome:
        outcome = Outcome(document=document.name)
        try:
            outcome.sha256 = document.sha256
            source = source or self.sniff(document)
            outcome.source = source.name
            if dry_run or self.store is None:
                outcome.items = list(source.parse(document))
                outcome.new = len(outcome.items)
            else:
                with self.store.write_document(document, holder_id=holder_id, plugin=source.name) as writer:
                    for item in source.parse(document):
                        writer.add(item)
                result = writer.result
                outcome.items = result.items
                outcome.new = result.records_new + result.catalog_new
                outcome.existing = result.records_existing + result.catalog_updated
                outcome.updated = result.records_updated
        except Exception as exc:
            outcome.items = []
            outcome.new = outcome.existing = outcome.updated = 0
            plugin = self.registry.source_plugins.get(outcome.source) if outcome.source else None
            outcome.error = as_hub_error(exc, plugin=plugin)
            if not isinstance(exc, PassportHubError):
                # the outcome reports it to the user; the traceback is for developers only
                log.error("unexpected error reading %s: %s", document.name, outcome.error.internal_message,
                          exc_info=exc if debugging() else None)
        outcome.rejected = [dict(r, document=document.name) for r in document.rejected]
        return outcome

    def ingest_paths(
        self,
        paths: Iterable[Path],
        *,
        holder_id: str = DEFAULT_HOLDER,
        dry_run: bool = False,
        on_outcome: Callable[[Outcome], None] | None = None,
    ) -> list[Outcome]:
        outcomes = []
        for path in paths:
            try:
                document = self.read_path(path)
            except PassportHubError as exc:
                outcome = Outcome(document=str(path), error=exc)
            else:
                outcome = self.ingest(document, holder_id=holder_id, dry_run=dry_run)
            outcomes.append(outcome)
            if on_outcome:
                on_outcome(outcome)
        return outcomes

    def fetch(
        self,
        name: str,
        query: Mapping[str, str],
        *,
        holder_id: str = DEFAULT_HOLDER,
        dry_run: bool = False,
        on_outcome: Callable[[Outcome], None] | None = None,
    ) -> list[Outcome]:
        """Ask source ``name`` to fetch from its issuer and ingest each document as it arrives.
        A failure of the fetch itself is the last outcome (its document: the source and the
        query), as is a source whose config is invalid (kind ``config``); the documents before it are
        kept. An unknown source raises ``NotFoundError``."""
        import asyncio

        from .fetching import iter_fetched  # the issuer client (httpx) only when fetching

        self.registry.source(name)  # an unknown source raises (the caller's mistake); its config fails the fetch, below
        outcomes = []

        def done(outcome: Outcome) -> None:
            outcomes.append(outcome)
            if on_outcome:
                on_outcome(outcome)

        async def fetch_and_ingest() -> None:
            try:
                source = self.source(name)
                async for document in iter_fetched(self.registry, self.settings, name, query, config=source.config):
                    done(self.ingest(document, holder_id=holder_id, dry_run=dry_run, source=source))
            except PassportHubError as exc:
                terms = " ".join(f"{key}={value}" for key, value in query.items())
                done(Outcome(document=f"{name} {terms}", source=name, error=exc))

        asyncio.run(fetch_and_ingest())
        return outcomes
