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


def test_a_name_that_is_not_lower_snake_case_is_a_usage_error(hub_env, tmp_path):
    """README: exit status 2 for usage errors; `new-plugin Acme-Certs` was `error (config)`, 1."""
    result = CliRunner().invoke(main, ["new-plugin", "Acme-Certs", "--dir", str(tmp_path)])
    assert result.exit_code == 2
    assert ("Error: Invalid value for 'NAME': plugin name 'Acme-Certs': use lower_snake_case (such as acme_certs)"
            in result.stderr)
    assert "error (config)" not in result.output and list(tmp_path.iterdir()) == []


def test_a_folder_that_is_there_already_is_a_usage_error(hub_env, tmp_path):
    (tmp_path / "acme_certs").mkdir()
    result = CliRunner().invoke(main, ["new-plugin", "acme_certs", "--dir", str(tmp_path)])
    assert result.exit_code == 2 and f"{tmp_path / 'acme_certs'} already exists" in result.stderr
    assert list((tmp_path / "acme_certs").iterdir()) == []


def test_the_next_step_runs_on_the_python_the_hub_runs_on(hub_env, tmp_path):
    """A bare `pip` or `pytest` may be another Python's, and after `make demo` pytest is not installed."""
    import shlex
    import sys

    result = CliRunner().invoke(main, ["new-plugin", "acme_certs", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    python, target = shlex.quote(sys.executable), shlex.quote(str(tmp_path / "acme_certs"))
    assert result.stdout.splitlines()[:2] == [
        f"created {tmp_path / 'acme_certs'}",
        f"next: {python} -m pip install -e {target} && {python} -m pytest {target}",
    ]
    assert f"pytest comes with `make install-test` in a passport-hub checkout, or: {python} -m pip install pytest" \
        in result.stdout
    help_text = CliRunner().invoke(main, ["new-plugin", "--help"]).stdout
    assert "python -m pip install -e plugins/acme_certs && python -m pytest plugins/acme_certs" in help_text
    assert " pip install -e plugins/acme_certs && pytest" not in help_text
