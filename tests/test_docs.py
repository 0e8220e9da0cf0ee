"""The plugin docs stay true: every Python snippet runs, and every hook is documented."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from passport_hub import hookspecs

DOC = Path(__file__).resolve().parent.parent / "docs" / "writing-a-plugin.md"
HOOKS = {name: fn for name, fn in vars(hookspecs).items() if name.startswith("passport_hub_") and callable(fn)}


def snippets() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)


def test_doc_snippets_run_in_order():
    namespace: dict = {"__name__": "docs_snippets"}
    assert len(snippets()) >= 6
    for index, code in enumerate(snippets()):
        try:
            exec(compile(code, f"{DOC.name}:snippet{index + 1}", "exec", dont_inherit=True), namespace)
        except Exception as exc:  # pragma: no cover - the message is the point
            pytest.fail(f"snippet {index + 1} of {DOC.name} fails: {type(exc).__name__}: {exc}")


@pytest.mark.parametrize("name", sorted(HOOKS))
def test_every_hook_is_documented_with_its_signature(name):
    signature = f"{name}({', '.join(inspect.signature(HOOKS[name]).parameters)})"
    assert f"### `{signature}`" in DOC.read_text(), f"docs/writing-a-plugin.md has no section for {signature}"
    doc = inspect.getdoc(HOOKS[name]) or ""
    assert "Called" in doc and ":param" in doc and "versionadded" in doc, f"{name} needs a pytest-style docstring"
