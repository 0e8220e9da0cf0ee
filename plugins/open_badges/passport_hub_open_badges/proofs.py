"""Data Integrity proofs: ``Ed25519Signature2020`` and ``DataIntegrityProof`` /
``eddsa-rdfc-2022`` over RDF Dataset Canonicalization (RDFC-1.0 = URDNA2015, via pyld).

JSON-LD "safe mode": pyld has none, so expansion runs with an ``on_property_dropped``
handler and the expanded output is checked for relative ``@type`` / ``@id`` references; a
document whose terms would silently vanish is refused instead of verified smaller.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from .keys import KeyError_, KeyResolver, multibase_decode
from .loader import DocumentStore, MissingDocument

_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
# pyld resolves a relative IRI with no document base against this placeholder
_PYLD_BASE = "http://example.org/base/"


def _relative(iri: str) -> bool:
    return not _ABSOLUTE.match(iri) or iri.startswith(_PYLD_BASE)


RDFC_SUITES = {"eddsa-rdfc-2022", "eddsa-2022"}


class UnsafeJsonLd(Exception):
    """Expansion would drop terms or produce relative IRIs."""


class ContextNotFound(Exception):
    def __init__(self, url: str):
        super().__init__(f"JSON-LD context not in the offline cache: {url}")
        self.url = url


class JsonLdFailure(Exception):
    """Any other JSON-LD processing error (invalid context, bad syntax)."""


@dataclass
class ProofOutcome:
    status: str  # passed | failed | not_checked
    code: str
    detail: str
    controller: str | None = None
    method_id: str | None = None
    notes: list[str] = field(default_factory=list)


def _find_missing(exc: BaseException) -> MissingDocument | None:
    seen = 0
    cur: BaseException | None = exc
    while cur is not None and seen < 20:
        if isinstance(cur, MissingDocument):
            return cur
        cur = cur.__cause__ or cur.__context__
        seen += 1
    return None


def _check_expanded(node: Any, problems: list[str], depth: int = 0) -> None:
    if depth > 200:
        return
    if isinstance(node, list):
        for item in node:
            _check_expanded(item, problems, depth + 1)
        return
    if not isinstance(node, dict):
        return
    if "@value" in node:
        t = node.get("@type")
        if isinstance(t, str) and t != "@json" and _relative(t):
            problems.append(f"relative datatype {t!r}")
        return
    types = node.get("@type")
    for t in types if isinstance(types, list) else ([types] if types is not None else []):
        if isinstance(t, str) and _relative(t) and not t.startswith("_:"):
            problems.append(f"relative @type {t.removeprefix(_PYLD_BASE)!r} (term not defined by any context)")
    ident = node.get("@id")
    if isinstance(ident, str) and _relative(ident) and not ident.startswith("_:"):
        problems.append(f"relative @id {ident.removeprefix(_PYLD_BASE)!r}")
    for key, value in node.items():
        if key in ("@type", "@id", "@value"):
            continue
        _check_expanded(value, problems, depth + 1)


def canonize(doc: dict, store: DocumentStore) -> str:
    """Expand ``doc`` safely, then canonicalize (RDFC-1.0) to N-Quads.

    Raises ``ContextNotFound``, ``UnsafeJsonLd`` or ``JsonLdFailure``.
    """
    from pyld import jsonld
    from pyld.context_resolver import ContextResolver

    dropped: list[Any] = []
    proc = jsonld.JsonLdProcessor(on_property_dropped=dropped.append)
    resolver = ContextResolver(store.resolver_cache(), store.pyld_loader)
    options = {
        "documentLoader": store.pyld_loader,
        "contextResolver": resolver,
        "base": "",
        "processingMode": "json-ld-1.1",
    }
    try:
        expanded = proc.expand(doc, options)
    except jsonld.JsonLdError as exc:
        missing = _find_missing(exc)
        if missing is not None:
            raise ContextNotFound(missing.url) from exc
        raise JsonLdFailure(_jsonld_message(exc)) from exc
    if dropped:
        names = sorted({str(d) for d in dropped})
        raise UnsafeJsonLd(f"terms not defined by any context would be dropped: {', '.join(names[:8])}")
    problems: list[str] = []
    _check_expanded(expanded, problems)
    if problems:
        raise UnsafeJsonLd("; ".join(sorted(set(problems))[:8]))
    try:
        return _normalize_expanded(proc, expanded, options)
    except jsonld.JsonLdError as exc:
        raise JsonLdFailure(_jsonld_message(exc)) from exc


def _normalize_expanded(proc, expanded: list, options: dict) -> str:
    """RDFC-1.0 of an already expanded document: pyld's ``to_rdf`` minus its second
    expansion (the hot path expands each document once). Falls back to ``normalize``."""
    from pyld import jsonld
    from pyld.canon import URDNA2015
    from pyld.identifier_issuer import IdentifierIssuer

    try:
        issuer = IdentifierIssuer("_:b")
        node_map: dict = {"@default": {}}
        proc._create_node_map(expanded, node_map, "@default", issuer)
        opts = dict(options, produceGeneralizedRdf=False, identifierIssuer=issuer)
        dataset = {}
        for graph_name, graph in sorted(node_map.items()):
            if graph_name == "@default" or jsonld._is_absolute_iri(graph_name):
                dataset[graph_name] = proc._graph_to_rdf(graph, issuer, opts)
    except AttributeError:  # pyld internals moved: take the public (slower) path
        return proc.normalize(expanded, dict(options, algorithm="URDNA2015", format="application/n-quads"))
    return URDNA2015().main(dataset, {"format": "application/n-quads"})


def _jsonld_message(exc: BaseException) -> str:
    parts = []
    cur: BaseException | None = exc
    while cur is not None and len(parts) < 4:
        msg = getattr(cur, "message", None) or str(cur)
        parts.append(str(msg).split("\n")[0][:200])
        cur = cur.__cause__
    return "JSON-LD error: " + " / ".join(parts)


def proof_config(doc: dict, proof: dict) -> dict:
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    if "@context" not in config and "@context" in doc:
        config["@context"] = doc["@context"]
    return config


def unsecured(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "proof"}


class DataIntegrityVerifier:
    """Verifies one proof of a document; canonical N-Quads of the document are reused."""

    def __init__(self, store: DocumentStore, keys: KeyResolver):
        self.store = store
        self.keys = keys

    def verify_proof(self, doc: dict, proof: Any, canonical_doc: str | None = None) -> ProofOutcome:
        if not isinstance(proof, dict):
            return ProofOutcome("failed", "malformed_proof", "proof is not an object")
        ptype = proof.get("type")
        suite = proof.get("cryptosuite")
        notes: list[str] = []
        if ptype == "Ed25519Signature2020":
            label = "Ed25519Signature2020"
        elif ptype == "DataIntegrityProof" and suite in RDFC_SUITES:
            label = f"DataIntegrityProof/{suite}"
            if suite == "eddsa-2022":
                notes.append("cryptosuite 'eddsa-2022' is the legacy name of 'eddsa-rdfc-2022'")
        else:
            name = f"{ptype}/{suite}" if suite else str(ptype)
            return ProofOutcome("not_checked", "unsupported_proof", f"proof type {name} is not supported")
        if "previousProof" in proof:
            return ProofOutcome("not_checked", "unsupported_proof", "chained proofs (previousProof) are not supported")
        purpose = proof.get("proofPurpose")
        if purpose != "assertionMethod":
            return ProofOutcome("failed", "wrong_proof_purpose", f"proofPurpose is {purpose!r}, not assertionMethod")
        value = proof.get("proofValue")
        if not isinstance(value, str) or not value.startswith("z"):
            return ProofOutcome("failed", "malformed_proof", f"{label}: proofValue is not multibase base58btc")
        try:
            signature = multibase_decode(value)
        except ValueError:
            return ProofOutcome("failed", "malformed_proof", f"{label}: proofValue is not valid base58btc")
        method = proof.get("verificationMethod")
        if isinstance(method, dict):
            method = method.get("id")
        try:
            key = self.keys.resolve(method)
        except KeyError_ as exc:
            return ProofOutcome("not_checked", exc.code, exc.message, method_id=method)
        except MissingDocument as exc:
            return ProofOutcome(
                "not_checked",
                "did_web_unresolved",
                f"DID document {exc.url} is not available offline",
                method_id=method,
            )
        if key.kind != "Ed25519":
            return ProofOutcome("failed", "wrong_key_type", f"{label} needs an Ed25519 key, got {key.kind}")
        if len(signature) != 64:
            return ProofOutcome("failed", "invalid_signature", f"{label}: signature is {len(signature)} bytes")
        # canonical forms (context errors surface here and are not signature failures)
        try:
            doc_nq = canonical_doc if canonical_doc is not None else canonize(unsecured(doc), self.store)
            proof_nq = canonize(proof_config(doc, proof), self.store)
        except ContextNotFound as exc:
            return ProofOutcome("not_checked", "context_not_found", str(exc), key.controller, method)
        except UnsafeJsonLd as exc:
            return ProofOutcome("failed", "unsafe_jsonld", f"proof options: {exc}", key.controller, method)
        except JsonLdFailure as exc:
            return ProofOutcome("failed", "invalid_jsonld", str(exc), key.controller, method)
        data = hashlib.sha256(proof_nq.encode()).digest() + hashlib.sha256(doc_nq.encode()).digest()
        from cryptography.exceptions import InvalidSignature

        try:
            key.key.verify(signature, data)
        except InvalidSignature:
            return ProofOutcome(
                "failed",
                "invalid_signature",
                f"{label} by {method}: the signature is not valid",
                key.controller,
                method,
                notes,
            )
        return ProofOutcome("passed", "valid", f"{label} by {method}", key.controller, method, notes)
