"""The ``open_badges`` credential source: sniff and parse OB 3.0 / CLR 2.0 / W3C VCs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

from passport_hub.contract import CredentialSource, Document
from passport_hub.errors import MalformedError, UnrecognizedError
from passport_hub.model import CredentialRecord

from .records import CLR_TYPE, clr_records, credential_records, is_credential, types_of
from .verifier import LIST_PREFIX

FORMATS = (
    "application/vc+ld+json; Open Badges 3.0 OpenBadgeCredential / AchievementCredential",
    "application/vc+ld+json; CLR 2.0 ClrCredential",
    "application/vc+jwt; VC-JWT (compact JWS) of the above",
    "application/vc+ld+json; W3C Verifiable Credential (VC Data Model 1.1 / 2.0)",
    "application/json; a JSON array of the above (passport-hub export --format ob3)",
)


def _maybe_jwt(data: bytes) -> bool:
    """Could ``data`` be a compact JWS? (vcjwt, and the crypto it imports, loads only then.)"""
    if not data[:64].lstrip().startswith(b"eyJ"):
        return False
    from .vcjwt import looks_like_jwt

    return looks_like_jwt(data)


def _credential(document: Document):
    """(credential dict, form) or None, found once per document (sniff, then parse); never raises."""
    return document.memo("open_badges.credential", lambda: _find_credential(document))


def _find_credential(document: Document):
    data = document.data
    if _maybe_jwt(data):
        from .vcjwt import JwtError, credential_of, decode

        try:
            cred = credential_of(decode(data))
        except JwtError:
            return None
        return (cred, "VC-JWT") if is_credential(cred) else None
    value = document.try_json()
    return (value, "JSON") if is_credential(value) else None


def _credential_list(document: Document) -> list[tuple[dict, str]] | None:
    """A JSON array of credentials (as ``passport-hub export --format ob3`` writes it; each a
    JSON object or a VC-JWT string): ``[(credential, form)]``, or None; found once per
    document; never raises."""
    return document.memo("open_badges.credential_list", lambda: _find_credential_list(document))


def _find_credential_list(document: Document) -> list[tuple[dict, str]] | None:
    value = document.try_json()
    if not isinstance(value, list) or not value:
        return None
    found = []
    for item in value:
        if isinstance(item, str) and _maybe_jwt(item.encode("utf-8")):
            from .vcjwt import JwtError, credential_of, decode

            try:
                item = credential_of(decode(item.encode("utf-8")))
            except JwtError:
                return None
            form = "VC-JWT in a list"
        else:
            form = "JSON in a list"
        if not is_credential(item):
            return None
        found.append((item, form))
    return found


@contextmanager
def _unreadable_as_malformed(what: str) -> Iterator[None]:
    """A credential whose shape the mapping trips over is malformed input, not a crash."""
    try:
        yield
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise MalformedError(f"{what} could not be read ({type(exc).__name__})", internal=repr(exc)) from exc


class OpenBadgesSource(CredentialSource):
    name = "open_badges"
    title = "Open Badges 3.0, CLR 2.0 and W3C verifiable credentials (JSON and VC-JWT)"
    formats = FORMATS
    #: today's date, for an expiry that has passed; replaceable in tests
    clock: Callable[[], date] = staticmethod(date.today)

    def sniff(self, document: Document) -> bool:
        """A JSON object whose first @context is the VC base context and whose type includes
        VerifiableCredential, a VC-JWT carrying one, or a JSON array of such credentials (an
        OB 3.0 export). CTDL JSON-LD and PESC JSON have neither, so they are never claimed."""
        try:
            return _credential(document) is not None or _credential_list(document) is not None
        except Exception:  # sniff never raises
            return False

    def parse(self, document: Document) -> Iterator[CredentialRecord]:
        found = _credential(document)
        if found is None and (listed := _credential_list(document)) is not None:
            yield from self._list_records(document, listed)
            return
        if found is None:
            if _maybe_jwt(document.data):
                raise MalformedError(f"{document.name}: a JWT that carries no verifiable credential")
            document.json()  # raises MalformedError for broken JSON
            raise UnrecognizedError(
                f"{document.name}: not a verifiable credential (needs the VC base @context first and "
                "type VerifiableCredential)"
            )
        cred, form = found
        types = types_of(cred)
        if "EndorsementCredential" in types:
            raise UnrecognizedError(
                f"{document.name}: an EndorsementCredential endorses an issuer or achievement; it is not a "
                "holder's credential and is not imported"
            )
        with _unreadable_as_malformed(f"{document.name}: the credential"):
            if CLR_TYPE in types:
                yield from clr_records(cred, document=document, plugin_version=self.plugin_version, form=form,
                                       today=self.clock())
            else:
                yield from credential_records(cred, document=document, plugin_version=self.plugin_version, form=form,
                                              today=self.clock())

    def _list_records(self, document: Document, listed: list[tuple[dict, str]]) -> Iterator[CredentialRecord]:
        for i, (cred, form) in enumerate(listed):
            types = types_of(cred)
            kind = "ClrCredential" if CLR_TYPE in types else "EndorsementCredential" if (
                "EndorsementCredential" in types) else None
            if kind:
                raise UnrecognizedError(
                    f"{document.name}: item [{i}] of the list is a {kind}; a list is read when it holds "
                    "achievement credentials (import a CLR or an endorsement on its own)")
            with _unreadable_as_malformed(f"{document.name}: credential [{i}]"):
                yield from credential_records(cred, document=document, plugin_version=self.plugin_version,
                                              form=form, today=self.clock(), locator=f"{LIST_PREFIX}{i}]")
