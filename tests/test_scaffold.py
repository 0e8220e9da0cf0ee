"""``passport-hub new-plugin``: the plugins it generates stay apart from each other."""

from __future__ import annotations

import importlib

from click.testing import CliRunner

from passport_hub import Document
from passport_hub.cli import main


def sample_record(name, directory, monkeypatch):
    """The record a freshly generated plugin reads from its bundled sample."""
    result = CliRunner().invoke(main, ["new-plugin", name, "--dir", str(directory)])
    assert result.exit_code == 0, result.output
    monkeypatch.syspath_prepend(str(directory / name))
    sources = []
    importlib.import_module(f"passport_hub_{name}.plugin").passport_hub_register_sources(register=sources.append)
    [source] = sources
    [path] = source.sample_documents()
    [record] = source().parse(Document(data=path.read_bytes(), name=path.name))
    return record


def test_two_generated_plugins_give_their_samples_different_ids(hub_env, tmp_path, monkeypatch):
    first = sample_record("acme_certs", tmp_path, monkeypatch)
    second = sample_record("zenith_cards", tmp_path, monkeypatch)
    # the same sample content: only the plugin tells the records apart
    assert (first.holder, first.issuer, first.achievement) == (second.holder, second.issuer, second.achievement)
    assert (first.source.plugin, second.source.plugin) == ("acme_certs", "zenith_cards")
    assert first.id != second.id
