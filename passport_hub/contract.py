"""What a plugin implements: credential sources and verifiers, and what they are given.

A plugin registers these classes through the hooks in :mod:`passport_hub.hookspecs`.
The core instantiates each with its validated config and, for those that talk to an
issuer, the shared :class:`passport_hub.http.IssuerClient`.

Lifecycle (after airbyte-cdk / singer-sdk): ``config_model`` is the spec,
``check()`` tests the connection, ``sniff()`` + ``parse()`` read documents,
``fetch()`` asks the issuer for documents.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import sys
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from pydantic import BaseModel, ConfigDict

from .errors import MalformedError, PassportHubError
from .model import CatalogEntry, Check, CredentialRecord

#: an object, or an array whose first item starts like a JSON value (``true``, ``false`` and
#: ``null`` whole): a TOML or INI file's ``[section]`` or ``[tool.poetry]`` is no JSON. Matched in
#: place (stripping would copy the whole document); possessive, so a long run of whitespace is
#: read once, not backtracked over
_XML_START = re.compile(rb"[\xef\xbb\xbf\xfe\xff \t\r\n\x00]*+<")
_JSON_START = re.compile(
    rb'(?:\xef\xbb\xbf)?[ \t\r\n]*+(?:\{|\[[ \t\r\n]*+(?:[\[{"\-0-9\]]|(?:true|false|null)[ \t\r\n,\]]))')

if TYPE_CHECKING:
    from .http import IssuerClient

#: The contract version this core implements. Plugins declare a range against it.
API_VERSION = "1.0"


#: files that are notes about documents, not documents: skipped in sample folders and
#: folder walks (a file named explicitly is still read)
NOT_DOCUMENTS = ("*.md", "README*", "PROVENANCE*", "*.expected.json")


def is_note(path: Path) -> bool:
    return any(path.match(pattern) for pattern in NOT_DOCUMENTS)


class Capability(StrEnum):
    PARSE = "parse"
    FETCH = "fetch"
    CHECK = "check"
    VERIFY = "verify"


class NoConfig(BaseModel):
    """The config model of a component that needs no settings."""

    model_config = ConfigDict(extra="forbid")


def parse_json(data: bytes | str, *, name: str = "document") -> Any:
    """Untrusted JSON bytes or text, parsed; :class:`MalformedError` for anything that is not
    JSON, including nesting past the C decoder's depth guard (the recursion limit, ~1,000)."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes | bytearray) else data
    except UnicodeDecodeError:
        raise MalformedError(f"{name}: not UTF-8 JSON") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise MalformedError(f"{name}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise MalformedError(f"{name}: JSON nested too deeply; refused") from None


@dataclass
class Document:
    """Bytes in, with a name, a media type and where they came from.

    Expensive views (decoded JSON, PDF text) are computed once and shared by every
    source that sniffs the document.
    """

    data: bytes
    name: str = "document"
    media_type: str | None = None
    origin: str = "upload"
    #: rows a source refused while it read the others (roster rows): ``{"row": n, "reason": ...}``;
    #: the import reports each beside the document's records
    rejected: list[dict[str, Any]] = field(default_factory=list, repr=False, compare=False)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def suffix(self) -> str:
        return self.name.rsplit(".", 1)[-1].lower() if "." in self.name else ""

    def head(self, size: int = 2048) -> bytes:
        return self.data[:size]

    def looks_like_json(self) -> bool:
        return _JSON_START.match(self.data) is not None

    def looks_like_pdf(self) -> bool:
        return self.data[:1024].lstrip().startswith(b"%PDF-")

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """``compute()``, once per document: what a source's ``sniff`` found, its ``parse`` gets
        again for free. Prefix keys with the source's name; an exception is not remembered."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def json(self) -> Any:
        """The document parsed as JSON (cached); ``MalformedError`` if not JSON or nested too deeply."""
        return self.memo("json", lambda: parse_json(self.data, name=self.name))

    def try_json(self) -> Any:
        """The parsed JSON, or ``None`` when the document is not JSON (for ``sniff``)."""
        if not self.looks_like_json():
            return None
        try:
            return self.json()
        except MalformedError:
            return None

    def looks_like_xml(self) -> bool:
        # BOMs, whitespace (however long) and the NUL half of UTF-16 code units skipped: the first character is "<"
        return _XML_START.match(self.data) is not None

    def xml(self) -> Any:
        """The root element of the document parsed as hardened XML (cached; see
        :func:`passport_hub.xmlsafe.parse_xml`: no DTD, no entities, no network).

        :raises UnsafeError: a DOCTYPE or entity declaration.
        :raises MalformedError: not well-formed XML.
        """
        found = self._cache.get("xml")
        if found is None:
            from .xmlsafe import parse_xml

            try:
                found = parse_xml(self.data, name=self.name)
            except PassportHubError as exc:
                found = exc
            self._cache["xml"] = found
        if isinstance(found, PassportHubError):
            raise found.with_traceback(None)
        return found

    def try_xml(self) -> Any:
        """The parsed root element, or ``None`` when the document is not safe, well-formed XML
        (for ``sniff``: the parse is cached, so every source that sniffs this way and ``parse``
        share one; a sniff that needs only the root's name can use
        :func:`passport_hub.xmlsafe.root_local_name` and parse nothing)."""
        if not self.looks_like_xml():
            return None
        try:
            return self.xml()
        except PassportHubError:
            return None

    def pdf_pages(self) -> list[str]:
        """Text of each page (cached), extracted once with the core's time-bounded extractor."""
        from .pdftext import extract_pages

        return self.memo("pdf_pages", lambda: extract_pages(self.data, name=self.name))

    def try_pdf_text(self) -> str:
        """All PDF text, or ``""`` when the document is not a readable PDF (for ``sniff``)."""
        if not self.looks_like_pdf():
            return ""
        try:
            return "\n".join(self.pdf_pages())
        except Exception:  # sniff must never raise; parse reports the real error
            return ""


class CheckResult(BaseModel):
    """Outcome of :meth:`CredentialSource.check`: can we reach the issuer with this config?"""

    ok: bool
    message: str
    error_kind: str | None = None


class CatalogLookup(Protocol):
    """Read access to the approved-credentials catalog, given to verifiers."""

    def is_empty(self) -> bool: ...

    def by_ctid(self, ctid: str) -> CatalogEntry | None: ...

    def by_issuer_title(self, issuer: str, title: str) -> CatalogEntry | None: ...


@dataclass
class VerifyContext:
    """What a verifier gets besides the record."""

    http: IssuerClient | None
    catalog: CatalogLookup | None
    now: datetime
    #: the stored bytes of the record's source document, if kept
    document: bytes | None = None

    @property
    def today(self) -> date:
        return self.now.date()


class _DistributionVersion:
    def __get__(self, obj: object, cls: type) -> str:
        return _version_of_package(cls.__module__.partition(".")[0])


@functools.cache
def _version_of_package(package: str) -> str:
    from importlib import metadata

    for distribution in metadata.packages_distributions().get(package, ()):
        try:
            return metadata.version(distribution)
        except metadata.PackageNotFoundError:  # pragma: no cover - a broken install
            continue
    return "0"


class Component:
    """What sources and verifiers share: a name, a typed config and, for those that talk to
    an issuer, the shared issuer client."""

    #: unique, lower_snake name; also the config section and env prefix
    name: ClassVar[str]
    #: one line for listings
    title: ClassVar[str] = ""
    #: typed settings; ``SecretStr`` for secrets; read from PASSPORT_HUB_<NAME>_<FIELD>
    config_model: ClassVar[type[BaseModel]] = NoConfig
    #: the version of the distribution that ships the class (stamped into every record's
    #: provenance); the core sets it when the plugin registers, and a class used directly
    #: finds it from its package
    plugin_version: ClassVar[str] = _DistributionVersion()  # type: ignore[assignment]
    #: set by the core: the plugin (entry-point name) that registered this class
    plugin_name: ClassVar[str | None] = None

    def __init__(self, config: BaseModel | None = None, *, http: IssuerClient | None = None):
        self.config = config if config is not None else self.config_model()
        self.http = http


class CredentialSource(Component):
    """Adapts one issuer or format into records (or catalog entries).

    Subclass, set the class attributes, implement ``sniff`` and ``parse``; sources
    with an issuer API also implement ``fetch`` and ``check``.
    """

    #: the formats read, e.g. ("application/xml; PESC CollegeTranscript",)
    formats: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def capabilities(cls) -> list[Capability]:
        caps = [Capability.PARSE]
        if cls.fetch is not CredentialSource.fetch:
            caps.append(Capability.FETCH)
        if cls.check is not CredentialSource.check:
            caps.append(Capability.CHECK)
        return caps

    def allowed_hosts(self) -> list[str]:
        """Hosts this source's config names; the shared client refuses all others."""
        return []

    @classmethod
    def sample_documents(cls) -> list[Path]:
        """Sample documents the plugin bundles (its package's ``samples/`` folder; provenance
        notes and ``*.expected.json`` facts are not documents, see :data:`NOT_DOCUMENTS`).

        ``passport-hub demo`` imports them; the conformance kit checks that ``sniff``
        accepts them and that other plugins' sources reject them.
        """
        package = sys.modules[cls.__module__].__spec__.parent or cls.__module__
        folder = Path(sys.modules[package].__file__ or "").parent / "samples"
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".") and not is_note(p))

    def sniff(self, document: Document) -> bool:
        """Can this source read the document? Cheap, and never raises."""
        raise NotImplementedError

    def parse(self, document: Document) -> Iterator[CredentialRecord | CatalogEntry]:
        """Yield every record (or catalog entry) in the document, as it is read.

        Raise a :mod:`passport_hub.errors` error (``MalformedError``, ``UnsafeError`` ...)
        for a document that cannot be read; the core then stores none of its records.
        """
        raise NotImplementedError

    async def fetch(self, query: Mapping[str, str]) -> AsyncIterator[Document]:
        """Ask the issuer for documents matching ``query`` (e.g. ``certificate_id``)."""
        raise NotImplementedError
        yield  # pragma: no cover  (makes this an async generator)

    async def check(self) -> CheckResult:
        """Is the issuer reachable with this config? Returns a result; never raises."""
        return CheckResult(ok=True, message="nothing to check: this source reads files only")


class Verifier(Component):
    """Re-checks records against their issuer or their proof, returning checks.

    Every verifier whose ``supports`` accepts a record runs; the core folds all their
    checks into one status. Report ``not_checked`` (with the reason) when something
    could not be checked: it is never the same as ``failed``.
    """

    def allowed_hosts(self) -> list[str]:
        """Hosts this verifier's config names; the shared client refuses all others."""
        return []

    def issuer_key(self, record: CredentialRecord) -> str:
        """Which issuer a verification talks to (bounds concurrency per issuer)."""
        return self.name

    def supports(self, record: CredentialRecord) -> bool:
        raise NotImplementedError

    async def verify(self, record: CredentialRecord, context: VerifyContext) -> list[Check]:
        raise NotImplementedError
