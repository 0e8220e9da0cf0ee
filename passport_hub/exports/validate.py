"""Offline JSON Schema validation of the exports against the published schemas (see schemas/PROVENANCE.md)."""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path

SCHEMAS = Path(__file__).resolve().parent / "schemas"
BASE = "https://schemas.passport-hub.invalid/"
ROOTS = {
    "ob3": "www.hropenstandards.org/recruiting/json/ler-rs/1EdTech/ob_v3p0_achievementcredential_schema_draft4.json",
    "clr": "www.hropenstandards.org/recruiting/json/ler-rs/1EdTech/clr_v2p0_clrcredential_schema_draft4.json",
    "ler-rs": "www.hropenstandards.org/recruiting/json/VerifiableCredentialLER-RSType.json",
    "ler-rs-subject": "www.hropenstandards.org/recruiting/json/LER-RSType.json",
    "json-resume": "jsonresume/schema.json",
}
LER_44 = "http://schema.hropenstandards.org/4.4/recruiting/json/ler-rs/LER-RSType.json"


@lru_cache(maxsize=1)
def _registry():
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4, DRAFT7

    resources = []
    for path in SCHEMAS.rglob("*.json"):
        rel = path.relative_to(SCHEMAS).as_posix()
        contents = json.loads(path.read_text(encoding="utf-8"))
        spec = DRAFT7 if "draft-07" in str(contents.get("$schema", "")) else DRAFT4
        if isinstance(contents.get("id"), dict):  # an example object in an `id` slot, not a schema id
            contents = {k: v for k, v in contents.items() if k != "id"}
        if isinstance(contents.get("$id"), str) and "://" not in contents["$id"]:
            contents = {k: v for k, v in contents.items() if k != "$id"}  # relative ids: the file path is the id
        resources.append((BASE + rel, Resource.from_contents(contents, default_specification=spec)))
    return Registry().with_resources(resources)


def errors(document: dict, fmt: str) -> list[str]:
    """Every schema violation of ``document`` as ``path: message`` (empty when valid)."""
    import jsonschema

    registry = _registry()
    schema = registry.contents(BASE + ROOTS[fmt])
    document = copy.deepcopy(document)
    if fmt == "ler-rs":
        # the 4.4 schema enumerates only the 4.4 type URI; we emit 4.5 like the HR Open samples (accepted both ways)
        subject = document.get("credentialSubject", {})
        if isinstance(subject, dict) and "type" in subject:
            subject["type"] = LER_44
        problems = _run(jsonschema, schema, ROOTS[fmt], document, registry)
        problems += _run(jsonschema, registry.contents(BASE + ROOTS["ler-rs-subject"]), ROOTS["ler-rs-subject"],
                         subject, registry)
        return problems
    return _run(jsonschema, schema, ROOTS[fmt], document, registry)


def _run(jsonschema, schema, root, document, registry) -> list[str]:
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft4Validator)
    validator = cls({"$ref": BASE + root} if cls is jsonschema.Draft4Validator else schema, registry=registry,
                    format_checker=cls.FORMAT_CHECKER)
    out = []
    for err in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in err.absolute_path) or "(root)"
        out.append(f"{where}: {err.message[:300]}")
    return out
