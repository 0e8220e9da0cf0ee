"""The conformance kit catches real faults, each with a message that says what to fix."""

from __future__ import annotations

import textwrap

import pytest

pytest_plugins = ["pytester"]

COMMON = '''
import itertools, json
from pathlib import Path
from pydantic import BaseModel, ConfigDict, SecretStr, field_validator
from passport_hub import CredentialSource, stable_id
from passport_hub.errors import MalformedError
from passport_hub.model import Achievement, CredentialRecord, Issuer, Source
from passport_hub.testing import FetchingSourceConformance, Reply, SourceConformance

HERE = Path(__file__).parent
(HERE / "own.json").write_text(json.dumps({"kit": {"title": "CPR"}}))
(HERE / "foreign.json").write_text(json.dumps({"@context": "https://credreg.net/ctdl/schema/context/json"}))

def record(source, document, key):
    return CredentialRecord(
        id=key, issuer=Issuer(name="Kit"), achievement=Achievement(kind="certificate", title="CPR"),
        source=Source(plugin=source.name, plugin_version="1", format="kit", document_sha256=document.sha256))

class GoodConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    api_key: SecretStr | None = None  # optional, as in docs/writing-a-plugin.md: an anyOf in the JSON Schema

class GoodSource(CredentialSource):
    name = "kit"
    title = "Kit"
    config_model = GoodConfig
    def sniff(self, document):
        data = document.try_json()
        return isinstance(data, dict) and "kit" in data
    def parse(self, document):
        data = document.json()
        if "kit" not in data:
            raise MalformedError("no kit")
        yield record(self, document, stable_id("kit", data["kit"]["title"]))

class Base(SourceConformance):
    plugin = "kit"
    samples = [HERE / "own.json"]
    foreign_samples = [HERE / "foreign.json"]
'''

CASES = {
    "sniff_accepts_everything": (
        '''
class Greedy(GoodSource):
    def sniff(self, document):
        return True

class TestGreedy(Base):
    source = Greedy
''',
        "test_sniff_rejects_foreign_documents",
        "sniff() claims documents other plugins read",
    ),
    "nondeterministic_ids": (
        '''
counter = itertools.count()
class Random(GoodSource):
    def parse(self, document):
        yield record(self, document, f"rec_{next(counter)}")

class TestRandom(Base):
    source = Random
''',
        "test_reparse_gives_identical_ids",
        "build ids with passport_hub.stable_id()",
    ),
    "secret_in_error_message": (
        '''
class Leaky(BaseModel):
    model_config = ConfigDict(extra="forbid")
    api_key: SecretStr = SecretStr("x")
    @field_validator("api_key", mode="before")
    @classmethod
    def check(cls, value):
        raise ValueError(f"bad api key {value}")

class LeakySource(GoodSource):
    config_model = Leaky

class TestLeaky(Base):
    source = LeakySource
''',
        "test_config_rejects_bad_config_without_echoing_secrets",
        "echoes a secret value",
    ),
    "secret_in_plain_str": (
        '''
class PlainConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    api_key: str | None = None

class PlainSecret(GoodSource):
    config_model = PlainConfig

class TestPlainSecret(Base):
    source = PlainSecret
''',
        "test_config_schema_exports",
        "config field 'api_key' holds a secret but its JSON Schema does not mark it writeOnly",
    ),
    "retry_on_401": (
        '''
from passport_hub.errors import AuthError
from passport_hub import Document

class Cfg(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = "http://127.0.0.1:9/"

class Stubborn(GoodSource):
    config_model = Cfg
    def allowed_hosts(self):
        return ["127.0.0.1"]
    async def fetch(self, query):
        for _ in range(3):
            try:
                response = await self.http.get(self.config.url)
                yield Document(data=response.content, name="fetched.json")
                return
            except AuthError:
                continue  # the fault: retrying an authentication failure
        raise AuthError("refused")

class TestStubborn(FetchingSourceConformance, Base):
    source = Stubborn
    fetch_query = {"id": "1"}
    fetch_reply = Reply(200, body=b'{"kit": {"title": "CPR"}}')
    def fetch_config(self, base_url):
        return {"url": base_url + "/x"}
''',
        "test_fetch_does_not_retry_401",
        "authentication failures are not retried",
    ),
    "parse_raises_keyerror": (
        '''
class Sloppy(GoodSource):
    def parse(self, document):
        data = document.json() if document.data.strip().endswith(b"}") else {}
        yield record(self, document, stable_id(data["kit"]["title"]))

class TestSloppy(Base):
    source = Sloppy
''',
        "test_errors_belong_to_the_taxonomy",
        "Raise a passport_hub.errors type",
    ),
    "record_of_wrongly_typed_values": (
        '''
class Trusting(GoodSource):
    def parse(self, document):
        title = document.json()["kit"]["title"]  # the fault: a number here fails the record's validation
        yield CredentialRecord(
            id=stable_id("kit", title), issuer=Issuer(name="Kit"),
            achievement=Achievement(kind="certificate", title=title),
            source=Source(plugin=self.name, plugin_version="1", format="kit", document_sha256=document.sha256))

class TestTrusting(Base):
    source = Trusting
''',
        "test_wrongly_typed_json_values_are_the_documents_fault",
        "*own.json with text values as numbers raised ValidationError*",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_kit_reports_the_fault(pytester, case):
    body, test_name, advice = CASES[case]
    pytester.makepyfile(**{f"test_{case}": textwrap.dedent(COMMON) + textwrap.dedent(body)})
    result = pytester.runpytest("-k", test_name, "-p", "no:cacheprovider")
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed") == 1, result.stdout.str()
    result.stdout.fnmatch_lines([f"*{advice}*"])


def test_a_good_plugin_passes_the_same_checks(pytester):
    pytester.makepyfile(test_good=textwrap.dedent(COMMON) + "\nclass TestGood(Base):\n    source = GoodSource\n")
    names = " or ".join(spec[1] for spec in CASES.values() if "fetch" not in spec[1])
    result = pytester.runpytest("-k", names, "-p", "no:cacheprovider")
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed") == 6 and "failed" not in outcomes, result.stdout.str()


def test_excluded_check_is_reported_with_its_reason(pytester):
    pytester.makepyfile(test_excl=textwrap.dedent(COMMON) + textwrap.dedent('''
        class TestExcluded(Base):
            source = GoodSource
            exclude = {"test_sniff_rejects_foreign_documents": "reads any JSON by design"}
    '''))
    result = pytester.runpytest("-k", "test_sniff_rejects_foreign_documents", "-rs", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*excluded by the plugin author: reads any JSON by design*"])
