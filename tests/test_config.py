"""Settings: the config file's sections, each kind of value checked where it came from, unknown
``PASSPORT_HUB_*`` variables and ``[plugins.<name>]`` sections named in warnings (never their values)."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import passport_hub.config
from passport_hub.config import Settings
from passport_hub.errors import ConfigError
from passport_hub.loader import load_plugins

ROOT = Path(__file__).resolve().parent.parent
SECRET = "s3cret-value"


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch):
    monkeypatch.setattr(passport_hub.config, "_unknown_warned", set())  # warned once per process: start afresh


def warnings_of(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]


def config_file(tmp_path, text: str) -> Path:
    path = tmp_path / "hub.toml"
    path.write_text(text)
    return path


# -- the config file's sections --------------------------------------------------------------

def test_a_misspelt_section_or_a_key_outside_any_section_is_named_in_a_warning(caplog, tmp_path):
    path = config_file(tmp_path, f'database_url = "postgresql://hub:{SECRET}@db/hub"\nadmin_key = "{SECRET}"\n'
                                 f'[hubb]\nhome = "/srv/hub"\n[plugin.red_cross]\nlookup_url = "{SECRET}"\n'
                                 '[hub]\nmax_document_bytes = 123\n')
    with caplog.at_level("WARNING", logger="passport_hub.config"):
        settings = Settings.from_env({"PASSPORT_HUB_CONFIG": str(path)})
    assert settings.max_document_bytes == 123 and settings.database_url is None
    warnings = warnings_of(caplog)
    assert len(warnings) == 4, warnings
    by_name = {re.match(rf"{re.escape(str(path))}: (?:the config file has no section \[)?(\w+)", w)[1]: w
               for w in warnings}
    assert by_name["admin_key"].startswith(f"{path}: admin_key is not in a section; ignored (did you mean "
                                           "admin_api_key, under [hub]? ")
    assert by_name["database_url"].startswith(f"{path}: database_url is not in a section; ignored "
                                              "(it goes under [hub]; ")
    assert by_name["hubb"].startswith(f"{path}: the config file has no section [hubb]; ignored (did you mean [hub]?")
    assert "[plugin]; ignored (did you mean [plugins]?" in by_name["plugin"]
    assert all(w.endswith("the file's sections are [hub], for the hub's settings, and [plugins.<name>], "
                          "for a plugin's)") for w in warnings)
    assert not any(SECRET in w for w in warnings)


def test_a_file_with_only_known_sections_warns_nothing(caplog, tmp_path):
    path = config_file(tmp_path, '[hub]\nstrict_plugins = false\n[plugins.red_cross]\n')
    with caplog.at_level("WARNING", logger="passport_hub.config"):
        Settings.from_env({"PASSPORT_HUB_CONFIG": str(path)})
    assert warnings_of(caplog) == []


@pytest.mark.parametrize("text, message", [
    ("hub = 5\n", "hub must be a section: put the hub's settings under [hub]"),
    ("plugins = 5\n", "plugins must be a section: put a plugin's settings under [plugins.<name>]"),
    ("[plugins]\nred_cross = 5\n", "plugins.red_cross must be a section: put 'red_cross''s settings under "
                                   "[plugins.red_cross]"),
])
def test_a_section_that_is_not_a_table_is_a_config_error(tmp_path, text, message):
    path = config_file(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({"PASSPORT_HUB_CONFIG": str(path)})
    assert raised.value.user_message == f"{path}: {message}"


def test_a_config_file_that_is_not_text_is_a_config_error(tmp_path):
    path = tmp_path / "hub.toml"
    path.write_bytes(b"\xff\xfe[hub]\n")
    with pytest.raises(ConfigError, match=f"cannot read config file {re.escape(str(path))}"):
        Settings.from_env({"PASSPORT_HUB_CONFIG": str(path)})


# -- values: checked, and blamed on where they came from -----------------------------------------

@pytest.mark.parametrize("value", ["-5", "0", "lots", "1.5", "20MiB", "٣"])
def test_max_document_bytes_from_the_environment_must_be_a_positive_whole_number(value):
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({"PASSPORT_HUB_MAX_DOCUMENT_BYTES": value})
    assert raised.value.user_message == "PASSPORT_HUB_MAX_DOCUMENT_BYTES must be a positive whole number of bytes"


@pytest.mark.parametrize("value", ['"lots"', "-5", "0", "1.5", "true", '"12"'])
def test_max_document_bytes_from_the_file_is_blamed_on_the_files_key(tmp_path, value):
    path = config_file(tmp_path, f"[hub]\nmax_document_bytes = {value}\n")
    if value == '"12"':  # digits in a string are a number, as in the variable
        assert Settings.from_env({"PASSPORT_HUB_CONFIG": str(path)}).max_document_bytes == 12
        return
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({"PASSPORT_HUB_CONFIG": str(path)})
    assert raised.value.user_message == f"[hub] max_document_bytes in {path} must be a positive whole number of bytes"


def test_the_variable_wins_over_the_file_and_is_the_one_checked(tmp_path):
    path = config_file(tmp_path, '[hub]\nmax_document_bytes = "lots"\n')
    settings = Settings.from_env({"PASSPORT_HUB_CONFIG": str(path), "PASSPORT_HUB_MAX_DOCUMENT_BYTES": " 2048 "})
    assert settings.max_document_bytes == 2048
    assert Settings.from_env({"PASSPORT_HUB_MAX_DOCUMENT_BYTES": ""}).max_document_bytes == (
        passport_hub.config.DEFAULT_MAX_DOCUMENT_BYTES)  # empty: not set


BOOLEANS = ["strict_plugins", "trace_plugins", "allow_private_hosts"]


@pytest.mark.parametrize("name", BOOLEANS)
def test_boolean_settings_accept_the_usual_words_in_any_case(name):
    key = f"PASSPORT_HUB_{name.upper()}"
    for word in ("1", "true", "Yes", "ON", " on "):
        assert getattr(Settings.from_env({key: word}), name) is True, word
    for word in ("0", "false", "No", "OFF", ""):
        assert getattr(Settings.from_env({key: word}), name) is False, word


@pytest.mark.parametrize("name", BOOLEANS)
def test_any_other_boolean_word_is_a_config_error_naming_where_it_came_from(tmp_path, name):
    key = f"PASSPORT_HUB_{name.upper()}"
    for word in ("maybe", "2", "enabled", "tru"):
        with pytest.raises(ConfigError) as raised:
            Settings.from_env({key: word})
        assert raised.value.user_message == f"{key} must be true or false (1/0, true/false, yes/no or on/off)"
    path = config_file(tmp_path, f'[hub]\n{name} = "maybe"\n')
    with pytest.raises(ConfigError, match=re.escape(f"[hub] {name} in {path} must be true or false")):
        Settings.from_env({"PASSPORT_HUB_CONFIG": str(path)})
    assert getattr(Settings.from_env({"PASSPORT_HUB_CONFIG": str(config_file(tmp_path, f"[hub]\n{name} = true\n"))}),
                   name) is True


@pytest.mark.parametrize("text, message", [
    ("load_plugins = 5", "[hub] load_plugins in {path} must be a list of plugin names (or one comma-separated string)"),
    ("disable_plugins = [1, 2]", "[hub] disable_plugins in {path} must be a list of plugin names"),
    ("home = 5", "[hub] home in {path} must be a string"),
    ("admin_api_key = 12345", "[hub] admin_api_key in {path} must be a string"),
])
def test_a_file_value_of_the_wrong_kind_is_a_config_error_naming_its_key(tmp_path, text, message):
    path = config_file(tmp_path, f"[hub]\n{text}\n")
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({"PASSPORT_HUB_CONFIG": str(path)})
    assert raised.value.user_message.startswith(message.format(path=path))
    assert "12345" not in raised.value.user_message


def test_lists_from_the_file_or_the_environment():
    settings = Settings.from_env({"PASSPORT_HUB_LOAD_PLUGINS": " red_cross, ,etranscript "})
    assert settings.load_plugins == ["red_cross", "etranscript"]
    assert Settings.from_env({"PASSPORT_HUB_LOAD_PLUGINS": ""}).load_plugins == []  # empty: load none
    assert Settings.from_env({}).load_plugins is None


@pytest.mark.parametrize("key", ["PASSPORT_HUB_SHARE_VERIFY_MAX_AGE", "PASSPORT_HUB_PDF_TIME_LIMIT"])
def test_numbers_of_seconds_read_elsewhere_are_checked_at_startup(key):
    for value in ("abc", "-1", "nan", "inf"):
        with pytest.raises(ConfigError) as raised:
            Settings.from_env({key: value})
        assert raised.value.user_message == f"{key} must be a number of seconds (0 or more)"
    for value in ("0", "2.5", "30", ""):
        Settings.from_env({key: value})
    # where they are read, by the same parser: empty is the default, as at startup
    assert Settings.from_env({"PASSPORT_HUB_SHARE_VERIFY_MAX_AGE": ""}).share_verify_max_age == 60.0
    assert Settings.from_env({"PASSPORT_HUB_SHARE_VERIFY_MAX_AGE": "2.5"}).share_verify_max_age == 2.5
    assert passport_hub.config.pdf_time_limit({"PASSPORT_HUB_PDF_TIME_LIMIT": ""}) == 30.0
    assert passport_hub.config.pdf_time_limit({"PASSPORT_HUB_PDF_TIME_LIMIT": "5"}) == 5.0


def test_an_empty_pdf_time_limit_reads_pdfs_with_the_default(monkeypatch):
    """It passed the startup check, then every PDF failed 'unexpectedly (ValueError)'."""
    from plugin_samples import plugin_sample

    from passport_hub.pdftext import extract_pages

    monkeypatch.setenv("PASSPORT_HUB_PDF_TIME_LIMIT", "")
    pages = extract_pages(plugin_sample("military_jst", "jst_navy_unofficial.pdf").read_bytes())
    assert "Name: EXAMPLE, JORDAN R" in pages[0]
    monkeypatch.setenv("PASSPORT_HUB_PDF_IN_PROCESS", "maybe")
    with pytest.raises(ConfigError, match="PASSPORT_HUB_PDF_IN_PROCESS"):
        extract_pages(plugin_sample("military_jst", "jst_navy_unofficial.pdf").read_bytes())


def test_a_misspelt_core_variable_is_named_by_commands_that_load_no_plugins(caplog):
    with caplog.at_level("WARNING", logger="passport_hub"):
        Settings.from_env({"PASSPORT_HUB_DATABASE_URI": f"postgresql://hub:{SECRET}@db/hub",
                           "PASSPORT_HUB_RED_CROSS_LOOKUP_URL": "https://www.redcross.org/x"})  # a plugin's: later
    assert warnings_of(caplog) == ["PASSPORT_HUB_DATABASE_URI is set but passport-hub has no such setting; ignored "
                                   "(did you mean PASSPORT_HUB_DATABASE_URL? the hub's variables are listed in "
                                   "README's Configuration section)"]


def test_errors_never_echo_the_value():
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({"PASSPORT_HUB_STRICT_PLUGINS": SECRET})
    assert SECRET not in raised.value.user_message and SECRET not in raised.value.internal_message


# -- unknown variables and [plugins.<name>] sections, once the plugins are loaded ---------------

def test_a_misspelt_core_variable_is_named_with_a_suggestion(caplog):
    settings = Settings.from_env({
        "PASSPORT_HUB_DATABASE_URI": f"postgresql://hub:{SECRET}@db/hub",  # falls back to SQLite otherwise
        "PASSPORT_HUB_ADMIN_KEY": SECRET,
        "PASSPORT_HUB_REDCROSS_LOOKUP_URL": f"https://{SECRET}.example/lookup",
        "PASSPORT_HUB_HTTP_RETRY": "2",
        "PASSPORT_HUB_XYZZY": "1",
        "PASSPORT_HUB_PLUGINS": "red_cross",
        "passport_hub_home": "/tmp/lower",
        # known: core, the issuer client's, the test harness's, a loaded plugin's, a blocked plugin's
        "PASSPORT_HUB_HOME": "/tmp/ignored", "PASSPORT_HUB_HTTP_RETRIES": "2", "PASSPORT_HUB_DEBUG": "1",
        "PASSPORT_HUB_TEST_DATABASE_URL": "sqlite://", "PASSPORT_HUB_PDF_TIME_LIMIT": "5",
        "PASSPORT_HUB_RED_CROSS_LOOKUP_URL": "https://www.redcross.org/x",
        "PASSPORT_HUB_CREDENTIAL_ENGINE_API_KEY": SECRET,
        "PASSPORT_HUB_LOAD_PLUGINS": "red_cross,open_badges",
    })
    with caplog.at_level("WARNING", logger="passport_hub"):
        load_plugins(settings)
    warnings = {w.split(" ")[0]: w for w in warnings_of(caplog)}
    assert sorted(warnings) == ["PASSPORT_HUB_ADMIN_KEY", "PASSPORT_HUB_DATABASE_URI", "PASSPORT_HUB_HTTP_RETRY",
                                "PASSPORT_HUB_PLUGINS", "PASSPORT_HUB_REDCROSS_LOOKUP_URL", "PASSPORT_HUB_XYZZY",
                                "passport_hub_home"], warnings
    assert warnings["PASSPORT_HUB_DATABASE_URI"].startswith(
        "PASSPORT_HUB_DATABASE_URI is set but passport-hub has no such setting; ignored "
        "(did you mean PASSPORT_HUB_DATABASE_URL? ")
    assert "(did you mean PASSPORT_HUB_ADMIN_API_KEY? " in warnings["PASSPORT_HUB_ADMIN_KEY"]
    assert "(did you mean PASSPORT_HUB_RED_CROSS_LOOKUP_URL? " in warnings["PASSPORT_HUB_REDCROSS_LOOKUP_URL"]
    assert "(did you mean PASSPORT_HUB_HTTP_RETRIES? " in warnings["PASSPORT_HUB_HTTP_RETRY"]
    assert "(did you mean PASSPORT_HUB_LOAD_PLUGINS? " in warnings["PASSPORT_HUB_PLUGINS"]
    assert "(did you mean PASSPORT_HUB_HOME? " in warnings["passport_hub_home"]
    assert "did you mean" not in warnings["PASSPORT_HUB_XYZZY"]
    assert warnings["PASSPORT_HUB_XYZZY"].endswith(
        "loaded: open_badges, red_cross; unless it belongs to a plugin that did not load: apprenticeship, "
        "credential_engine, etranscript, military_jst)")
    assert not any(SECRET in w for w in warnings.values())
    caplog.clear()
    with caplog.at_level("WARNING", logger="passport_hub"):
        load_plugins(settings)
    assert warnings_of(caplog) == []  # once per process


def test_a_plugins_section_naming_no_loaded_component_is_named_in_a_warning(caplog, tmp_path):
    path = config_file(tmp_path, f'[plugins.red_crss]\nlookup_url = "https://{SECRET}.example/"\n'
                                 '[plugins.nosuch]\n[plugins.red_cross]\n'
                                 '[plugins.credential_engine]\n')  # blocked below: its components are unknown
    settings = Settings.from_env({"PASSPORT_HUB_CONFIG": str(path), "PASSPORT_HUB_HOME": "/tmp/ignored",
                                  "PASSPORT_HUB_LOAD_PLUGINS": "red_cross,open_badges"})
    with caplog.at_level("WARNING", logger="passport_hub"):
        load_plugins(settings)
    # the blocked plugins were not imported: their sources' names are unknown, so the warning says
    # the section may be theirs
    unless = "; unless it belongs to a plugin that did not load: apprenticeship, credential_engine, etranscript, " \
             "military_jst"
    assert warnings_of(caplog) == [
        f"{path}: [plugins.nosuch] names no loaded source or verifier; ignored (loaded: open_badges, red_cross"
        f"{unless})",
        f"{path}: [plugins.red_crss] names no loaded source or verifier; ignored (did you mean [plugins.red_cross]? "
        f"loaded: open_badges, red_cross{unless})",
    ]


def test_core_variables_are_every_one_the_code_reads():
    """Every ``PASSPORT_HUB_*`` name in the core's code, the Makefile and CI is a core variable (so
    none is warned about), and every core variable not a [hub] setting is read somewhere."""
    core = passport_hub.config.core_variables()
    sources = {path: path.read_text() for path in (ROOT / "passport_hub").rglob("*.py")}
    sources |= {ROOT / "Makefile": (ROOT / "Makefile").read_text(), ROOT / ".ci/run": (ROOT / ".ci/run").read_text()}
    named = {(name, path.relative_to(ROOT).as_posix()) for path, text in sources.items()
             for name in re.findall(r"PASSPORT_HUB_[A-Z0-9_]*[A-Z0-9]\b(?!_)", text)}
    not_variables = {"PASSPORT_HUB_API"}  # a plugin module's attribute
    assert {(name, path) for name, path in named if name not in core | not_variables} == set()
    readers = "".join(inspect.getsource(f) for f in (Settings.from_env, passport_hub.config.pdf_time_limit,
                                                     passport_hub.config.debugging))
    for name in passport_hub.config.OTHER_VARIABLES:
        # read by name, or by its constant, elsewhere; or by config's own readers
        constants = [attr for attr, value in vars(passport_hub.config).items() if value == name]
        assert (any(name in text or any(c in text for c in constants)
                    for path, text in sources.items() if path.name != "config.py")
                or any(c in readers for c in constants)), name
    assert {passport_hub.config.variable(name) for name in passport_hub.config.FILE_SETTINGS} <= core


def test_every_variable_the_readme_documents_is_one_the_hub_knows():
    readme = (ROOT / "README.md").read_text()
    registry = load_plugins(Settings(load_plugins=None))
    plugin_variables = {f"PASSPORT_HUB_{name.upper()}_{field.upper()}"
                        for table in (registry.sources, registry.verifiers)
                        for name, cls in table.items() for field in cls.config_model.model_fields}
    documented = set(re.findall(r"PASSPORT_HUB_[A-Z0-9_]*[A-Z0-9]\b(?!_)", readme)) - {"PASSPORT_HUB_API"}
    assert documented - passport_hub.config.core_variables() - plugin_variables == set()
