"""``passport-hub new-plugin NAME``: a complete, installable plugin that passes its own tests."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from string import Template

from .errors import ConfigError

_LAYOUT = {
    "pyproject.toml.tmpl": "pyproject.toml",
    "README.md.tmpl": "README.md",
    "plugin.py.tmpl": "passport_hub_{name}/plugin.py",
    "source.py.tmpl": "passport_hub_{name}/source.py",
    "sample.json.tmpl": "passport_hub_{name}/samples/sample_{name}.json",
    "test_conformance.py.tmpl": "tests/test_{name}_conformance.py",
    "test_parse.py.tmpl": "tests/test_{name}_parse.py",
}


def name_problem(name: str) -> str | None:
    """What is wrong with ``name`` as a new plugin's name (``None`` when nothing is): it must be
    lower_snake_case and not the name of an installed plugin or distribution."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        suggestion = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
        hint = f" (such as {suggestion})" if re.fullmatch(r"[a-z][a-z0-9_]*", suggestion) else ""
        return (f"plugin name {name!r}: use lower_snake_case{hint}: lowercase letters, digits and underscores, "
                "beginning with a letter")
    taken = _installed_plugin(name)
    if taken:
        return (f"plugin name {name!r} is taken: {taken} is installed; installing the new one would replace it. "
                "Choose another name.")
    return None


def new_plugin(name: str, directory: Path, title: str | None = None) -> Path:
    """Write a plugin distribution named ``passport-hub-<name>`` into ``directory/<name>``."""
    if problem := name_problem(name):
        raise ConfigError(problem)
    target = directory / name
    if target.exists():
        raise ConfigError(f"{target} already exists; choose another name or folder")
    values = {
        "name": name,
        "dist_name": name.replace("_", "-"),
        "class_name": "".join(part.capitalize() for part in name.split("_")),
        "title": title or f"{name.replace('_', ' ').title()} credentials",
    }
    templates = resources.files("passport_hub") / "templates" / "plugin"
    for template_name, relative in _LAYOUT.items():
        path = target / relative.format(name=name)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = Template(templates.joinpath(template_name).read_text()).substitute(values)
        path.write_text(text)
    (target / f"passport_hub_{name}" / "__init__.py").write_text(f'"""passport-hub plugin {name}."""\n')
    return target


def _installed_plugin(name: str) -> str | None:
    """The installed distribution or plugin entry point the new plugin would collide with."""
    from importlib import metadata

    dist_name = f"passport-hub-{name.replace('_', '-')}"
    try:
        return f"the distribution {dist_name} {metadata.version(dist_name)}"
    except metadata.PackageNotFoundError:
        pass
    for entry_point in metadata.entry_points(group="passport_hub"):
        if entry_point.name == name:
            owner = entry_point.dist.name if entry_point.dist else "another distribution"
            return f"the plugin {name!r} of {owner}"
    return None
