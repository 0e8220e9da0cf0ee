"""Hub settings: environment variables first, then an optional TOML config file.

Every setting has an environment variable ``PASSPORT_HUB_<NAME>``; the file named by
``PASSPORT_HUB_CONFIG`` (TOML) may set the core ones (:data:`FILE_SETTINGS`) under ``[hub]``
and each plugin component's config under ``[plugins.<component name>]``.

A name nothing reads is named in a warning (never with its value), not silently ignored: a
section or top-level key of the file other than ``[hub]`` and ``[plugins]`` (here, on reading
it), and, once the plugins are loaded (:meth:`Settings.warn_unknown_settings`), a
``[plugins.<name>]`` section or a ``PASSPORT_HUB_*`` variable that is neither a core variable
(:func:`core_variables`) nor a setting of a loaded component.
"""

from __future__ import annotations

import difflib
import logging
import math
import os
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import ConfigError, PassportHubError

log = logging.getLogger("passport_hub.config")

DEFAULT_HOME = Path(os.path.expanduser("~")) / ".passport-hub"
DEFAULT_MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
PREFIX = "PASSPORT_HUB_"
CONFIG_VARIABLE = "PASSPORT_HUB_CONFIG"
#: the config file's top-level tables
CONFIG_SECTIONS = frozenset({"hub", "plugins"})

#: what ``[hub]`` in the config file can set (each also ``PASSPORT_HUB_<NAME>``, which wins)
FILE_SETTINGS = frozenset({
    "home", "database_url", "load_plugins", "disable_plugins", "required_plugins", "strict_plugins", "trace_plugins",
    "max_document_bytes", "admin_api_key", "allow_private_hosts", "signing_key_file", "signing_issuer",
})

#: environment-only settings, checked at startup so that a bad value is a config error there
SHARE_VERIFY_MAX_AGE_VARIABLE = "PASSPORT_HUB_SHARE_VERIFY_MAX_AGE"
PDF_TIME_LIMIT_VARIABLE = "PASSPORT_HUB_PDF_TIME_LIMIT"
PDF_IN_PROCESS_VARIABLE = "PASSPORT_HUB_PDF_IN_PROCESS"
DEBUG_VARIABLE = "PASSPORT_HUB_DEBUG"
DEFAULT_SHARE_VERIFY_MAX_AGE = 60.0
DEFAULT_PDF_TIME_LIMIT = 30.0

#: every other core ``PASSPORT_HUB_*`` variable (not a ``[hub]`` setting), with what reads it
OTHER_VARIABLES = {
    CONFIG_VARIABLE: "passport_hub.config: the TOML config file",
    SHARE_VERIFY_MAX_AGE_VARIABLE: "passport_hub.service (Settings.share_verify_max_age)",
    PDF_TIME_LIMIT_VARIABLE: "passport_hub.pdftext",
    PDF_IN_PROCESS_VARIABLE: "passport_hub.pdftext",
    DEBUG_VARIABLE: "passport_hub.cli, passport_hub.pipeline",
    "PASSPORT_HUB_TEST_DATABASE_URL": "passport_hub.testing.pytest_plugin (make test, .ci/run)",
}
#: the issuer client's settings: this prefix + a field of ``passport_hub.http.HttpSettings``
HTTP_PREFIX = "PASSPORT_HUB_HTTP_"


def variable(name: str) -> str:
    """The environment variable of the core setting ``name``."""
    return PREFIX + name.upper()


def core_variables(*, http: bool = True) -> frozenset[str]:
    """Every ``PASSPORT_HUB_*`` variable the core reads (a plugin's are ``PASSPORT_HUB_<NAME>_<FIELD>``).
    ``http=False``: without the issuer client's, whose names come from a module that loads the
    HTTP stack (aiohttp), too slow to import for a command that makes no request."""
    names = {variable(name) for name in FILE_SETTINGS} | set(OTHER_VARIABLES)
    if http:
        from .http import HttpSettings

        names |= {HTTP_PREFIX + name.upper() for name in HttpSettings.model_fields}
    return frozenset(names)


def pdf_time_limit(env: Mapping[str, str] | None = None) -> float:
    """Seconds a PDF's text extraction may take (``PASSPORT_HUB_PDF_TIME_LIMIT``; 0: no limit, in process)."""
    env = os.environ if env is None else env
    value = parse_seconds(env.get(PDF_TIME_LIMIT_VARIABLE), PDF_TIME_LIMIT_VARIABLE)
    return DEFAULT_PDF_TIME_LIMIT if value is None else value


def flag_variable(name: str, env: Mapping[str, str] | None = None) -> bool:
    """An environment-only flag (``PASSPORT_HUB_DEBUG``, ``PASSPORT_HUB_PDF_IN_PROCESS``)."""
    return bool(parse_flag((os.environ if env is None else env).get(name), name))


def debugging() -> bool:
    """``PASSPORT_HUB_DEBUG`` is on: show tracebacks. Never raises (it is asked while reporting an
    error; a bad value is reported by :meth:`Settings.from_env`)."""
    try:
        return flag_variable(DEBUG_VARIABLE)
    except ConfigError:
        return False


def _warn_core_typos(env: Mapping[str, str]) -> None:
    """A variable one letter or so from a core variable's name is named in a warning by every
    command (those that load plugins name every unknown variable, :meth:`Settings.warn_unknown_settings`).
    The issuer client's variables are left to that later check: knowing them imports httpx."""
    core = core_variables(http=False)
    for key in env:
        if key.upper().startswith(PREFIX) and key not in core and not key.startswith(HTTP_PREFIX):
            by_key = {name[len(PREFIX):]: name for name in core}
            if close := difflib.get_close_matches(key[len(PREFIX):].upper(), list(by_key), n=1, cutoff=0.85):
                warn_once(log, key, "%s is set but passport-hub has no such setting; ignored (did you mean %s? the "
                          "hub's variables are listed in README's Configuration section)", key, by_key[close[0]])


def did_you_mean(word: str, candidates: Iterable[str], *, strip: str = "") -> str | None:
    """The candidate closest to ``word`` if one is close (compared without the common ``strip`` prefix)."""
    def key(text: str) -> str:
        text = text.lower()
        return text[len(strip):] if text.startswith(strip.lower()) else text

    by_key = {key(c): c for c in candidates}
    match = difflib.get_close_matches(key(word), list(by_key), n=1, cutoff=0.7)
    return by_key[match[0]] if match else None


def _split(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def parse_flag(value: Any, where: str) -> bool | None:
    """A boolean setting: TOML true/false, or 1/0, true/false, yes/no, on/off (any case);
    empty or None: not set. ``where`` names the variable or file key in the error."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if not word:
            return None
        if word in _TRUE or word in _FALSE:
            return word in _TRUE
    raise ConfigError(f"{where} must be true or false (1/0, true/false, yes/no or on/off)")


def parse_positive_int(value: Any, where: str, unit: str) -> int | None:
    """A whole number above 0 (TOML integer, or digits); empty or None: not set."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"\+?[0-9]+", value.strip()):
        number = int(value.strip())
    else:
        number = 0
    if number <= 0:
        raise ConfigError(f"{where} must be a positive whole number of {unit}")
    return number


def parse_seconds(value: Any, where: str) -> float | None:
    """A finite number of seconds, 0 or more; empty or None: not set."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else math.nan
    except ValueError:
        number = math.nan
    if not (math.isfinite(number) and number >= 0):
        raise ConfigError(f"{where} must be a number of seconds (0 or more)")
    return number


def _text(value: Any, where: str) -> str | None:
    if value is None or isinstance(value, str):
        return value or None
    raise ConfigError(f"{where} must be a string")


def _path(value: Any, where: str) -> Path | None:
    text = _text(value, where)
    return Path(text).expanduser() if text else None


def _names(value: Any, where: str) -> list[str] | None:
    if value is None or isinstance(value, str):
        return _split(value)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [item.strip() for item in value if item.strip()]
    raise ConfigError(f"{where} must be a list of plugin names (or one comma-separated string)")


def _bytes(value: Any, where: str) -> int | None:
    return parse_positive_int(value, where, "bytes")


def _read_config_file(path: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """``[hub]`` and ``[plugins.<name>]`` of the TOML file; warns about anything else in it."""
    try:
        data = tomllib.loads(Path(path).read_text())
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from None
    hub = data.get("hub", {})
    if not isinstance(hub, dict):
        raise ConfigError(f"{path}: hub must be a section: put the hub's settings under [hub]")
    plugins = data.get("plugins", {})
    if not isinstance(plugins, dict):
        raise ConfigError(f"{path}: plugins must be a section: put a plugin's settings under [plugins.<name>]")
    for name, section in plugins.items():
        if not isinstance(section, dict):
            raise ConfigError(f"{path}: plugins.{name} must be a section: put {name!r}'s settings under "
                              f"[plugins.{name}]")
    known = "the file's sections are [hub], for the hub's settings, and [plugins.<name>], for a plugin's"
    for key in sorted(set(data) - CONFIG_SECTIONS):  # a misspelt section is otherwise silently ignored
        if isinstance(data[key], dict):
            close = did_you_mean(key, CONFIG_SECTIONS)
            hint = f"did you mean [{close}]? " if close else ""
            warn_once(log, f"{path}: [{key}]", "%s: the config file has no section [%s]; ignored (%s%s)",
                      path, key, hint, known)
        else:
            if key in FILE_SETTINGS:
                hint = "it goes under [hub]; "
            else:
                close = did_you_mean(key, FILE_SETTINGS)
                hint = f"did you mean {close}, under [hub]? " if close else ""
            warn_once(log, f"{path}: {key}", "%s: %s is not in a section; ignored (%s%s)", path, key, hint, known)
    if unknown := sorted(set(hub) - FILE_SETTINGS):  # a misspelt key is otherwise silently ignored
        close = [f"{key} → {match}" for key in unknown if (match := did_you_mean(key, FILE_SETTINGS))]
        hint = f"did you mean {', '.join(close)}? " if close else ""
        warn_once(log, f"{path}: [hub] {unknown}",
                  "%s: [hub] has no setting %s; ignored (%sit can set: %s; the others are environment "
                  "variables only; a plugin's settings go under [plugins.<name>])",
                  path, ", ".join(unknown), hint, ", ".join(sorted(FILE_SETTINGS)))
    return hub, {name: dict(section) for name, section in plugins.items()}


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
    #: seconds a share view may show a verification before checking again
    share_verify_max_age: float = DEFAULT_SHARE_VERIFY_MAX_AGE

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'hub.db'}"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Settings from ``environ`` (default: the process environment) and the TOML file it names.

        :raises ConfigError: the file cannot be read, or a value is not of its setting's kind (naming
            the variable, or the file's ``[hub]`` key, it came from; never the value).
        """
        env = dict(os.environ if environ is None else environ)
        config_path = env.get(CONFIG_VARIABLE) or None
        file_values, plugin_config = _read_config_file(config_path) if config_path else ({}, {})
        origins: dict[str, str] = {}

        def get(name: str, parse: Callable[[Any, str], Any]) -> Any:
            key = variable(name)
            if key in env:
                where, value = key, env[key]
            elif name in file_values:
                where, value = f"[hub] {name} in {config_path}", file_values[name]
            else:
                return None
            origins[name] = where
            return parse(value, where)

        settings = cls(plugin_config=plugin_config)
        if (home := get("home", _path)) is not None:
            settings.home = home
        settings.database_url = get("database_url", _text)
        settings.load_plugins = get("load_plugins", _names)
        settings.disable_plugins = get("disable_plugins", _names) or []
        settings.required_plugins = get("required_plugins", _names) or []
        settings.strict_plugins = bool(get("strict_plugins", parse_flag))
        settings.trace_plugins = bool(get("trace_plugins", parse_flag))
        if (size := get("max_document_bytes", _bytes)) is not None:
            settings.max_document_bytes = size
        settings.admin_api_key = get("admin_api_key", _text)
        settings.allow_private_hosts = bool(get("allow_private_hosts", parse_flag))
        settings.signing_key_file = get("signing_key_file", _path)
        settings.signing_issuer = get("signing_issuer", _text)
        max_age = parse_seconds(env.get(SHARE_VERIFY_MAX_AGE_VARIABLE), SHARE_VERIFY_MAX_AGE_VARIABLE)
        if max_age is not None:
            settings.share_verify_max_age = max_age
        # read where they are used (pdftext, any process that reads a PDF; the error handler), by the
        # same parsers: a bad value fails here, at startup, not at the first PDF
        pdf_time_limit(env)
        flag_variable(PDF_IN_PROCESS_VARIABLE, env)
        flag_variable(DEBUG_VARIABLE, env)
        _warn_core_typos(env)
        settings._environ = env
        settings._config_path = config_path
        settings._origins = origins
        return settings

    def origin(self, name: str) -> str:
        """Where the core setting ``name`` came from: its variable, or the config file's ``[hub]`` key."""
        return getattr(self, "_origins", {}).get(name) or variable(name)

    def warn_unknown_settings(self, settings_of: dict[str, set[str]], not_loaded: Iterable[str] = ()) -> None:
        """Name, in a warning (never with its value), each setting nothing reads, once per process:

        - a ``PASSPORT_HUB_<NAME>_<FIELD>`` variable for which no loaded component called ``<NAME>``
          has a setting ``<FIELD>`` (a variable belongs to the longest component name it starts with);
        - any other ``PASSPORT_HUB_*`` variable that is no core variable (:func:`core_variables`);
        - a ``[plugins.<name>]`` section of the config file naming no loaded component.

        ``settings_of``: loaded component name → its settings' names, merged over the source and the
        verifier of that name. ``not_loaded``: installed plugins that did not load (blocked, failed):
        their components are unknown, so their variables and sections are let be."""
        env = getattr(self, "_environ", os.environ)
        core = core_variables(http=any(key.startswith(HTTP_PREFIX) for key in env))
        skipped = tuple(variable(name) + "_" for name in not_loaded)
        prefixes = sorted(((variable(name) + "_", name) for name in settings_of), reverse=True)
        component_variables = {prefix + f.upper() for prefix, name in prefixes for f in settings_of[name]}
        loaded = ", ".join(sorted(settings_of)) or "none"
        # a plugin that did not load was not imported, so the names of its sources and verifiers
        # (which name its settings) are unknown: any setting may be one of theirs
        unless = (f"; unless it belongs to a plugin that did not load: {', '.join(sorted(not_loaded))}"
                  if not_loaded else "")
        for key in env:
            if not key.upper().startswith(PREFIX) or key in core or key in _unknown_warned:
                continue
            owner = next(((prefix, name) for prefix, name in prefixes if key.startswith(prefix)), None)
            if owner is None:
                if key.startswith(skipped):
                    continue
                _unknown_warned.add(key)
                close = did_you_mean(key, core | component_variables, strip=PREFIX)
                hint = f"did you mean {close}? " if close else ""
                log.warning("%s is set but passport-hub has no such setting; ignored (%sthe hub's variables are "
                            "listed in README's Configuration section; a plugin's are PASSPORT_HUB_<NAME>_<FIELD>, "
                            "loaded: %s%s)", key, hint, loaded, unless)
                continue
            prefix, name = owner
            fields = settings_of[name]
            if key[len(prefix):].lower() not in fields:
                _unknown_warned.add(key)
                known = ", ".join(prefix + f.upper() for f in sorted(fields)) or "none"
                log.warning("%s is set but %r has no such setting; ignored (its settings: %s)", key, name, known)
        where = getattr(self, "_config_path", None) or "the config"
        for name in sorted(self.plugin_config):
            seen = f"{where}: [plugins.{name}]"
            if name in settings_of or name in not_loaded or seen in _unknown_warned:
                continue
            _unknown_warned.add(seen)
            close = did_you_mean(name, settings_of)
            hint = f"did you mean [plugins.{close}]? " if close else ""
            log.warning("%s: [plugins.%s] names no loaded source or verifier; ignored (%sloaded: %s%s)",
                        where, name, hint, loaded, unless)

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


def warn_once(logger: logging.Logger, seen: str, message: str, *args: Any) -> None:
    """``logger.warning(message, *args)`` unless a warning about ``seen`` was logged already."""
    if seen not in _unknown_warned:
        _unknown_warned.add(seen)
        logger.warning(message, *args)


#: the variables, sections and list entries already warned about (each is named once per process)
_unknown_warned: set[str] = set()
