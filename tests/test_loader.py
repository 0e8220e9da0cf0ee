"""The plugin loader: isolation of broken plugins, lists, strict mode, required plugins."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from passport_hub.config import Settings
from passport_hub.errors import PluginError
from passport_hub.loader import load_plugins

GOOD = '''
from passport_hub import hookimpl, CredentialSource

PASSPORT_HUB_API = ">=1.0,<2"

class GoodSource(CredentialSource):
    name = "good_source"
    title = "Good"
    def sniff(self, document):
        return document.data.startswith(b"GOOD")
    def parse(self, document):
        return iter(())

@hookimpl
def passport_hub_register_sources(register):
    register(GoodSource)
'''

BROKEN_IMPORT = "raise RuntimeError('this plugin is broken on purpose')\n"

INCOMPATIBLE = '''
from passport_hub import hookimpl
PASSPORT_HUB_API = ">=2.0,<3"

@hookimpl
def passport_hub_register_sources(register):
    raise AssertionError("must not be called")
'''

UNKNOWN_HOOK = '''
from passport_hub import hookimpl

@hookimpl
def passport_hub_register_sorces(register):
    pass
'''


@pytest.fixture
def fake_dists(tmp_path):
    """Four plugins installed as a real distribution with entry points (a dist-info on sys.path)."""
    site = tmp_path / "site"
    for name, body in {"goodplug": GOOD, "brokenplug": BROKEN_IMPORT, "oldplug": INCOMPATIBLE,
                       "typoplug": UNKNOWN_HOOK}.items():
        (site / name).mkdir(parents=True)
        (site / name / "__init__.py").write_text(textwrap.dedent(body))
    info = site / "fake_partner_plugins-1.2.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-partner-plugins\nVersion: 1.2.3\n")
    (info / "entry_points.txt").write_text(
        "[passport_hub]\ngood = goodplug\nbroken = brokenplug\nold = oldplug\ntypo = typoplug\n"
    )
    return site


def run_cli(args, site, **env):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("PASSPORT_HUB_")}
    full_env.update(PYTHONPATH=str(site), **env)
    return subprocess.run(
        [sys.executable, "-m", "passport_hub", *args], capture_output=True, text=True, env=full_env, timeout=120
    )


def test_broken_and_incompatible_plugins_are_listed_and_the_rest_load(fake_dists):
    result = run_cli(["plugins", "--json"], fake_dists)
    assert result.returncode == 0, result.stderr
    plugins = {p["name"]: p for p in json.loads(result.stdout)}
    assert plugins["good"]["status"] == "loaded"
    assert plugins["good"]["distribution"] == "fake-partner-plugins"
    assert plugins["good"]["version"] == "1.2.3"
    assert plugins["good"]["sources"] == ["good_source"]
    assert plugins["broken"]["status"] == "failed"
    assert "this plugin is broken on purpose" in plugins["broken"]["error"]
    assert plugins["old"]["status"] == "incompatible"
    assert ">=2.0,<3" in plugins["old"]["error"]
    assert plugins["typo"]["status"] == "failed"
    assert "passport_hub_register_sorces" in plugins["typo"]["error"]
    assert "Traceback" not in result.stderr


def test_a_plugin_that_did_not_load_is_named_where_its_documents_go_unrecognized(fake_dists, tmp_path):
    """Not only in `plugins`: a user importing the broken plugin's documents is told why they are
    unrecognized, one line per plugin, while the good plugin still reads its own."""
    (tmp_path / "good.txt").write_bytes(b"GOOD document")
    result = run_cli(["import", "--dry-run", str(tmp_path / "good.txt")], fake_dists)
    assert result.returncode == 0, result.stderr
    assert ("plugin 'broken' did not load (import failed: RuntimeError: this plugin is broken on purpose): the "
            "documents it reads are unrecognized") in result.stderr
    assert "plugin 'old' did not load (supports" in result.stderr
    assert result.stderr.count("did not load") == 3 and "Traceback" not in result.stderr


def test_strict_mode_fails_with_a_clear_message(fake_dists):
    result = run_cli(["plugins"], fake_dists, PASSPORT_HUB_STRICT_PLUGINS="1")
    assert result.returncode == 1
    assert "strict plugin mode" in result.stderr
    assert "broken (failed)" in result.stderr and "old (incompatible)" in result.stderr
    assert "Traceback" not in result.stderr


def test_block_list_applies_before_import(fake_dists):
    result = run_cli(
        ["plugins", "--json"], fake_dists,
        PASSPORT_HUB_LOAD_PLUGINS="good,broken,old,typo",
        PASSPORT_HUB_DISABLE_PLUGINS="broken,old,typo",
        PASSPORT_HUB_STRICT_PLUGINS="1",
    )
    assert result.returncode == 0, result.stderr
    plugins = {p["name"]: p for p in json.loads(result.stdout)}
    assert plugins["broken"]["status"] == "blocked"
    assert plugins["good"]["status"] == "loaded"


def test_empty_allow_list_loads_nothing(fake_dists):
    result = run_cli(["plugins", "--json"], fake_dists, PASSPORT_HUB_LOAD_PLUGINS="")
    assert result.returncode == 0
    assert {p["status"] for p in json.loads(result.stdout)} == {"blocked"}


def test_a_misspelt_allow_list_entry_is_named_in_a_warning(fake_dists):
    """A user's report: every plugin was blocked, exit 0, and nothing said why."""
    result = run_cli(["plugins", "--json"], fake_dists, PASSPORT_HUB_LOAD_PLUGINS="god")
    assert result.returncode == 0, result.stderr
    assert {p["status"] for p in json.loads(result.stdout)} == {"blocked"}
    assert "PASSPORT_HUB_LOAD_PLUGINS names god, which is no installed plugin; ignored (did you mean good? " \
           "installed plugins: " in result.stderr


def test_list_entries_that_match_no_installed_plugin_are_named_once(caplog, monkeypatch, tmp_path):
    from toy_plugins import toy_plugin

    import passport_hub.config

    monkeypatch.setattr(passport_hub.config, "_unknown_warned", set())
    settings = Settings(load_plugins=["toy", "red_cros", "red_cross"],
                        disable_plugins=["etranscrpt", "passport-hub-red-cross", "apprenticeship", "xyzzy"])
    with caplog.at_level("WARNING", logger="passport_hub.plugins"):
        registry = load_plugins(settings, extra=[("toy", toy_plugin)])
        load_plugins(settings, extra=[("toy", toy_plugin)])  # named once per process
    warnings = [r.getMessage() for r in caplog.records]
    assert [w.split(", which")[0] for w in warnings] == [
        "PASSPORT_HUB_LOAD_PLUGINS names red_cros", "PASSPORT_HUB_DISABLE_PLUGINS names etranscrpt",
        "PASSPORT_HUB_DISABLE_PLUGINS names passport-hub-red-cross", "PASSPORT_HUB_DISABLE_PLUGINS names xyzzy"]
    assert "ignored (did you mean red_cross? installed plugins: " in warnings[0]
    assert "(did you mean etranscript? " in warnings[1]
    assert "(did you mean red_cross, the plugin distribution passport-hub-red-cross installs? " in warnings[2]
    assert "did you mean" not in warnings[3]
    assert {p.name for p in registry.plugins if p.status == "loaded"} == {"toy", "red_cross"}
    # from the config file: the file's key is named, in the warning and in the blocked rows
    caplog.clear()
    config = tmp_path / "hub.toml"
    config.write_text('[hub]\nload_plugins = ["red_cros"]\n')
    with caplog.at_level("WARNING", logger="passport_hub.plugins"):
        registry = load_plugins(Settings.from_env({"PASSPORT_HUB_CONFIG": str(config)}))
    [warning] = [r.getMessage() for r in caplog.records]
    assert warning.startswith(f"[hub] load_plugins in {config} names red_cros, which is no installed plugin")
    assert {p.error for p in registry.plugins} == {f"not in [hub] load_plugins in {config}"}


def test_allow_list_loads_only_named(fake_dists):
    result = run_cli(["plugins", "--json"], fake_dists, PASSPORT_HUB_LOAD_PLUGINS="good")
    statuses = {p["name"]: p["status"] for p in json.loads(result.stdout)}
    assert statuses["good"] == "loaded"
    assert all(status == "blocked" for name, status in statuses.items() if name != "good")


def test_required_plugins_with_version_specifiers(fake_dists):
    ok = run_cli(["plugins"], fake_dists, PASSPORT_HUB_REQUIRED_PLUGINS="good>=1.2")
    assert ok.returncode == 0, ok.stderr
    too_old = run_cli(["plugins"], fake_dists, PASSPORT_HUB_REQUIRED_PLUGINS="good>=2")
    assert too_old.returncode == 1
    assert "error (config): missing required plugins: good>=2 (found 1.2.3)" in too_old.stderr
    absent = run_cli(["plugins"], fake_dists, PASSPORT_HUB_REQUIRED_PLUGINS="nosuch")
    assert "nosuch (not loaded)" in absent.stderr


def test_duplicate_source_name_marks_the_second_plugin_failed():
    from toy_plugins import module, toy_plugin

    duplicate = module("dup", passport_hub_register_sources=toy_plugin.passport_hub_register_sources)
    registry = load_plugins(Settings(load_plugins=["toy", "dup"]), extra=[("toy", toy_plugin), ("dup", duplicate)])
    status = {p.name: (p.status, p.error) for p in registry.plugins if p.name in ("toy", "dup")}
    assert status["toy"] == ("loaded", None)
    assert status["dup"][0] == "failed"
    assert "already registered by plugin 'toy'" in status["dup"][1]
    assert registry.source_plugins["toy"] == "toy"


def test_strict_mode_in_process_raises_plugin_error():
    from toy_plugins import module

    bad = module("bad", PASSPORT_HUB_API=">=3")
    with pytest.raises(PluginError, match="bad \\(incompatible\\)"):
        load_plugins(Settings(load_plugins=["bad"], strict_plugins=True), extra=[("bad", bad)])


def test_trace_logs_each_hook_call_with_plugin_duration_and_outcome(caplog):
    from toy_plugins import module, toy_plugin

    def broken(register):
        raise RuntimeError("boom")

    bad = module("bad", passport_hub_register_verifiers=broken)
    with caplog.at_level("INFO", logger="passport_hub.plugins"):
        settings = Settings(load_plugins=["toy", "bad"], trace_plugins=True)
        load_plugins(settings, extra=[("toy", toy_plugin), ("bad", bad)])
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("hook ")]
    assert any(line.startswith("hook passport_hub_register_sources plugin=toy duration_ms=") and
               line.endswith("outcome=ok") for line in lines), lines
    assert any("plugin=bad" in line and line.endswith("outcome=raised RuntimeError") for line in lines), lines


def test_a_misspelt_plugin_setting_is_named_in_a_warning_not_silently_ignored(caplog, monkeypatch):
    import passport_hub.config

    monkeypatch.setattr(passport_hub.config, "_unknown_warned", set())  # warned once per process: start afresh
    settings = Settings.from_env({
        "PASSPORT_HUB_RED_CROSS_LOOKUPURL": "http://127.0.0.1:9/lookup",  # misspelt
        "PASSPORT_HUB_RED_CROSS_LOOKUP_URL": "http://127.0.0.1:8/lookup",
        # the open_badges source has no settings, its verifier does: no warning for that
        "PASSPORT_HUB_OPEN_BADGES_ISSUER_KEY_BINDING": "require",
        "PASSPORT_HUB_HOME": "/tmp/ignored", "PASSPORT_HUB_LOAD_PLUGINS": "red_cross,open_badges",
    })
    with caplog.at_level("WARNING", logger="passport_hub.config"):
        registry = load_plugins(settings)
        config = settings.component_config("red_cross", registry.sources["red_cross"].config_model)
    assert config.lookup_url == "http://127.0.0.1:8/lookup"
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith("PASSPORT_HUB_RED_CROSS_LOOKUPURL is set but 'red_cross' has no such setting")
    assert "PASSPORT_HUB_RED_CROSS_LOOKUP_URL" in warnings[0]  # the right spelling is offered
    assert "127.0.0.1:9" not in warnings[0]  # values are never logged: they may be secrets
    # a longer name owns its variables: LOOKUP_URL is red_cross's, not a "cross_lookup_url" of red
    caplog.clear()
    only_right = Settings.from_env({"PASSPORT_HUB_RED_CROSS_LOOKUP_URL": "http://127.0.0.1:8/lookup"})
    with caplog.at_level("WARNING", logger="passport_hub.config"):
        only_right.warn_unknown_settings({"red": set(), "red_cross": {"lookup_url"}})
    assert caplog.records == []


def test_a_source_used_without_the_loader_still_knows_its_distribution_version():
    from importlib.metadata import version

    from passport_hub_etranscript.source import EtranscriptSource
    from passport_hub_red_cross.verifier import RedCrossVerifier

    from passport_hub import CredentialSource

    assert EtranscriptSource.plugin_version == version("passport-hub-etranscript")
    assert RedCrossVerifier().plugin_version == version("passport-hub-red-cross")

    class Unpackaged(CredentialSource):  # defined in a test module no distribution ships
        name = "unpackaged"

    assert Unpackaged.plugin_version == "0"


def keyed_plugin():
    """The plugin ``keyed`` (it reads the toy plugin's documents), whose own config validator breaks:
    it opens the key file its config names, so one that is not there raises FileNotFoundError, not a
    config error. Its ``opened`` lists every key file the validator was given."""
    from pydantic import BaseModel, field_validator
    from toy_plugins import ToySource, module

    from passport_hub import hookimpl

    opened: list[str] = []

    class KeyFileConfig(BaseModel):
        key_file: str | None = None

        @field_validator("key_file")
        @classmethod
        def readable(cls, value: str) -> str:
            opened.append(value)
            open(value).close()  # noqa: SIM115 - raises FileNotFoundError, not a ValueError
            return value

    class KeyedSource(ToySource):
        name = "keyed"
        config_model = KeyFileConfig

    @hookimpl
    def register(register):
        register(KeyedSource)

    return module("keyed", passport_hub_register_sources=register, opened=opened)


def test_a_hub_key_the_config_file_cannot_set_is_named_in_a_warning(caplog, tmp_path):
    import inspect
    import re

    import passport_hub.config

    config = tmp_path / "hub.toml"
    config.write_text("[hub]\nmax_document_bytes = 123\nmax_document_byte = 5\nshare_verify_max_age = 3\n")
    with caplog.at_level("WARNING", logger="passport_hub.config"):
        settings = Settings.from_env({"PASSPORT_HUB_CONFIG": str(config)})
    assert settings.max_document_bytes == 123
    [warning] = [r.getMessage() for r in caplog.records]
    assert warning.startswith(f"{config}: [hub] has no setting max_document_byte, share_verify_max_age; ignored")
    assert warning.endswith("a plugin's settings go under [plugins.<name>])")
    assert "(did you mean max_document_byte → max_document_bytes? it can set: " in warning
    caplog.clear()
    with caplog.at_level("WARNING", logger="passport_hub.config"):
        Settings.from_env({"PASSPORT_HUB_CONFIG": str(config)})  # each Hub() reads the settings: named once
    assert caplog.records == []
    # every name from_env reads from the file is one it does not warn about
    read = set(re.findall(r'get\("([a-z_]+)", ', inspect.getsource(Settings.from_env)))
    assert read == passport_hub.config.FILE_SETTINGS


def test_a_config_error_a_validator_raises_keeps_its_message():
    from pydantic import BaseModel, field_validator

    from passport_hub.errors import ConfigError

    class KeyConfig(BaseModel):
        key_file: str

        @field_validator("key_file")
        @classmethod
        def pem(cls, value: str) -> str:
            raise ConfigError("key_file is not a PEM private key")

    with pytest.raises(ConfigError) as raised:
        Settings(plugin_config={"keyed": {"key_file": "key.der"}}).component_config("keyed", KeyConfig)
    assert raised.value.user_message == "invalid config for 'keyed': key_file is not a PEM private key"


def test_a_config_validator_that_breaks_is_reported_in_its_plugins_row(monkeypatch):
    """A plugin's own validator that raises something other than a config error (here: it opens
    a file that is not there) marks that plugin's row; loading and the other plugins go on."""
    from toy_plugins import toy_plugin

    keyed = keyed_plugin()
    settings = Settings(load_plugins=["keyed", "toy"], plugin_config={"keyed": {"key_file": "/nonexistent/key.pem"}})
    registry = load_plugins(settings, extra=[("keyed", keyed), ("toy", toy_plugin)])
    rows = {p.name: p for p in registry.plugins}
    assert rows["keyed"].error == "config: checking the config of 'keyed' failed (FileNotFoundError)"
    assert rows["toy"].error is None and set(registry.sources) == {"keyed", "toy"}
    # strict mode (CI) counts a plugin that cannot run with its config as a failure
    with pytest.raises(PluginError, match=r"strict plugin mode: 1 plugin\(s\) did not load: keyed \(loaded\): config:"):
        load_plugins(Settings(load_plugins=["keyed", "toy"], plugin_config=settings.plugin_config, strict_plugins=True),
                     extra=[("keyed", keyed), ("toy", toy_plugin)])


def test_listing_the_plugins_loads_no_http_stack(tmp_path):
    """`passport-hub plugins` (startup.py's figure) makes no request, so the issuer client's stack
    (aiohttp, behind passport_hub.http) stays unloaded; the unknown-variable check needed its
    settings' names and loaded it (+0.3 s)."""
    import subprocess
    import sys

    code = ("import sys\nfrom passport_hub.cli import main\ntry:\n    main(['plugins'])\nexcept SystemExit:\n    pass\n"
            "print([m for m in ('aiohttp', 'passport_hub.http') if m in sys.modules], file=sys.stderr)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PASSPORT_HUB_")} | {
        "PASSPORT_HUB_HOME": str(tmp_path), "PASSPORT_HUB_DATABASE_UR": "typo: named, without the HTTP stack"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.stderr.splitlines()[-1] == "[]", done.stderr
    assert "PASSPORT_HUB_DATABASE_UR is set but passport-hub has no such setting" in done.stderr
