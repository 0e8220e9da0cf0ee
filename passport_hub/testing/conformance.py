"""The conformance suite a plugin author turns on with a few lines.

    from passport_hub.testing import SourceConformance
    from my_plugin.source import MySource

    class TestMySource(SourceConformance):
        source = MySource
        plugin = "my_plugin"               # the entry-point name

That runs every check below against the source's bundled samples
(``MySource.sample_documents()``); other installed plugins' samples and random bytes
are the foreign documents ``sniff`` must refuse. Sources that fetch from an issuer
use ``FetchingSourceConformance`` and say how to point them at a loopback issuer::

    class TestMyLookup(FetchingSourceConformance):
        source = MyLookupSource
        plugin = "my_plugin"
        fetch_query = {"certificate_id": "ABC1234"}
        fetch_reply = Reply(200, body=b"...", content_type="text/html")

        def fetch_config(self, base_url):  # point the source's config at the loopback issuer
            return {"lookup_url": base_url + "/lookup"}

Exclude a single check with a reason (it is reported as skipped with that reason)::

        exclude = {"test_sniff_rejects_foreign_documents": "reads any CSV by design"}
"""

from __future__ import annotations

import asyncio
import json
import random
import re
from collections.abc import Mapping
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel

from ..config import Settings
from ..contract import API_VERSION, Capability, CheckResult, CredentialSource, Document
from ..errors import ConfigError, ErrorKind, PassportHubError
from ..loader import DEFAULT_API_RANGE, ENTRY_POINT_GROUP, _api_compatible, _unknown_hooks, load_plugins
from ..model import CatalogEntry, CredentialRecord
from .loopback import LoopbackIssuer, Reply

SECRET_MARKER = "CONFORMANCE-SECRET-7f3a"
#: config field names that hold a secret whatever their type (api_key, client_secret, access_token ...)
SECRET_FIELD_NAME = re.compile(r"(^|_)(password|passphrase|secret|token|api_?key|private_key|access_key)$", re.I)


def _marked_secret(prop: Mapping[str, Any], defs: Mapping[str, Any]) -> bool:
    """Whether a property's JSON Schema marks it secret, also when wrapped (``SecretStr | None`` is an anyOf)."""
    if prop.get("writeOnly") is True or prop.get("format") == "password":
        return True
    if "$ref" in prop:
        return _marked_secret(defs[prop["$ref"].rsplit("/", 1)[-1]], defs)
    return any(_marked_secret(branch, defs) for key in ("anyOf", "oneOf", "allOf") for branch in prop.get(key, []))


def _map_leaves(value: Any, change) -> Any:
    """``value`` (parsed JSON) with ``change`` applied to each scalar, keys kept; ``type`` and
    ``@context`` values kept too, so that the document still says what it is."""
    if isinstance(value, dict):
        return {k: v if k in ("type", "@type", "@context") else _map_leaves(v, change) for k, v in value.items()}
    if isinstance(value, list):
        return [_map_leaves(v, change) for v in value]
    return change(value)


def _docs(paths) -> list[Document]:
    return [Document(data=Path(p).read_bytes(), name=str(p)) for p in paths]


class SourceConformance:
    """Base class of the suite; subclass it in a test module (its name must start with ``Test``)."""

    #: the CredentialSource subclass under test
    source: ClassVar[type[CredentialSource]]
    #: the plugin's entry-point name in the ``passport_hub`` group
    plugin: ClassVar[str]
    #: sample documents (default: the source's bundled samples)
    samples: ClassVar[list[Path] | None] = None
    #: documents the source must not claim (default: other installed plugins' samples)
    foreign_samples: ClassVar[list[Path] | None] = None
    #: config values for the source (default: the model's defaults)
    config: ClassVar[Mapping[str, Any]] = {}
    #: test name → reason, for checks that do not apply
    exclude: ClassVar[Mapping[str, str]] = {}
    # -- plumbing --------------------------------------------------------------
    @pytest.fixture(autouse=True)
    def _apply_exclusions(self, request):
        reason = self.exclude.get(request.node.originalname or request.node.name)
        if reason:
            pytest.skip(f"excluded by the plugin author: {reason}")

    def make_source(self, **overrides) -> CredentialSource:
        values = dict(self.config) | overrides
        return self.source(self.source.config_model.model_validate(values))

    def sample_documents(self) -> list[Document]:
        paths = self.samples if self.samples is not None else self.source.sample_documents()
        assert paths, (
            f"{self.source.__name__} has no sample documents: put some in the package's samples/ folder "
            "or set `samples = [...]` on the test class"
        )
        return _docs(paths)

    def foreign_documents(self) -> list[Document]:
        if self.foreign_samples is not None:
            paths = list(self.foreign_samples)
        else:
            registry = load_plugins(Settings(load_plugins=None))
            own = {Path(p).resolve() for p in (self.samples or self.source.sample_documents())}
            paths = [
                p for name, cls in registry.sources.items() if name != self.source.name
                for p in cls.sample_documents() if Path(p).resolve() not in own
            ]
        rng = random.Random(1)
        noise = [
            Document(data=bytes(rng.randrange(256) for _ in range(2048)), name="random.bin"),
            Document(data=b"", name="empty"),
            Document(data=b'{"hello": "world"}', name="other.json"),
            Document(data=b"<?xml version='1.0'?><note><to>Tove</to></note>", name="note.xml"),
        ]
        return _docs(paths) + noise

    def parse_all(self, source: CredentialSource, document: Document) -> list[CredentialRecord | CatalogEntry]:
        return list(source.parse(document))

    # -- the checks -------------------------------------------------------------
    def test_entry_point_loads(self):
        eps = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == self.plugin]
        assert eps, (
            f"no entry point {self.plugin!r} in group {ENTRY_POINT_GROUP!r}: add "
            f'[project.entry-points.{ENTRY_POINT_GROUP}] {self.plugin} = "<your_package>.plugin" to pyproject.toml '
            "and reinstall"
        )
        registry = load_plugins(Settings(load_plugins=[self.plugin]))
        [info] = [p for p in registry.plugins if p.name == self.plugin]
        assert info.status == "loaded", f"plugin {self.plugin!r} did not load: {info.status}: {info.error}"
        assert self.source.name in info.sources, (
            f"plugin {self.plugin!r} loaded but did not register source {self.source.name!r} "
            "in passport_hub_register_sources"
        )

    def _module(self):
        [ep] = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == self.plugin]
        return ep.load()

    def test_contract_version_matches(self):
        declared = getattr(self._module(), "PASSPORT_HUB_API", DEFAULT_API_RANGE)
        assert _api_compatible(str(declared)), (
            f"the plugin declares PASSPORT_HUB_API = {declared!r}, which excludes this hub's API {API_VERSION}"
        )

    def test_no_unknown_hooks(self):
        unknown = _unknown_hooks(self._module())
        assert not unknown, f"functions named like hooks that are not hooks (misspelt?): {', '.join(unknown)}"

    def test_config_schema_exports(self):
        schema = self.source.config_model.model_json_schema()
        assert schema.get("type") == "object", "config_model must be a pydantic model (JSON Schema object)"
        for name, field in self.source.config_model.model_fields.items():
            if "SecretStr" in str(field.annotation) or SECRET_FIELD_NAME.search(name):
                assert _marked_secret(schema["properties"][name], schema.get("$defs", {})), (
                    f"config field {name!r} holds a secret but its JSON Schema does not mark it writeOnly: "
                    "declare it SecretStr (or SecretStr | None) so its value is hidden from messages, logs and UIs"
                )

    def test_config_rejects_bad_config_without_echoing_secrets(self):
        model: type[BaseModel] = self.source.config_model
        bad: dict[str, Any] = {"not_a_setting_" + SECRET_MARKER: SECRET_MARKER}
        for name, field in model.model_fields.items():
            if "SecretStr" in str(field.annotation):
                bad[name] = {"nested": SECRET_MARKER}
        settings = Settings(plugin_config={self.source.name: bad})
        with pytest.raises(ConfigError) as caught:
            settings.component_config(self.source.name, model)
        message = str(caught.value) + caught.value.internal_message
        assert SECRET_MARKER not in message.replace("not_a_setting_" + SECRET_MARKER, ""), (
            "a config error message echoes a secret value; report field names and reasons only"
        )
        assert model.model_config.get("extra") == "forbid", (
            "config_model should set model_config = ConfigDict(extra='forbid') so misspelt settings are errors"
        )

    def test_sniff_accepts_its_samples(self):
        source = self.make_source()
        refused = [Path(d.name).name for d in self.sample_documents() if not source.sniff(d)]
        assert not refused, f"sniff() refuses the plugin's own samples: {refused}"

    def test_sniff_rejects_foreign_documents(self):
        source = self.make_source()
        claimed = [Path(d.name).name for d in self.foreign_documents() if source.sniff(d)]
        assert not claimed, (
            f"sniff() claims documents other plugins read (or noise): {claimed}. Make sniff specific: "
            "check the root element, a namespace, a required key or a marker text"
        )

    def test_parse_yields_valid_records_with_provenance(self):
        source = self.make_source()
        for document in self.sample_documents():
            items = self.parse_all(source, document)
            assert items, f"parse() yielded nothing for its own sample {Path(document.name).name}"
            for item in items:
                assert isinstance(item, CredentialRecord | CatalogEntry), (
                    f"parse() yielded {type(item).__name__}; yield CredentialRecord or CatalogEntry"
                )
                type(item).model_validate(item.model_dump(by_alias=True))
                assert item.source.plugin == source.name, (
                    f"record.source.plugin is {item.source.plugin!r}; set it to the source name {source.name!r}"
                )
                assert item.source.document_sha256 == document.sha256, (
                    "record.source.document_sha256 must be the SHA-256 of the document it was read from"
                )

    def test_reparse_gives_identical_ids(self):
        for document in self.sample_documents():
            first = [i.id for i in self.parse_all(self.make_source(), document)]
            again = [i.id for i in self.parse_all(self.make_source(), Document(data=document.data, name="copy"))]
            assert first == again, (
                f"parsing {Path(document.name).name} twice gave different ids: build ids with "
                "passport_hub.stable_id() from issuer, achievement, holder and source keys, "
                "never from time, randomness or object identity"
            )

    def _refuses_as_the_documents_fault(self, source: CredentialSource, broken: Document, what: str) -> None:
        try:
            self.parse_all(source, broken)
        except PassportHubError as exc:
            assert exc.kind in ErrorKind.__members__.values()
        except Exception as exc:  # noqa: BLE001 - the point of the check
            pytest.fail(
                f"parse() of {what} raised {type(exc).__name__}: {exc}. Raise a passport_hub.errors type "
                "(MalformedError, UnsafeError ...) with a message for the user; pydantic's ValidationError "
                "from a record built of the document's values is a ValueError to catch"
            )

    def test_errors_belong_to_the_taxonomy(self):
        source = self.make_source()
        for document in self.sample_documents()[:3]:
            broken = Document(data=document.data[: max(1, len(document.data) // 3)], name="truncated")
            self._refuses_as_the_documents_fault(source, broken, "a truncated document")

    def test_wrongly_typed_json_values_are_the_documents_fault(self):
        """A JSON sample whose text values are numbers, or whose numbers are text, is read or
        refused with an error of the taxonomy, never a TypeError or a bare ValidationError."""
        source = self.make_source()
        for document in self.sample_documents():
            data = document.try_json()
            if data is None:
                continue
            for what, swap in (("text values as numbers", lambda v: 42 if isinstance(v, str) else v),
                               ("numbers as text", lambda v: "x" if isinstance(v, int | float) and not isinstance(
                                   v, bool) else v)):
                changed = _map_leaves(data, swap)
                retyped = Document(data=json.dumps(changed).encode(), name=f"retyped-{Path(document.name).name}")
                self._refuses_as_the_documents_fault(source, retyped, f"{Path(document.name).name} with {what}")

    def test_check_returns_a_result_and_never_raises(self):
        async def run():
            from ..fetching import issuer_client

            source = self.make_source()
            async with issuer_client(source, Settings(allow_private_hosts=True)) as http:
                source.http = http
                return await asyncio.wait_for(source.check(), 60)

        try:
            result = asyncio.run(run())
        except Exception as exc:  # noqa: BLE001 - the point of the check
            pytest.fail(f"check() raised {type(exc).__name__}: {exc}; return CheckResult(ok=False, ...) instead")
        assert isinstance(result, CheckResult), "check() must return a passport_hub.CheckResult"


class FetchingSourceConformance(SourceConformance):
    """The suite for sources that fetch from an issuer API, run against a loopback issuer."""

    #: a query the source accepts, e.g. {"certificate_id": "ABC1234"}
    fetch_query: ClassVar[Mapping[str, str]]
    #: the issuer's successful reply to that query
    fetch_reply: ClassVar[Reply]

    def fetch_config(self, base_url: str) -> Mapping[str, Any]:
        """Config values that point the source at the loopback issuer at ``base_url``."""
        raise NotImplementedError("override fetch_config() to point the source at the loopback issuer")

    def _fetch(self, replies: list[Reply]) -> tuple[list[Document] | PassportHubError, LoopbackIssuer]:
        assert Capability.FETCH in self.source.capabilities(), (
            f"{self.source.__name__} does not implement fetch(); use SourceConformance instead"
        )

        async def run(base_url):
            from ..fetching import issuer_client

            source = self.make_source(**self.fetch_config(base_url))
            async with issuer_client(source, Settings(allow_private_hosts=True)) as http:
                source.http = http
                return [d async for d in source.fetch(self.fetch_query)]

        with LoopbackIssuer(replies) as issuer:
            try:
                result = asyncio.run(run(issuer.base_url))
            except PassportHubError as exc:
                result = exc
            except Exception as exc:  # noqa: BLE001
                pytest.fail(f"fetch() raised {type(exc).__name__}: {exc}; raise passport_hub.errors types only")
        return result, issuer

    def test_fetch_retries_429_with_retry_after(self):
        result, issuer = self._fetch([Reply(429, headers={"Retry-After": "1"}), self.fetch_reply])
        assert not isinstance(result, PassportHubError), f"fetch failed after a 429: {result}"
        assert len(issuer.requests) == 2, (
            f"expected one retry after 429 with Retry-After, saw {len(issuer.requests)} request(s): "
            "use the core's http client (self.http) and let it retry"
        )

    def test_fetch_does_not_retry_401(self):
        result, issuer = self._fetch([Reply(401, body=b"unauthorized")])
        assert len(issuer.requests) == 1, (
            f"the source sent {len(issuer.requests)} requests after a 401: authentication failures are not "
            "retried; let AuthError propagate (or map it to another passport_hub error) without retrying"
        )
        assert isinstance(result, PassportHubError), "a 401 from the issuer must end in a passport_hub error"
        assert result.kind in ErrorKind.__members__.values()


