"""Hub settings: environment variables first, then an optional TOML config file.

Every setting has an environment variable ``PASSPORT_HUB_<NAME>``; the file named by
``PASSPORT_HUB_CONFIG`` (TOML) may set the core ones (:data:`FILE_SETTINGS`) under ``[hub]``
and each plugin component's config under ``[plugins.<component name>]``.
"""

from __future__ import annotations

import logging
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import ConfigError, PassportHubError

log = logging.getLogger("passport_hub.config")

DEFAULT_HOME = Path(os.path.expanduser("~")) / ".passport-hub"
DEFAULT_MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


def _split(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


#: what ``[hub]`` in the config file can set (each also ``PASSPORT_HUB_<NAME>``, which wins)
FILE_SETTINGS = frozenset({
    "home", "database_url", "load_plugins", "disable_plugins", "required_plugins", "strict_plugins", "trace_plugins",
    "max_document_bytes", "admin_api_key", "allow_private_hosts", "signing_key_file", "signing_issuer",
})


@dataclass
class Settings:
    home: Path = DEFAULT_HOME
    database_url: str | None = None
    #: None = load every installed plugin; [] = load none
    load_plugins: list[str] | None = None
    disable_plugins: list[str] = field(default_factory=list)
    required_plugins: list[str] = field(default_factory=list)
    strict_plugins: bool = False
    trace_plugins: bool = False
    max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES
    admin_api_key: str | None = None
    #: let issuer URLs point at loopback / private addresses (tests, on-premises issuers)
    allow_private_hosts: bool = False
    #: PEM Ed25519 private key: when set, OB 3.0 / CLR 2.0 exports are signed (VC-JWT)
    signing_key_file: Path | None = None
    #: the issuer id the hub signs as (a DID or https URL); default: the key's did:key
    signing_issuer: str | None = None
    plugin_config: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'hub.db'}"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Settings from ``environ`` (default: the process environment) and the TOML file it names."""
        env = dict(os.environ if environ is None else environ)
        file_values: dict[str, Any] = {}
        plugin_config: dict[str, dict[str, Any]] = {}
        config_path = env.get("PASSPORT_HUB_CONFIG")
        if config_path:
            try:
                data = tomllib.loads(Path(config_path).read_text())
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise ConfigError(f"cannot read config file {config_path}: {exc}") from None
            file_values = data.get("hub", {})
            plugin_config = {k: dict(v) for k, v in data.get("plugins", {}).items()}
            if unknown := sorted(set(file_values) - FILE_SETTINGS):  # a misspelt key is otherwise silently ignored
                log.warning("%s: [hub] has no setting %s; ignored (it can set: %s; the others are environment "
                            "variables only; a plugin's settings go under [plugins.<name>])",
                            config_path, ", ".join(unknown), ", ".join(sorted(FILE_SETTINGS)))

        def get(name: str) -> Any:
            key = f"PASSPORT_HUB_{name.upper()}"
            return env[key] if key in env else file_values.get(name)

        def as_list(name: str) -> list[str] | None:
            value = get(name)
            return value if isinstance(value, list) else _split(value)

        settings = cls(plugin_config=plugin_config)
        if home := get("home"):
            settings.home = Path(home).expanduser()
        settings.database_url = get("database_url") or None
        settings.load_plugins = as_list("load_plugins")
        settings.disable_plugins = as_list("disable_plugins") or []
        settings.required_plugins = as_list("required_plugins") or []
        strict = get("strict_plugins")
        settings.strict_plugins = strict if isinstance(strict, bool) else _flag(strict)
        trace = get("trace_plugins")
        settings.trace_plugins = trace if isinstance(trace, bool) else _flag(trace)
        if (size := get("max_document_bytes")) is not None:
            try:
                settings.max_document_bytes = int(size)
            except ValueError:
                raise ConfigError("PASSPORT_HUB_MAX_DOCUMENT_BYTES must be a whole number of bytes") from None
        settings.admin_api_key = get("admin_api_key") or None
        private = get("allow_private_hosts")
        settings.allow_private_hosts = private if isinstance(private, bool) else _flag(private)
        if key_file := get("signing_key_file"):
            settings.signing_key_file = Path(key_file).expanduser()
        settings.signing_issuer = get("signing_issuer") or None
        settings._environ = env
        return settings

    def warn_unknown_plugin_settings(self, settings_of: dict[str, set[str]]) -> None:
        """Name, in a warning (never with its value), each ``PASSPORT_HUB_<NAME>_<FIELD>`` variable
        for which no loaded component called ``<NAME>`` has a setting ``<FIELD>``: a misspelt
        setting is otherwise silently ignored. ``settings_of``: component name → its settings'
        names, merged over the source and the verifier of that name. A variable belongs to the
        longest component name it starts with."""
        env = getattr(self, "_environ", os.environ)
        prefixes = sorted(((f"PASSPORT_HUB_{name.upper()}_", name) for name in settings_of), reverse=True)
        for key in env:
            owner = next(((prefix, name) for prefix, name in prefixes if key.startswith(prefix)), None)
            if owner is None or key in _unknown_warned:
                continue
            prefix, name = owner
            fields = settings_of[name]
            if key[len(prefix):].lower() not in fields:
                _unknown_warned.add(key)
                known = ", ".join(prefix + f.upper() for f in sorted(fields)) or "none"
                log.warning("%s is set but %r has no such setting; ignored (its settings: %s)", key, name, known)

    def component_config(self, name: str, model: type[BaseModel]) -> BaseModel:
        """Build a component's config model from ``[plugins.<name>]`` and
        ``PASSPORT_HUB_<NAME>_<FIELD>`` variables.

        :raises ConfigError: listing every invalid field, never echoing values; also when the
            plugin's own validator breaks (its config problem, never a traceback).
        """
        env = getattr(self, "_environ", os.environ)
        values: dict[str, Any] = dict(self.plugin_config.get(name, {}))
        prefix = f"PASSPORT_HUB_{name.upper()}_"
        for field_name in model.model_fields:
            key = prefix + field_name.upper()
            if key in env:
                values[field_name] = env[key]
        try:
            return model.model_validate(values)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or '(config)'}: {err['msg']}" for err in exc.errors()
            )
            raise ConfigError(f"invalid config for {name!r}: {problems}") from None
        except PassportHubError as exc:  # the plugin's own message says what to fix
            raise ConfigError(f"invalid config for {name!r}: {exc.user_message}",
                              internal=exc.internal_message) from None
        except Exception as exc:
            raise ConfigError(f"checking the config of {name!r} failed ({type(exc).__name__})",
                              internal=f"checking the config of {name!r}: {type(exc).__name__}: {exc}") from None


_unknown_warned: set[str] = set()
