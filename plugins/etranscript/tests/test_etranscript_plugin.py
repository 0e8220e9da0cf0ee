"""Packaging: the entry point registers the source and the verifier, and stays light."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points

from passport_hub_etranscript.source import EtranscriptSource
from passport_hub_etranscript.verifier import EtranscriptVerifier


def test_entry_point_registers_source_and_verifier():
    (ep,) = [e for e in entry_points(group="passport_hub") if e.name == "etranscript"]
    assert ep.value == "passport_hub_etranscript.plugin"
    module = ep.load()
    assert module.PASSPORT_HUB_API == ">=1.0,<2"
    sources, verifiers = [], []
    module.passport_hub_register_sources(sources.append)
    module.passport_hub_register_verifiers(verifiers.append)
    assert sources == [EtranscriptSource] and verifiers == [EtranscriptVerifier]
    assert EtranscriptSource.name == "etranscript" and EtranscriptVerifier.name == "etranscript"


def test_plugin_module_does_not_import_lxml():
    code = "import sys, passport_hub_etranscript.plugin; print('lxml' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
