"""PESC's draft JSON-LD transcript (pesc-org/json-ld-transcript) into the common shape.

The draft is a graph (flat ``@graph`` or nested) of typed nodes with camelCase properties
and CURIE code values (``pescCreditUnits:Semester``). The remote ``@context`` is never
fetched: properties are read by name. Nodes are rewritten into the PESC element shape the
XML mapper reads (``courseTitle`` → ``CourseTitle``, ``pescCreditBasis:Regular`` →
``Regular``), so both renderings share one mapping.
"""

from __future__ import annotations

import re
from typing import Any

from passport_hub.contract import Document

FORMAT = "PESC JSON-LD transcript (draft)"
_CURIE = re.compile(r"^pesc[A-Za-z]*:(.+)$")
_SKIP = frozenset({"offeredBy", "school", "inProgram", "hasCourse", "hasPart", "student", "source",
                   "destination", "achievement", "hasPersonName", "hasPersonalIdentification"})


def _types(node: dict[str, Any]) -> set[str]:
    raw = node.get("@type")
    items = raw if isinstance(raw, list) else [raw]
    return {item.rpartition(":")[2] for item in items if isinstance(item, str)}


def _text(value: Any) -> Any:
    if isinstance(value, dict):  # language map {"en": "..."}
        for key, item in value.items():
            if not key.startswith("@") and isinstance(item, str):
                return item
        return value.get("@value")
    if isinstance(value, str):
        match = _CURIE.match(value)
        return match.group(1) if match else value
    return value


def _shape(node: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key.startswith("@") or key in _SKIP or not key:
            continue
        if isinstance(value, dict) and ("@type" in value or "@id" in value):
            continue
        out[key[0].upper() + key[1:]] = _text(value)
    return out


def _graph(data: Any) -> tuple[dict[str, dict[str, Any]], list[tuple[dict[str, Any], set[str]]]] | None:
    """``(nodes by @id, [(typed node, its types)])``: nodes sharing an ``@id`` merged, typed
    nodes in the order first met; ``None`` if the data is not JSON-LD."""
    if not isinstance(data, dict) or not ("@context" in data or "@graph" in data):
        return None
    nodes: dict[str, dict[str, Any]] = {}
    typed: list[dict[str, Any]] = []

    def walk(value: dict[str, Any]) -> None:
        if "@type" in value:
            ident = value.get("@id")
            if isinstance(ident, str):
                if ident not in nodes:
                    nodes[ident] = {}
                    typed.append(nodes[ident])
                nodes[ident].update(value)
            else:
                typed.append(value)
        for key, item in value.items():  # parsed JSON: exact dicts and lists
            cls = item.__class__
            if cls is dict:
                if key != "@context":
                    walk(item)
            elif cls is list and key != "@context":
                walk_list(item)

    def walk_list(items: list[Any]) -> None:
        for item in items:
            cls = item.__class__
            if cls is dict:
                walk(item)
            elif cls is list:
                walk_list(item)

    walk(data)
    return nodes, [(node, _types(node)) for node in typed]


def document_transcripts(document: Document) -> list[tuple[str, dict[str, Any]]] | None:
    """:func:`jsonld_transcripts` of a JSON document, once: ``sniff`` finds them, ``parse`` maps them."""
    return document.memo("etranscript.jsonld", lambda: jsonld_transcripts(document.json()))


def jsonld_transcripts(data: Any) -> list[tuple[str, dict[str, Any]]] | None:
    """``[(format, transcript)]`` in the common shape, or ``None`` if not a PESC JSON-LD transcript."""
    graph = _graph(data)
    if graph is None:
        return None
    nodes, typed = graph

    def resolve(ref: Any) -> dict[str, Any]:
        if isinstance(ref, list):
            ref = ref[0] if ref else None
        if isinstance(ref, str):
            return nodes.get(ref, {})
        if isinstance(ref, dict):
            ident = ref.get("@id")
            return nodes.get(ident, ref) if isinstance(ident, str) else ref
        return {}

    transcripts = [node for node, types in typed if "CollegeTranscript" in types]
    if not transcripts:
        return None
    awards = [node for node, types in typed if "AcademicAward" in types]
    courses = [node for node, types in typed if "Course" in types]
    out = []
    for t in transcripts:
        transmission: dict[str, Any] = {}
        for key in ("documentID", "createdDateTime", "documentTypeCode", "transmissionType"):
            if key in t:
                transmission[key[0].upper() + key[1:]] = _text(t[key])
        if "DocumentID" not in transmission and "DocumentId" in transmission:
            transmission["DocumentID"] = transmission.pop("DocumentId")
        source = resolve(t.get("source"))
        if source:
            transmission["Source"] = {"Organization": _org(source)}
        person_node = resolve(t.get("student"))
        person: dict[str, Any] = {}
        name = resolve(person_node.get("hasPersonName"))
        if name:
            person["Name"] = _shape(name)
        for ident in person_node.get("hasPersonalIdentification") or []:
            ident = resolve(ident)
            # Social security / social insurance numbers are never propagated.
            if "SchoolIdentification" in _types(ident) and ident.get("PersonIdentifier"):
                person["SchoolAssignedPersonID"] = str(ident["PersonIdentifier"])
        if person_node.get("birthDate"):
            person["Birth"] = {"BirthDate": person_node["birthDate"]}
        record: dict[str, Any] = {}
        shaped_awards = []
        for award in awards:
            shaped = _shape(award)
            program = resolve(award.get("inProgram"))
            if program:
                shaped["AcademicAwardProgram"] = _shape(program)
            shaped_awards.append(shaped)
        if shaped_awards:
            record["AcademicAward"] = shaped_awards
        if courses:
            record["Course"] = [_shape(course) for course in courses]
        transcript: dict[str, Any] = {"Student": {"Person": person, "AcademicRecord": [record]}}
        if transmission:
            transcript["TransmissionData"] = transmission
        out.append((FORMAT, transcript))
    return out


def _org(node: dict[str, Any]) -> dict[str, Any]:
    org = _shape(node)
    ident = node.get("@id")
    if isinstance(ident, str) and ident.startswith(("http://", "https://")):
        org.setdefault("URI", ident)
    return org
