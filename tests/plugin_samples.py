"""The sample documents the plugins ship (one copy in the repo, read from the installed packages)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

PACKAGES = {
    "etranscript": "passport_hub_etranscript",
    "credential_engine": "passport_hub_credential_engine",
    "military_jst": "passport_hub_military_jst",
    "red_cross": "passport_hub_red_cross",
    "apprenticeship": "passport_hub_apprenticeship",
    "open_badges": "passport_hub_open_badges",
}


def plugin_sample(plugin: str, name: str) -> Path:
    path = Path(str(resources.files(PACKAGES[plugin]) / "samples" / name))
    assert path.is_file(), f"{plugin} does not ship the sample {name}"
    return path
