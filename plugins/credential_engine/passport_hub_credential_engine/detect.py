"""Recognising a CTDL document: which of the four forms it is, from a few keys.

Kept apart from :mod:`.ctdl` so that ``sniff``, which runs on every document the hub reads,
needs no more than this and the vocabulary's namespace test.
"""

from __future__ import annotations

from typing import Any

from .jsonld import as_list
from .vocab import is_ctdl_term

FORMAT_RESOURCE = "ctdl-jsonld/resource"
FORMAT_GRAPH = "ctdl-jsonld/graph"
FORMAT_ENVELOPE = "ctdl-jsonld/envelope"
FORMAT_SEARCH = "ctdl-jsonld/search"


def node_types(node: dict) -> list[str]:
    return [t for t in as_list(node.get("@type")) if isinstance(t, str)]


def is_ctdl_node(node: Any) -> bool:
    """A JSON object typed in a CTDL namespace, or carrying a ``ceterms:ctid``."""
    if not isinstance(node, dict):
        return False
    return "ceterms:ctid" in node or any(is_ctdl_term(t) for t in node_types(node))


def _foreign_context(data: dict) -> bool:
    """Open Badges / W3C VC contexts: those documents belong to other plugins."""
    for context in as_list(data.get("@context")):
        if isinstance(context, str) and (
            "w3.org/2018/credentials" in context or "w3.org/ns/credentials" in context
            or "purl.imsglobal.org" in context
        ):
            return True
    return False


def detect_form(data: Any) -> str | None:
    """Which CTDL form ``data`` is (``FORMAT_*``), or ``None`` when it is not CTDL."""
    if isinstance(data, list):
        sample = data[:20]
        if sample and all(isinstance(n, dict) for n in sample) and any(is_ctdl_node(n) for n in sample):
            return FORMAT_SEARCH
        return None
    if not isinstance(data, dict) or _foreign_context(data):
        return None
    if "decoded_resource" in data or ("envelope_id" in data and "resource" in data):
        return FORMAT_ENVELOPE
    graph = data.get("@graph")
    if isinstance(graph, list):
        return FORMAT_GRAPH if any(is_ctdl_node(n) for n in graph[:50]) else None
    if isinstance(data.get("data"), list) and not data.get("@type"):
        return FORMAT_SEARCH if detect_form(data["data"]) == FORMAT_SEARCH else None
    if is_ctdl_node(data):
        return FORMAT_RESOURCE
    return None
