"""The verification pipeline: checks in the order the specs give.

1. ``well_formed``   — @context present, the VC base context first, ``VerifiableCredential``
   type, ids are URIs, issuer and subject present, dates parse; for JSON (Data Integrity)
   credentials also JSON-LD expansion in "safe mode" (a term no context defines, or a
   relative ``@type``, is refused — never sign-checked smaller).
2. ``signature``     — Data Integrity (Ed25519Signature2020, eddsa-rdfc-2022) or VC-JWT.
   Invalid is fatal: the later checks are skipped (dates and status may be tampered).
   A passport-hub export (it carries the ``passportHub`` term) is signed, if at all, by the hub
   that exported it: its valid signature is ``export_signature`` and ``signature`` is
   ``not_checked`` (``hub_export``), so the copy is never "verified" as its issuer's.
3. ``issuer_key_binding`` — the key's controller is the issuer (policy: require|warn|off; not
   passed, the core does not fold the credential to verified; a key in an https address binds nothing);
   ``issuer_identity`` — who signed, in words (a did:web's domain; a bare key is nobody's).
4. ``valid_from`` / ``not_expired`` — validFrom/issuanceDate and validUntil/expirationDate vs
   ``now`` with a clock skew; a future start is ``not_yet_valid`` (never a bad signature).
5. ``not_revoked`` / ``not_suspended`` — one per credentialStatus entry (Bitstring /
   StatusList2021); absent when the credential has no credentialStatus (as verifier-core).
6. ``embedded_credentials`` (ClrCredential) — each held credential verified on its own.

Every check's ``detail`` starts with a stable reason code (``expired: ...``).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlsplit

from passport_hub.contract import parse_json
from passport_hub.dates import as_utc, parse_datetime
from passport_hub.errors import MalformedError, shortened
from passport_hub.model import Check, CheckStatus
from passport_hub.verify import ISSUER_IDENTITY, ISSUER_KEY_BINDING

from .config import OpenBadgesVerifyConfig
from .keys import KeyResolver
from .loader import DocumentStore, MissingDocument, default_store, load_index_dir
from .proofs import ContextNotFound, DataIntegrityVerifier, JsonLdFailure, UnsafeJsonLd, canonize, unsecured
from .status import ENTRY_TYPES, StatusError, read_entry
from .vcjwt import CompactJws, JwtError, credential_of, decode, issuer_id, looks_like_jwt, verify_signature

VC_V1 = "https://www.w3.org/2018/credentials/v1"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT_PREFIXES = (
    "https://purl.imsglobal.org/spec/ob/v3p0/",
    "https://imsglobal.github.io/openbadges-specification/",
)
CLR_CONTEXT_PREFIXES = ("https://purl.imsglobal.org/spec/clr/v2p0/", "https://dc.imsglobal.org/draft/clr/v2p0/")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]*$")

SKIP_MALFORMED = "skipped: the credential is malformed"
SKIP_SIGNATURE = "skipped: the signature is not valid, so dates and status cannot be trusted"
SKIP_UNSIGNED = "skipped: the credential has no verified signature"


def _check(name: str, status: str, detail: str) -> Check:
    return Check(name=name, status=CheckStatus(status), detail=detail)


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _timestamp(value: Any) -> datetime | None:
    """xsd:dateTime (``Z`` or offset; a missing zone is taken as UTC); None if unparseable."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        return None


@dataclass
class _Run:
    now: datetime
    missing: set[tuple[str, str]] = field(default_factory=set)
    #: status lists fetched for this verification only (never cached as documents: lists change)
    fetched: dict[str, bytes] = field(default_factory=dict)


@dataclass
class _Parsed:
    credential: dict
    jws: CompactJws | None = None


class Engine:
    """Verifies credentials; holds the document store and the caches (contexts, keys, lists)."""

    def __init__(self, config: OpenBadgesVerifyConfig | None = None, store: DocumentStore | None = None):
        self.config = config or OpenBadgesVerifyConfig()
        if store is None:
            c = self.config
            if c.bundled_documents and not c.contexts_dir and not c.documents_dir:
                store = default_store()
            else:
                store = DocumentStore(
                    bundled_documents=c.bundled_documents,
                    contexts=load_index_dir(c.contexts_dir) if c.contexts_dir else None,
                    documents=load_index_dir(c.documents_dir) if c.documents_dir else None,
                )
        self.store = store
        self.keys = KeyResolver(store, https_fragment_keys=self.config.https_fragment_keys)
        self.di = DataIntegrityVerifier(store, self.keys)
        self._list_sig_cache: dict[str, tuple[str, str, Any]] = {}

    # -- entry points ----------------------------------------------------------------------
    def parse_bytes(self, data: bytes) -> _Parsed:
        """Raises ``ValueError`` with a user message when the bytes are not a credential."""
        if looks_like_jwt(data):
            try:
                jws = decode(data)
                return _Parsed(credential_of(jws), jws)
            except JwtError as exc:
                raise ValueError(str(exc)) from exc
        try:
            value = parse_json(data)
        except MalformedError:
            raise ValueError("not JSON and not a VC-JWT") from None
        if not isinstance(value, dict):
            raise ValueError("the credential is not a JSON object")
        return _Parsed(value)

    def verify_bytes(self, data: bytes, now: datetime, *, run: _Run | None = None) -> list[Check]:
        run = run or _Run(as_utc(now))
        try:
            parsed = self.parse_bytes(data)
        except ValueError as exc:
            return [_check("well_formed", "failed", f"not_a_credential: {exc}")]
        return self.verify_parsed(parsed, run)

    def verify_item(self, item: Any, run: _Run) -> list[Check]:
        """An embedded credential: a JSON object or a VC-JWT string."""
        if isinstance(item, str):
            return self.verify_bytes(item.encode("utf-8"), run.now, run=run)
        if isinstance(item, dict):
            return self.verify_parsed(_Parsed(item), run)
        return [_check("well_formed", "failed", "not_a_credential: embedded credential is not an object or JWT")]

    # -- the pipeline -----------------------------------------------------------------------
    def verify_parsed(self, parsed: _Parsed, run: _Run, *, depth: int = 0) -> list[Check]:
        cred, jws = parsed.credential, parsed.jws
        checks: list[Check] = []
        later = ["signature", ISSUER_KEY_BINDING, "valid_from", "not_expired"]

        def skip_rest(reason: str) -> list[Check]:
            done = {c.name for c in checks}
            return checks + [_check(n, "not_checked", reason) for n in later if n not in done]

        # 1. well-formed
        problems, notes = self._structure(cred, jws)
        canonical: str | None = None
        context_missing: str | None = None
        if not problems and jws is None:
            try:
                canonical = canonize(unsecured(cred), self.store)
            except ContextNotFound as exc:
                context_missing = exc.url
                run.missing.add(("context", exc.url))
            except UnsafeJsonLd as exc:
                problems.append(f"unsafe_jsonld: {exc}")
            except JsonLdFailure as exc:
                problems.append(f"invalid_jsonld: {exc}")
        if problems:
            checks.append(_check("well_formed", "failed", "; ".join(problems)))
            return skip_rest(SKIP_MALFORMED)
        if context_missing:
            msg = f"context_not_found: JSON-LD context {context_missing} is not in the offline cache"
            checks.append(_check("well_formed", "not_checked", msg))
            checks.append(_check("signature", "not_checked", msg))
            return skip_rest(SKIP_UNSIGNED)
        wf = "well-formed " + ("VC-JWT" if jws else "JSON-LD (safe mode)")
        checks.append(_check("well_formed", "passed", f"ok: {wf}" + (f" ({'; '.join(notes)})" if notes else "")))

        # 2. signature
        sig_status, sig_detail, controller = self._signature(cred, jws, canonical, run)
        original = hub_export_of(cred)
        if original is not None and sig_status == "passed":
            # a passport-hub export: the hub's key signed a copy of a record; the issuer did not
            checks.append(_check("signature", "not_checked", f"hub_export: a copy of a record that a passport-hub "
                                 f"exported and signed; it bears no signature of {original} (the hub's, "
                                 f"export_signature, shows only which hub exported it): verify the original, "
                                 f"{original}'s own document"))
            signer = controller or issuer_id(cred)
            checks.append(_check("export_signature", "passed", f"valid: signed by the hub {signer} that exported "
                                 f"it ({sig_detail.removeprefix('valid: ')})"))
        elif original is not None and sig_status == "not_checked" and sig_detail.startswith("no_proof:"):
            checks.append(_check("signature", sig_status, f"{sig_detail} (a passport-hub export: verify the "
                                 f"original, {original}'s own document)"))
        else:
            checks.append(_check("signature", sig_status, sig_detail))
        if sig_status == "failed":
            return skip_rest(SKIP_SIGNATURE)
        if sig_status == "not_checked":
            return skip_rest(SKIP_UNSIGNED)

        # 3. issuer / key binding, and who the signer is
        if (binding := self._binding(cred, controller, exported_from=original)) is not None:
            checks.append(binding)
        checks.append(signer_identity(cred, controller, exported_from=original))
        # 4. validity window
        checks.extend(self._validity(cred, run.now))
        # 5. status
        checks.extend(self._status(cred, run))
        # 6. CLR: held credentials
        if "ClrCredential" in _as_list(cred.get("type")) and depth == 0:
            checks.append(self._embedded(cred, run))
        return checks

    def _structure(self, cred: dict, jws: CompactJws | None) -> tuple[list[str], list[str]]:
        problems: list[str] = []
        notes: list[str] = []
        ctx = cred.get("@context")
        if ctx is None:
            return [
                "invalid_jsonld: The credential does not appear to be a valid jsonld document - there is no context."
            ], notes
        contexts = _as_list(ctx)
        if not contexts or contexts[0] not in (VC_V1, VC_V2):
            if VC_V1 in contexts or VC_V2 in contexts:
                problems.append("no_vc_context: the VC base context must come first in @context")
            else:
                problems.append(
                    f"no_vc_context: The credential doesn't have a verifiable credential context "
                    f"(missing required @context uri {VC_V2} at position 1)"
                )
        types = _as_list(cred.get("type"))
        if "VerifiableCredential" not in types:
            problems.append("invalid_type: type does not include VerifiableCredential")
        strs = [c for c in contexts if isinstance(c, str)]
        if any(
            t in types for t in ("OpenBadgeCredential", "AchievementCredential", "EndorsementCredential")
        ) and not any(c.startswith(OB_CONTEXT_PREFIXES) for c in strs):
            notes.append("no Open Badges 3.0 context")
        if "ClrCredential" in types and not any(c.startswith(CLR_CONTEXT_PREFIXES) for c in strs):
            notes.append("no CLR 2.0 context")
        if VC_V1 in strs[:1]:
            notes.append("VC Data Model 1.1")
        if "id" in cred and not (isinstance(cred["id"], str) and _URI.match(cred["id"])):
            problems.append(
                "invalid_credential_id: The credential's id uses an invalid format. It may have been issued as "
                "part of an early pilot. Please contact the issuer to get a replacement."
            )
        iss = issuer_id(cred)
        if iss is None:
            problems.append("invalid_issuer: issuer (a URI or a Profile with an id) is missing")
        elif not _URI.match(iss):
            problems.append(f"invalid_issuer: issuer id {iss!r} is not a URI")
        if not isinstance(cred.get("credentialSubject"), dict | list) or not cred.get("credentialSubject"):
            problems.append("invalid_subject: credentialSubject is missing")
        for name in ("issuanceDate", "expirationDate", "validFrom", "validUntil"):
            if name in cred and _timestamp(cred[name]) is None:
                problems.append(f"invalid_date: {name} {cred[name]!r} is not an xsd:dateTime")
        if VC_V1 in strs[:1] and "issuanceDate" not in cred:
            problems.append("invalid_date: a VC 1.1 credential needs issuanceDate")
        if jws is not None:
            payload_iss = jws.payload.get("iss")
            if payload_iss is not None and iss is not None and payload_iss != iss:
                problems.append(f"jwt_claims: iss {payload_iss!r} is not the issuer id {iss!r}")
            jti = jws.payload.get("jti")
            if jti is not None and isinstance(cred.get("id"), str) and jti != cred["id"]:
                problems.append(f"jwt_claims: jti {jti!r} is not the credential id {cred['id']!r}")
        return problems, notes

    def _signature(
        self, cred: dict, jws: CompactJws | None, canonical: str | None, run: _Run
    ) -> tuple[str, str, str | None]:
        if jws is not None:
            status, code, detail, key = verify_signature(jws, self.keys)
            if code == "did_web_unresolved":
                run.missing.add(("did", detail.split(" ")[2]))
            return status, f"{code}: {detail}", key.controller if key else None
        proofs = _as_list(cred.get("proof"))
        if not proofs:
            return (
                "not_checked",
                "no_proof: This is not a Verifiable Credential - it does not have a digital signature.",
                None,
            )
        outcomes = [self.di.verify_proof(cred, p, canonical) for p in proofs]
        for o in outcomes:
            if o.code == "did_web_unresolved":
                run.missing.add(("did", o.detail.split(" ")[2]))
            if o.code == "context_not_found":
                run.missing.add(("context", o.detail.rsplit(" ", 1)[-1]))
        passed = [o for o in outcomes if o.status == "passed"]
        failed = [o for o in outcomes if o.status == "failed"]
        if passed:
            o = passed[0]
            extra = [f"{len(failed)} other proof(s) failed"] if failed else []
            extra += o.notes
            return "passed", f"valid: {o.detail}" + (f" ({'; '.join(extra)})" if extra else ""), o.controller
        if failed:
            o = failed[0]
            return "failed", f"{o.code}: {o.detail}", o.controller
        o = outcomes[0]
        return "not_checked", f"{o.code}: {o.detail}", None

    def _binding(self, cred: dict, controller: str | None, *, exported_from: str | None = None) -> Check | None:
        """``issuer_key_binding``, or ``None`` under policy ``off`` (not compared, so not reported: the
        core then folds a valid signature to verified, as verifier-core does). Not ``passed``, the
        core does not call the credential verified."""
        policy = self.config.issuer_key_binding
        iss = issuer_id(cred)
        if policy == "off":
            return None
        if controller is not None and controller.startswith(("https://", "http://")):
            # the 1EdTech rule takes the key from the method's own address: whoever wrote the credential
            # chose it, the host was never asked, so the address binds nothing (not a mismatch either)
            return _check(ISSUER_KEY_BINDING, "not_checked", f"fragment_key: the key is written into the "
                          f"verification method's address ({controller}#…), which {_host(controller)} was not "
                          f"asked to confirm: nothing binds it to the issuer {iss}")
        if controller is not None and controller == iss:
            if exported_from is not None:
                return _check(ISSUER_KEY_BINDING, "passed", f"match: the key's controller is the credential's "
                              f"issuer {iss}, the hub that exported it (not {exported_from})")
            return _check(ISSUER_KEY_BINDING, "passed", f"match: the key's controller is the issuer {iss}")
        who = (
            f"the key's controller {controller}"
            if controller
            else "the key (embedded in the JWT header) has no controller and"
        )
        msg = f"issuer_mismatch: {who} is not the issuer {iss}"
        if policy == "require":
            return _check(
                ISSUER_KEY_BINDING, "failed", f"{msg}: Key controller does not match issuer (policy require)"
            )
        return _check(ISSUER_KEY_BINDING, "not_checked", f"{msg} (policy warn: signature valid, issuer not bound)")

    def _validity(self, cred: dict, now: datetime) -> list[Check]:
        """``valid_from`` (validFrom / issuanceDate) and ``not_expired`` (validUntil /
        expirationDate), each with the clock skew; the core folds a failed ``not_expired``
        into ``expired``."""
        skew = timedelta(seconds=self.config.clock_skew_seconds)
        start_field = "validFrom" if "validFrom" in cred else "issuanceDate"
        end_field = "validUntil" if "validUntil" in cred else "expirationDate"
        start = _timestamp(cred.get(start_field))
        end = _timestamp(cred.get(end_field))
        if start is not None and now + skew < start:
            begun = _check(
                "valid_from",
                "failed",
                f"not_yet_valid: The credential is not yet issued or valid (issuance date or validFrom is "
                f"{cred.get(start_field)}).",
            )
        else:
            begun = _check("valid_from", "passed", f"started: valid from {cred.get(start_field) or 'unspecified'}")
        if end is not None and now - skew > end:
            ended = _check(
                "not_expired",
                "failed",
                f"expired: The credential has expired (expiration date or validUntil was {cred.get(end_field)}).",
            )
        else:
            until = cred.get(end_field)
            ended = _check("not_expired", "passed",
                           f"current: valid until {until}" if until else "current: no expiry date")
        return [begun, ended]

    # -- status lists -------------------------------------------------------------------------
    def _status(self, cred: dict, run: _Run) -> list[Check]:
        out: list[Check] = []
        for entry in _as_list(cred.get("credentialStatus")):
            if not isinstance(entry, dict):
                out.append(_check("not_revoked", "not_checked", "bad_entry: credentialStatus entry is not an object"))
                continue
            purpose = entry.get("statusPurpose")
            name = {"revocation": "not_revoked", "suspension": "not_suspended"}.get(purpose, "not_revoked")
            etype = entry.get("type")
            if etype not in ENTRY_TYPES:
                out.append(
                    _check(name, "not_checked", f"unsupported_status_type: status type {etype!r} is not supported")
                )
                continue
            if purpose not in ("revocation", "suspension"):
                out.append(
                    _check(f"status_{purpose}", "not_checked", f"unsupported_purpose: statusPurpose {purpose!r}")
                )
                continue
            out.append(self._status_entry(cred, entry, name, run))
        return out

    def _status_entry(self, cred: dict, entry: dict, name: str, run: _Run) -> Check:
        url = entry.get("statusListCredential")
        if not isinstance(url, str) or not _URI.match(url):
            return _check(name, "not_checked", "bad_entry: statusListCredential is not a URL")
        try:
            if url in run.fetched:
                text = run.fetched[url].decode("utf-8-sig", errors="replace")
                try:
                    raw = parse_json(text, name=url)
                except MalformedError:
                    raw = text.strip()  # e.g. a status list served as a VC-JWT
            else:
                raw = self.store.document(url)
        except MissingDocument:
            run.missing.add(("status", url))
            return _check(name, "not_checked", f"status_list_unreachable: the status list {url} could not be obtained")
        list_cred, problem = self._trusted_list(url, raw, run)
        if problem:
            return _check(name, "not_checked", problem)
        try:
            bit, purpose, notes = read_entry(list_cred, entry)
        except StatusError as exc:
            return _check(name, "not_checked", f"{exc.code}: {exc.message}")
        where = f"{url} index {entry.get('statusListIndex')}"
        if issuer_id(list_cred) != issuer_id(cred):
            notes.append(f"list issued by {issuer_id(list_cred)}")
        tail = f" ({'; '.join(notes)})" if notes else ""
        if bit:
            verb = "Credential has been revoked" if purpose == "revocation" else "Credential is suspended"
            code = "revoked" if purpose == "revocation" else "suspended"
            return _check(name, "failed", f"{code}: {verb} (status list {where}){tail}")
        return _check(
            name, "passed", f"not_{'revoked' if purpose == 'revocation' else 'suspended'}: bit clear in {where}{tail}"
        )

    def _trusted_list(self, url: str, raw: Any, run: _Run) -> tuple[dict, str | None]:
        """Verify the list credential's signature (cached by content) and validity window."""
        text = raw if isinstance(raw, str) else json.dumps(raw, sort_keys=True, ensure_ascii=False)
        key = hashlib.sha256(text.encode()).hexdigest()
        cached = self._list_sig_cache.get(key)
        if cached is None:
            try:
                parsed = self.parse_bytes(raw.encode()) if isinstance(raw, str) else _Parsed(raw)
            except ValueError as exc:
                return {}, f"status_list_invalid: the status list {url} is not a credential ({exc})"
            sub = _Run(run.now)
            wf_problems, _ = self._structure(parsed.credential, parsed.jws)
            if wf_problems:
                cached = ("failed", f"malformed ({wf_problems[0]})", parsed.credential)
            else:
                canonical = None
                if parsed.jws is None:
                    try:
                        canonical = canonize(unsecured(parsed.credential), self.store)
                    except (ContextNotFound, UnsafeJsonLd, JsonLdFailure) as exc:
                        cached = ("failed", f"not processable ({exc})", parsed.credential)
                if cached is None:
                    status, detail, _ = self._signature(parsed.credential, parsed.jws, canonical, sub)
                    cached = (status, detail, parsed.credential)
            run.missing |= sub.missing
            if not sub.missing:
                self._list_sig_cache[key] = cached
        status, detail, list_cred = cached
        if status != "passed":
            return list_cred, f"status_list_untrusted: the status list {url} signature is {status}: {detail}"
        for window in self._validity(list_cred, run.now):
            if window.status != CheckStatus.PASSED:
                return list_cred, f"status_list_untrusted: the status list {url} is not current: {window.detail}"
        return list_cred, None

    # -- CLR ----------------------------------------------------------------------------------
    def _embedded(self, cred: dict, run: _Run) -> Check:
        results = []
        worst = "passed"
        for i, subject in enumerate(_as_list(cred.get("credentialSubject"))):
            if not isinstance(subject, dict):
                continue
            for j, item in enumerate(_as_list(subject.get("verifiableCredential"))):
                checks = self.verify_item(item, run)
                v = verdict(checks)
                ident = item.get("id") if isinstance(item, dict) else None
                results.append(f"[{j}] {ident or 'VC-JWT'}: {v}")
                if v in FAILING_VERDICTS:
                    worst = "failed"
                elif v != "valid" and worst == "passed":
                    worst = "not_checked"
            del i
        if not results:
            return _check("embedded_credentials", "not_checked", "none: the ClrCredential holds no credentials")
        code = {"passed": "all_valid", "failed": "some_invalid", "not_checked": "some_unverified"}[worst]
        return _check("embedded_credentials", worst, f"{code}: " + "; ".join(results))


# -- exports and signers ------------------------------------------------------------------------

#: the term a passport-hub export carries its record in (``passport_hub.exports.common.EXTENSION``)
HUB_EXTENSION = "passportHub"
#: longest issuer name quoted in a detail
_NAME_MOST = 120


def _capped(name: str) -> str:
    return shortened(" ".join(name.split()), _NAME_MOST)


def _quoted(name: str) -> str:
    """A name the credential claims, in double quotes with its own quotes escaped: it is shown inside a
    sentence of the hub's (the share page's status line) and must not be able to end it and go on."""
    return json.dumps(_capped(name), ensure_ascii=False)


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def _profile_name(profile: Any) -> str | None:
    name = profile.get("name") if isinstance(profile, dict) else None
    return name.strip() or None if isinstance(name, str) else None


def hub_export_of(cred: dict) -> str | None:
    """``None`` unless ``cred`` is a passport-hub export (it carries the ``passportHub`` term); then
    who the record it copies names as its issuer: the achievement's ``creator`` when the hub signed
    the export (the hub is then the credential's issuer), else the credential's issuer."""
    if HUB_EXTENSION not in cred:
        return None
    for subject in _as_list(cred.get("credentialSubject")):
        achievement = subject.get("achievement") if isinstance(subject, dict) else None
        if isinstance(achievement, dict) and (name := _profile_name(achievement.get("creator"))):
            return _capped(name)
    name = _profile_name(cred.get("issuer")) or issuer_id(cred)
    return _capped(name) if name else "its issuer"


def _did_web_domain(controller: str) -> str | None:
    """Where a did:web's DID document is published: ``host[:port]``, and its path when it has one
    (``did:web:university.edu:~mallory`` is university.edu/~mallory, whoever may publish there, not the
    whole domain)."""
    if not controller.startswith("did:web:"):
        return None
    host, *path = controller[len("did:web:"):].split(":")
    return "/".join(unquote(part) for part in [host, *path]) if host else None


def signer_identity(cred: dict, controller: str | None, *, exported_from: str | None = None) -> Check:
    """``issuer_identity``: who a valid signature is by, in words for the people a verification is
    shown to. The issuer's ``name`` is the credential's own claim; a signature proves a key. Only a
    did:web key is published by someone nameable, the web domain serving its DID document: that is
    ``passed`` (with the domain) when the did:web is the issuer the credential names. A bare key
    (did:key, a JWT header ``jwk``, a key written into an https verification method's fragment,
    which the 1EdTech rule takes without asking the host) is tied to no organization:
    ``not_checked``. No authenticity check: the folded status does not change (see the README)."""
    iss = issuer_id(cred)
    if exported_from is not None:
        return _check(ISSUER_IDENTITY, "not_checked", f"hub_export: signed by the hub {controller or iss} that "
                      f"exported it, not by {exported_from}; verify the original, {exported_from}'s own document")
    name = _profile_name(cred.get("issuer"))
    bound = controller is not None and controller == iss
    if bound:
        claim = (f"; the name {_quoted(name)} is the credential's own claim" if name
                 else "; the credential names its issuer by id only")
    else:
        claim = f", not by the issuer the credential names ({iss}" + (f", {_quoted(name)})" if name else ")")
    bare = " (a bare key is tied to no organization)"
    domain = _did_web_domain(controller) if controller else None
    if domain is not None:
        if bound:
            said = f", which names itself {_quoted(name)}" if name else ""
            return _check(ISSUER_IDENTITY, "passed", f"domain: signed by {domain} ({controller}){said}")
        return _check(ISSUER_IDENTITY, "not_checked", f"domain: signed by {domain} ({controller}){claim}")
    if controller is None:
        signer = "a key the credential carries itself (its JWT header jwk)"
    elif controller.startswith("did:key:"):
        signer = f"key {controller}"
    elif controller.startswith(("https://", "http://")):
        signer = (f"a key written into its verification method's address ({controller}#…), which "
                  f"{_host(controller)} was not asked to confirm")
    else:
        return _check(ISSUER_IDENTITY, "not_checked", f"signed_by: signed by {controller}{claim}")
    return _check(ISSUER_IDENTITY, "not_checked", f"bare_key: signed by {signer}{claim}{bare}")


FAILING_VERDICTS = {"malformed", "invalid_signature", "revoked", "expired", "not_yet_valid"}


def _code(check: Check) -> str:
    return (check.detail or "").split(":", 1)[0]


def verdict(checks: list[Check]) -> str:
    """Fold checks into the samples' verdict vocabulary (valid, invalid_signature, expired,
    not_yet_valid, revoked, status_unverifiable, unsigned, malformed, issuer_unresolvable,
    unverifiable). The hub core folds checks itself; this is for tests, bench and the CLI."""
    by = {c.name: c for c in checks}
    wf = by.get("well_formed")
    if wf is not None and wf.status == CheckStatus.FAILED:
        return "malformed"
    sig = by.get("signature")
    if sig is None:
        return "unverifiable"
    if sig.status == CheckStatus.FAILED:
        return "invalid_signature"
    if sig.status == CheckStatus.NOT_CHECKED:
        code = _code(sig)
        if code == "no_proof":
            return "unsigned"
        if code in (
            "did_web_unresolved",
            "unknown_scheme",
            "unknown_verification_method",
            "key_not_found",
            "no_verification_method",
            "not_authorized",
            "bad_did",
            "did_document_mismatch",
        ):
            return "issuer_unresolvable"
        return "unverifiable"
    binding = by.get(ISSUER_KEY_BINDING)
    if binding is not None and binding.status == CheckStatus.FAILED:
        return "invalid_signature"
    status_checks = [c for c in checks if c.name in ("not_revoked", "not_suspended")]
    if any(c.status == CheckStatus.FAILED for c in status_checks):
        return "revoked"
    if by.get("valid_from") is not None and by["valid_from"].status == CheckStatus.FAILED:
        return "not_yet_valid"
    if by.get("not_expired") is not None and by["not_expired"].status == CheckStatus.FAILED:
        return "expired"
    if any(c.status == CheckStatus.NOT_CHECKED for c in status_checks):
        return "status_unverifiable"
    return "valid"


_default_engine: Engine | None = None


def default_engine() -> Engine:
    global _default_engine
    if _default_engine is None:
        _default_engine = Engine()
    return _default_engine


def verify_credential(data: bytes, *, now: datetime | None = None, engine: Engine | None = None) -> list[Check]:
    """Verify one credential (JSON or VC-JWT bytes) fully offline; no record needed.

    ``now`` defaults to the current time (inject it for reproducible results).
    """
    engine = engine or default_engine()
    return engine.verify_bytes(data, now or datetime.now(UTC))
