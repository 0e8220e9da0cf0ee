"""The docs stay true: every Python snippet of the plugin guide runs, the guide's example plugin
passes the conformance suite the guide hands out, every hook is documented, and the Python API
guide's examples run and print what it shows."""

from __future__ import annotations

import ast
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from passport_hub import hookspecs
from passport_hub.testing import SourceConformance

DOC = Path(__file__).resolve().parent.parent / "docs" / "writing-a-plugin.md"
API_DOC = DOC.parent / "python-api.md"
README = DOC.parent.parent / "README.md"
HOOKS = {name: fn for name, fn in vars(hookspecs).items() if name.startswith("passport_hub_") and callable(fn)}


def snippets(doc: Path = DOC) -> list[str]:
    return re.findall(r"```python\n(.*?)```", doc.read_text(), flags=re.S)


def run_snippets() -> dict:
    """Every Python block, top to bottom in one namespace, as the guide says they run."""
    namespace: dict = {"__name__": "docs_snippets"}
    for index, code in enumerate(snippets()):
        try:
            exec(compile(code, f"{DOC.name}:snippet{index + 1}", "exec", dont_inherit=True), namespace)
        except Exception as exc:  # pragma: no cover - the message is the point
            pytest.fail(f"snippet {index + 1} of {DOC.name} fails: {type(exc).__name__}: {exc}")
    return namespace


def test_doc_snippets_run_in_order():
    assert len(snippets()) >= 6
    run_snippets()


def definitions(blocks) -> str:
    """The imports and definitions of Python blocks, without their demo lines: what a reader copies."""
    kept = [
        node for code in blocks for node in ast.parse(code).body
        if isinstance(node, ast.Import | ast.ImportFrom | ast.ClassDef | ast.FunctionDef)
        or isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) and t.id.isupper() for t in node.targets)
    ]
    return ast.unparse(ast.Module(body=kept, type_ignores=[]))


def test_the_guides_plugin_passes_the_conformance_suite_the_guide_hands_out(tmp_path):
    # the reader's path: the guide's code in a package with its entry point and sample, installed, then pytest
    [suite] = [code for code in snippets() if "(SourceConformance):" in code]
    [entry_points] = re.findall(r"```toml\n(.*?)```", DOC.read_text(), flags=re.S)
    project = tmp_path / "forklift"
    package = project / "passport_hub_forklift"
    (package / "samples").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "plugin.py").write_text(definitions(code for code in snippets() if code is not suite))
    (package / "samples" / "card.json").write_bytes(run_snippets()["card"].data)
    (project / "pyproject.toml").write_text(
        '[project]\nname = "passport-hub-forklift"\nversion = "0.1.0"\n\n'
        '[tool.setuptools.package-data]\npassport_hub_forklift = ["samples/*"]\n\n' + entry_points
    )
    site = tmp_path / "site"
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                                "--target", str(site), str(project)], capture_output=True, text=True, timeout=600)
    assert installed.returncode == 0, installed.stderr[-3000:]
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_forklift.py").write_text("from passport_hub_forklift.plugin import ForkliftSource\n\n" + suite)

    env = {k: v for k, v in os.environ.items() if not k.startswith("PASSPORT_HUB_")}
    env.update(PYTHONPATH=str(site), PASSPORT_HUB_HOME=str(tmp_path / "home"))
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests)],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    checks = [name for name in dir(SourceConformance) if name.startswith("test_")]
    assert result.returncode == 0 and f"{len(checks)} passed" in result.stdout, result.stdout[-3000:]


@pytest.mark.parametrize("name", sorted(HOOKS))
def test_every_hook_is_documented_with_its_signature(name):
    signature = f"{name}({', '.join(inspect.signature(HOOKS[name]).parameters)})"
    assert f"### `{signature}`" in DOC.read_text(), f"docs/writing-a-plugin.md has no section for {signature}"
    doc = inspect.getdoc(HOOKS[name]) or ""
    assert "Called" in doc and ":param" in doc and "versionadded" in doc, f"{name} needs a pytest-style docstring"


def test_the_python_api_guide_runs_and_prints_what_it_shows(hub_env, capsys):
    """Every Python block, top to bottom in one namespace, as the guide says they run; each block
    prints exactly the lines its ``# → `` comments show."""
    blocks = snippets(API_DOC)
    assert len(blocks) >= 8
    namespace: dict = {"__name__": "python_api_doc"}
    for index, code in enumerate(blocks, 1):
        try:
            exec(compile(code, f"{API_DOC.name}:block{index}", "exec", dont_inherit=True), namespace)
        except Exception as exc:  # pragma: no cover - the message is the point
            pytest.fail(f"block {index} of {API_DOC.name} fails: {type(exc).__name__}: {exc}")
        printed = capsys.readouterr().out.splitlines()
        shown = re.findall(r"^# → (.*)$", code, flags=re.M)
        assert printed == shown, f"block {index} of {API_DOC.name} prints {printed}; the guide shows {shown}"


def test_the_readme_service_walkthrough_runs(tmp_path):
    """The README's curl walkthrough, as written, on a free port and an empty home."""
    import shutil
    import socket

    if not (shutil.which("curl") and shutil.which("jq")):
        pytest.skip("the walkthrough needs curl and jq")
    [block] = [b for b in re.findall(r"```sh\n(.*?)```", README.read_text(), flags=re.S) if "curl" in b]
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = str(free.getsockname()[1])
    path = f"{Path(sys.executable).parent}:{os.environ['PATH']}"  # the venv's passport-hub, as after `make install`
    env = {**os.environ, "PASSPORT_HUB_HOME": str(tmp_path), "PATH": path}
    env.pop("PASSPORT_HUB_DATABASE_URL", None)
    done = subprocess.run(["bash", "-e", "-c", block.replace("8000", port)], cwd=README.parent, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == [
        "Information Technology 360", "Algorithm Design and 4 Units Implementation", "Intermediate Algebra",
        "Elementary Algebra", "Cascading Style Sheets", "Introduction to Web Site", "Client-side Web Scripting",
        '["Information Technology 360","unverifiable"]',
        '["Algorithm Design and 4 Units Implementation","unverifiable"]']


def test_the_readme_offline_fetch_runs(tmp_path):
    """The README's fetch against a saved answer served on this machine, as written."""
    import socket

    [block] = [b for b in re.findall(r"```sh\n(.*?)```", README.read_text(), flags=re.S) if "http.server" in b]
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = str(free.getsockname()[1])
    path = f"{Path(sys.executable).parent}:{os.environ['PATH']}"
    env = {**os.environ, "PASSPORT_HUB_HOME": str(tmp_path), "PATH": path}
    env.pop("PASSPORT_HUB_DATABASE_URL", None)
    done = subprocess.run(["bash", "-e", "-c", block.replace("8765", port) + "\nkill %1\n"], cwd=README.parent,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "dry run: nothing stored" in done.stderr
    assert "1 document(s): 1 read, 0 failed; 1 item(s) read, nothing stored" in done.stderr
