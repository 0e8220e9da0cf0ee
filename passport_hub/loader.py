"""Finds, checks and registers plugins from the ``passport_hub`` entry-point group.

Our own loop (not ``load_setuptools_entrypoints``) so one broken plugin cannot stop
the hub: a plugin that fails to import, defines an unknown hook, declares an
incompatible contract range or raises while registering is recorded with its error
and the rest load. Allow- and block-lists apply before import.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType
from typing import Any

import pluggy

from . import hookspecs
from .config import Settings, did_you_mean, warn_once
from .contract import API_VERSION, Capability, CredentialSource, Verifier
from .errors import ConfigError, NotFoundError, PluginError

log = logging.getLogger("passport_hub.plugins")

ENTRY_POINT_GROUP = "passport_hub"
DEFAULT_API_RANGE = ">=1.0,<2"
_HOOK_NAMES = {name for name in dir(hookspecs) if name.startswith("passport_hub_")}

LOADED, FAILED, BLOCKED, INCOMPATIBLE = "loaded", "failed", "blocked", "incompatible"


@dataclass
class PluginInfo:
    """One row of ``passport-hub plugins``."""

    name: str
    distribution: str | None
    version: str | None
    status: str
    sources: list[str] = field(default_factory=list)
    verifiers: list[str] = field(default_factory=list)
    capabilities: list[str] = field(default_factory=list)
    hooks: list[str] = field(default_factory=list)
    api: str | None = None
    error: str | None = None

    def as_dict(self, registry: Registry | None = None) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items()}
        if registry is not None:
            data["config_schema"] = {
                name: registry.sources[name].config_model.model_json_schema() for name in self.sources
            } | {
                name: registry.verifiers[name].config_model.model_json_schema()
                for name in self.verifiers
                if name not in self.sources
            }
        return data


@dataclass
class Registry:
    """The loaded plugins and the sources and verifiers they registered."""

    plugins: list[PluginInfo] = field(default_factory=list)
    sources: dict[str, type[CredentialSource]] = field(default_factory=dict)
    verifiers: dict[str, type[Verifier]] = field(default_factory=dict)
    #: component name → plugin name, per kind of component
    source_plugins: dict[str, str] = field(default_factory=dict)
    verifier_plugins: dict[str, str] = field(default_factory=dict)
    pm: pluggy.PluginManager | None = None

    def problems(self) -> list[PluginInfo]:
        return [p for p in self.plugins if p.status in (FAILED, INCOMPATIBLE)]

    def source(self, name: str) -> type[CredentialSource]:
        try:
            return self.sources[name]
        except KeyError:
            known = ", ".join(sorted(self.sources)) or "none"
            raise NotFoundError(f"no source named {name!r} (loaded sources: {known})") from None

    def fetching_source(self, name: str) -> type[CredentialSource]:
        """The source ``name`` if it can fetch from its issuer: unknown is ``NotFoundError``, a source
        that reads files only is ``ConfigError`` naming those that fetch."""
        cls = self.source(name)
        if Capability.FETCH not in cls.capabilities():
            fetchers = ", ".join(n for n, c in self.sources.items() if Capability.FETCH in c.capabilities())
            raise ConfigError(
                f"source {name!r} reads files only and cannot fetch (sources that fetch: {fetchers or 'none'})"
            )
        return cls


def _api_range(module: ModuleType) -> str:
    return str(getattr(module, "PASSPORT_HUB_API", DEFAULT_API_RANGE))


def _api_compatible(spec: str) -> bool:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        return SpecifierSet(spec).contains(API_VERSION, prereleases=True)
    except InvalidSpecifier:
        return False


def _unknown_hooks(module: ModuleType) -> list[str]:
    return sorted(
        name
        for name in dir(module)
        if name.startswith("passport_hub_") and callable(getattr(module, name)) and name not in _HOOK_NAMES
    )


def _canonical(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


class Loader:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.registry = Registry()
        self.pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self.registry.pm = self.pm

    def _blocked(self, name: str) -> str | None:
        allow = self.settings.load_plugins
        if allow is not None and name not in allow:
            return f"not in {self.settings.origin('load_plugins')}"
        if name in self.settings.disable_plugins:
            return f"listed in {self.settings.origin('disable_plugins')}"
        return None

    def _warn_unmatched_lists(self) -> None:
        """Name, in a warning, each allow- or block-list entry that is no installed plugin: a misspelt
        allow-list otherwise blocks every plugin without a hint, a misspelt block-list blocks nothing."""
        installed = {p.name: p for p in self.registry.plugins}
        names = ", ".join(sorted(installed)) or "none"
        for setting in ("load_plugins", "disable_plugins"):
            where = self.settings.origin(setting)
            for entry in getattr(self.settings, setting) or []:
                if entry in installed:
                    continue
                by_dist = next((p.name for p in installed.values() if p.distribution
                                and _canonical(p.distribution) == _canonical(entry)), None)
                if by_dist:
                    hint = f"did you mean {by_dist}, the plugin distribution {entry} installs? "
                elif close := did_you_mean(entry, installed):
                    hint = f"did you mean {close}? "
                else:
                    hint = ""
                warn_once(log, f"{where}: {entry}", "%s names %s, which is no installed plugin; ignored "
                          "(%sinstalled plugins: %s)", where, entry, hint, names)

    def load_entry_points(self, eps: Iterable[EntryPoint] | None = None) -> None:
        seen: set[str] = set()
        for ep in eps if eps is not None else entry_points(group=ENTRY_POINT_GROUP):
            if ep.name in seen:
                continue  # the same distribution visible twice on sys.path
            seen.add(ep.name)
            dist = getattr(ep, "dist", None)
            info = PluginInfo(
                name=ep.name,
                distribution=dist.name if dist else None,
                version=dist.version if dist else None,
                status=LOADED,
            )
            self.registry.plugins.append(info)
            if reason := self._blocked(ep.name):
                info.status, info.error = BLOCKED, reason
                continue
            try:
                module = ep.load()
            except BaseException as exc:  # a plugin's import must never take the hub down
                if isinstance(exc, KeyboardInterrupt):
                    raise
                info.status, info.error = FAILED, f"import failed: {_first_line(exc)}"
                continue
            self.register_module(module, info)

    def register_module(self, module: ModuleType, info: PluginInfo) -> PluginInfo:
        """Check and register one plugin module (also used for in-process plugins in tests)."""
        if info not in self.registry.plugins:
            self.registry.plugins.append(info)
        info.api = _api_range(module)
        if not _api_compatible(info.api):
            info.status = INCOMPATIBLE
            info.error = f"supports passport_hub API {info.api}; this hub implements {API_VERSION}"
            return info
        if unknown := _unknown_hooks(module):
            info.status, info.error = FAILED, f"unknown hook(s): {', '.join(unknown)}"
            return info
        try:
            self.pm.register(module, name=info.name)
        except (pluggy.PluginValidationError, ValueError) as exc:
            info.status, info.error = FAILED, f"invalid plugin: {_first_line(exc)}"
            return info
        info.hooks = sorted(
            hook.name for hook in self.pm.get_hookcallers(module) or [] if hook.name in _HOOK_NAMES
        )
        reg = self.registry
        tables = [
            ("passport_hub_register_sources", CredentialSource, reg.sources, reg.source_plugins, info.sources),
            ("passport_hub_register_verifiers", Verifier, reg.verifiers, reg.verifier_plugins, info.verifiers),
        ]
        try:
            for hook_name, base, table, owners, names in tables:
                self._call(module, info, hook_name, base, table, owners, names)
        except Exception as exc:
            for _hook, _base, table, owners, names in tables:
                for name in names:
                    table.pop(name, None)
                    owners.pop(name, None)
            info.sources.clear()
            info.verifiers.clear()
            self.pm.unregister(module)
            info.status = FAILED
            info.error = exc.user_message if isinstance(exc, PluginError) else f"register failed: {_first_line(exc)}"
            return info
        caps: set[str] = set()
        for name in info.sources:
            caps.update(c.value for c in self.registry.sources[name].capabilities())
        if info.verifiers:
            caps.add(Capability.VERIFY.value)
        info.capabilities = sorted(caps)
        info.status = LOADED
        return info

    def _call(self, module, info, hook_name, base, table, owners, names) -> None:
        function = getattr(module, hook_name, None)
        if function is None:
            return

        def register(cls: type) -> None:
            if not (isinstance(cls, type) and issubclass(cls, base)):
                raise PluginError(f"{hook_name} registered {cls!r}, which is not a {base.__name__} subclass")
            name = getattr(cls, "name", None)
            if not isinstance(name, str) or not name.isidentifier():
                raise PluginError(f"{cls.__name__} needs a `name` that is a lower_snake identifier")
            owner = owners.get(name)
            if owner is not None:
                raise PluginError(f"{base.__name__.lower()} name {name!r} is already registered by plugin {owner!r}")
            cls.plugin_version = info.version or cls.plugin_version
            cls.plugin_name = info.name
            table[name] = cls
            owners[name] = info.name
            names.append(name)

        started = time.perf_counter()
        outcome = "ok"
        try:
            function(register=register)
        except Exception as exc:
            outcome = f"raised {type(exc).__name__}"
            raise
        finally:
            if self.settings.trace_plugins:
                log.warning(
                    "hook %s plugin=%s duration_ms=%.2f outcome=%s",
                    hook_name, info.name, (time.perf_counter() - started) * 1000, outcome,
                )

    def finish(self) -> Registry:
        self._check_required()
        settings_of: dict[str, set[str]] = {}
        for table in (self.registry.sources, self.registry.verifiers):
            for name, cls in table.items():
                settings_of.setdefault(name, set()).update(cls.config_model.model_fields)
        self._warn_unmatched_lists()
        not_loaded = {p.name for p in self.registry.plugins if p.status != LOADED}
        self.settings.warn_unknown_settings(settings_of, not_loaded)
        # a loaded plugin with a bad config fails every document and stops `serve`: say so in its row
        by_name = {p.name: p for p in self.registry.plugins}
        misconfigured = component_config_errors(self.registry, self.settings)
        for plugin, messages in misconfigured.items():
            by_name[plugin].error = "config: " + "; ".join(messages)
        bad = self.registry.problems() + [by_name[plugin] for plugin in misconfigured]
        if self.settings.strict_plugins and bad:
            lines = "; ".join(f"{p.name} ({p.status}): {p.error}" for p in bad)
            raise PluginError(f"strict plugin mode: {len(bad)} plugin(s) did not load: {lines}")
        # otherwise the rest work, but a user importing that plugin's documents would only see them
        # unrecognized (and verify run fewer checks) without knowing why
        for p in self.registry.problems():
            warn_once(log, f"plugin: {p.name}", "plugin %r did not load (%s): the documents it reads are "
                      "unrecognized and its checks are not run ('passport-hub plugins' lists every plugin; "
                      "PASSPORT_HUB_DISABLE_PLUGINS=%s leaves it out)", p.name, p.error, p.name)
        return self.registry

    def _check_required(self) -> None:
        from packaging.requirements import InvalidRequirement, Requirement

        missing = []
        for text in self.settings.required_plugins:
            try:
                req = Requirement(text)
            except InvalidRequirement:
                raise ConfigError(f"required_plugins: {text!r} is not a valid requirement") from None
            match = next(
                (p for p in self.registry.plugins
                 if p.status == LOADED and req.name in (p.name, p.distribution)),
                None,
            )
            if match is None:
                missing.append(f"{text} (not loaded)")
            elif req.specifier and not req.specifier.contains(match.version or "0", prereleases=True):
                missing.append(f"{text} (found {match.version})")
        if missing:
            raise ConfigError("missing required plugins: " + ", ".join(missing))


def component_config_errors(registry: Registry, settings: Settings) -> dict[str, list[str]]:
    """Every enabled source's and verifier's config problem, by plugin name (messages never echo values)."""
    errors: dict[str, list[str]] = {}
    for table, owners in ((registry.sources, registry.source_plugins), (registry.verifiers, registry.verifier_plugins)):
        for name, cls in table.items():
            try:
                settings.component_config(name, cls.config_model)
            except ConfigError as exc:  # also a plugin's own validator that broke: its row says so, the rest work
                message = exc.user_message
            else:
                continue
            found = errors.setdefault(owners[name], [])
            if message not in found:  # a source and its verifier share one section
                found.append(message)
    return errors


def load_plugins(settings: Settings | None = None, *, extra: Iterable[tuple[str, ModuleType]] = ()) -> Registry:
    """Load every installed plugin (subject to allow/block lists) and return the registry.

    ``extra`` registers in-process plugin modules as if installed (for tests and embedding).

    :raises PluginError: strict mode and a plugin failed.
    :raises ConfigError: a required plugin is missing (or its requirement is not valid).
    """
    settings = settings or Settings.from_env()
    loader = Loader(settings)
    loader.load_entry_points()
    for name, module in extra:
        info = PluginInfo(name=name, distribution=None, version=None, status=LOADED)
        if reason := loader._blocked(name):
            info.status, info.error = BLOCKED, reason
            loader.registry.plugins.append(info)
            continue
        loader.register_module(module, info)
    return loader.finish()


