"""CTDL class vocabulary: which ``@type`` is a credential, and which passport-hub kind it is.

The class tree ships as data (``ctdl_classes.json``); types are compared on their local
name, so ``ceterms:BachelorDegree``, ``https://purl.org/ctdl/terms/BachelorDegree`` and the
2016-17 ``http://purl.org/ceterms/terms/BachelorDegree`` are the same class.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import NamedTuple

#: namespaces (compact prefixes and expanded IRIs) whose classes are CTDL
CTDL_PREFIXES = ("ceterms:", "ceasn:", "qdata:", "asn:", "ctdl:")
CTDL_IRIS = (
    "https://purl.org/ctdl/terms/",
    "http://purl.org/ctdl/terms/",
    "http://purl.org/ceterms/terms/",
    "https://purl.org/ctdlasn/terms/",
    "http://purl.org/ctdlasn/terms/",
    "https://credreg.net/ctdl/terms/",
    "http://credreg.net/ctdl/terms/",
)


def local_name(term: str) -> str:
    """``ceterms:BachelorDegree`` / ``https://purl.org/ctdl/terms/BachelorDegree`` → ``BachelorDegree``."""
    text = term.strip()
    for sep in ("#", "/"):
        if sep in text:
            text = text.rsplit(sep, 1)[-1]
    if ":" in text:
        text = text.rsplit(":", 1)[-1]
    return text


def is_ctdl_term(term: object) -> bool:
    """Is ``term`` a class or property name in a CTDL namespace (any era, compact or expanded)?"""
    if not isinstance(term, str):
        return False
    return term.startswith(CTDL_PREFIXES) or term.startswith(CTDL_IRIS)


@dataclass(frozen=True)
class _Vocab:
    #: every class of the credential tree → the kind of its nearest ancestor (or itself) that has one
    kind_of: dict[str, str]
    suffixes: tuple[str, ...]
    non_credential: frozenset[str]


@cache
def _vocab() -> _Vocab:
    data = json.loads(resources.files(__package__).joinpath("ctdl_classes.json").read_text("utf-8"))
    parent: dict[str, str] = {}

    def walk(tree: dict, up: str | None) -> None:
        for name, children in tree.items():
            if up is not None:
                parent[name] = up
            walk(children, name)

    walk(data["credential_tree"], None)
    parent.setdefault("Credential", "")
    kinds = data["kinds"]

    def kind_of(name: str) -> str:
        while name:
            if name in kinds:
                return kinds[name]
            name = parent.get(name, "")
        return "other"

    return _Vocab(
        kind_of={name: kind_of(name) for name in parent},
        suffixes=tuple(data["credential_name_suffixes"]),
        non_credential=frozenset(data["non_credential"]),
    )


class ClassInfo(NamedTuple):  # a tuple: one is made for every @type of every node
    """What one CTDL ``@type`` means for the catalog."""

    ctdl_type: str  # as written
    is_credential: bool
    kind: str = "other"
    known: bool = True  # False: an unknown class treated by its name


def classify_type(term: str) -> ClassInfo:
    """Is ``term`` a credential class, and which kind? Never fails on an unknown class.

    Known subclasses of ``ceterms:Credential`` resolve up the tree to the nearest branch
    with a kind (``BachelorOfScienceDegree`` → ``BachelorDegree`` → ``Degree`` → degree).
    A CTDL class the tree does not know is a credential of kind ``other`` when its name
    ends like a credential (``BootcampCertificate``), and not a credential otherwise.
    """
    vocab = _vocab()
    if not is_ctdl_term(term):
        return ClassInfo(term, is_credential=False, known=False)
    name = local_name(term)
    kind = vocab.kind_of.get(name)
    if kind is not None:
        return ClassInfo(term, True, kind)
    if name in vocab.non_credential:
        return ClassInfo(term, is_credential=False)
    if name.endswith(vocab.suffixes):
        return ClassInfo(term, True, "other", known=False)
    return ClassInfo(term, is_credential=False, known=False)
