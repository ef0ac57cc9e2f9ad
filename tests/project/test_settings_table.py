"""The settings are declared once (shared/config/settings_table.py) and everything else follows from the rows:
the Settings object, the rate limits' default windows, README's table; no code reads an undeclared one."""

from __future__ import annotations

import ast
import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from shared.config.rate_windows import DEFAULTS, SCOPES, SETTING_OF, parse_windows
from shared.config.settings import DEFAULT_MAX_REQUEST_BYTES, Settings, SettingsError, _parse, load_settings
from shared.config.settings_table import CHOICE, DECLARED, EVERYWHERE, PLATFORM, SETTINGS, WHOLE, WINDOWS, Kind, Setting
from tests.support.server import REPO

# Where the app's own code lives (everything that runs in Azure or locally, not tests or tools).
CODE = [p for d in ("shared", "functions", "local_host") for p in sorted((REPO / d).rglob("*.py"))]
CODE.append(REPO / "function_app.py")
# Modules that read the environment by a name they do not know in advance, each for a reason.
DYNAMIC_READS = {"local_host/settings_file.py": "copies local.settings.json Values into the environment"}
# The Settings attribute type each kind of setting parses to (PATH, KEYS: never None).
FIELD_TYPES = {
    Kind.WHOLE: "int",
    Kind.FLAG: "bool",
    Kind.TEXT: "str",
    Kind.CHOICE: "str",
    Kind.KEYS: "tuple[str, ...]",
    Kind.PATH: "Path",
    Kind.WINDOWS: "Windows",
}


def test_each_setting_is_declared_once():
    names = [s.name for s in SETTINGS]
    assert len(names) == len(set(names))
    fields = [s.field for s in SETTINGS if s.field]
    assert len(fields) == len(set(fields))
    unchecked = [s.name for s in SETTINGS if s.where is EVERYWHERE and not s.field]
    assert not unchecked, "the app's own settings are parsed, and checked, at start-up: make each a Settings field"


@pytest.mark.parametrize("setting", [s for s in SETTINGS if s.default is not None], ids=lambda s: s.name)
def test_each_default_passes_its_own_checks(setting: Setting):
    if setting.where is not PLATFORM:
        _parse(setting, setting.default)
    assert setting.default == setting.default.strip()
    if setting.kind is CHOICE:
        assert setting.default in setting.choices
    if setting.kind is WHOLE:
        assert int(setting.default) >= setting.minimum


def test_the_settings_object_holds_each_declared_field_with_its_type():
    annotations = {f.name: f.type for f in dataclasses.fields(Settings)}
    declared = {s.field: s for s in SETTINGS if s.field}
    assert set(annotations) == set(declared) | {"rate_limit_windows"}, "declare the setting, or drop the field"
    for name, setting in declared.items():
        optional = (
            setting.default is None
            and setting.kind in (Kind.TEXT, Kind.CHOICE, Kind.WHOLE)
            and setting.unset != "required"
        )
        wanted = FIELD_TYPES[setting.kind] + (" | None" if optional else "")
        assert annotations[name] == wanted, f"Settings.{name} holds a {setting.kind.value}: {wanted}"
    # load_settings fills every field: a default here would be a second one, never used.
    assert all(f.default is dataclasses.MISSING for f in dataclasses.fields(Settings))


def test_defaults_of_the_loaded_settings_are_the_declared_ones(tmp_path: Path):
    env = {"PLAYFAB_TITLE_ID": "T", "PLAYFAB_SECRET_KEYS": "s" * 16, "SQLITE_PATH": str(tmp_path / "s.sqlite3")}
    settings = load_settings(env)
    for s in SETTINGS:
        if s.field and s.default is not None and s.name not in env:
            assert getattr(settings, s.field) == _parse(s, s.default), s.name
    assert settings.rate_limit_windows == DEFAULTS
    assert settings.max_request_bytes == DEFAULT_MAX_REQUEST_BYTES == 4 * 1024 * 1024


def test_the_rate_limits_default_windows_come_from_their_settings():
    assert set(SETTING_OF.values()) == {s.name for s in SETTINGS if s.kind is WINDOWS}
    for limit, name in SETTING_OF.items():
        assert parse_windows(DECLARED[name].default or "") == DEFAULTS[limit]
    assert DECLARED["RATE_LIMITS"].choices == SCOPES


def test_a_bad_value_is_named_as_its_kind_says(tmp_path: Path):
    env = {"PLAYFAB_TITLE_ID": "T", "PLAYFAB_SECRET_KEYS": "s" * 16, "SQLITE_PATH": str(tmp_path / "s")}
    bad = {"COSMOS_VERIFY_TLS": "Maybe", "SESSION_TTL_SECONDS": "0", "RATE_LIMITS": "Sometimes"}
    with pytest.raises(SettingsError) as refused:
        load_settings({**env, **bad})
    assert str(refused.value).splitlines()[1:] == [
        "  - COSMOS_VERIFY_TLS must be true or false, got 'maybe'",
        "  - SESSION_TTL_SECONDS must be at least 1, got 0",
        "  - RATE_LIMITS must be one of client, all, off, got 'sometimes'",
    ]
    assert not (tmp_path / "token-signing.key").exists(), "no key is made for settings that cannot start"


def test_readme_configuration_table_is_the_generated_one():
    done = subprocess.run(
        [sys.executable, "scripts/gen_settings_table.py", "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


# The guard: no production module reads the environment for a name the table does not declare.


def _is_os_environ(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ" and isinstance(node.value, ast.Name)


def environment_reads(tree: ast.Module) -> list[str | None]:
    """Names read through os.environ[...], os.environ.get/pop/setdefault, os.getenv and `in os.environ`;
    None for a name that is neither a literal nor a module constant holding one."""
    constants = {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name)
    }

    def name_of(node: ast.expr) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        return constants.get(node.id) if isinstance(node, ast.Name) else None

    found: list[str | None] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            func = node.func
            if (func.attr in ("get", "pop", "setdefault") and _is_os_environ(func.value)) or func.attr == "getenv":
                found.append(name_of(node.args[0]))
        elif isinstance(node, ast.Subscript) and _is_os_environ(node.value) and isinstance(node.ctx, ast.Load):
            found.append(name_of(node.slice))
        elif isinstance(node, ast.Compare) and any(_is_os_environ(c) for c in node.comparators):
            found.append(name_of(node.left))
    return found


def test_the_guard_sees_each_way_of_reading_the_environment():
    sample = ast.parse(
        "import os\n"
        "KNOWN = 'SEVEN'\n"
        "a = os.environ.get('ONE', '')\n"
        "b = os.environ['TWO']\n"
        "c = os.getenv('THREE')\n"
        "d = 'FOUR' in os.environ\n"
        "e = os.environ.pop('FIVE', None)\n"
        "f = os.environ.setdefault('SIX', '')\n"
        "g = os.environ.get(KNOWN)\n"
        "h = os.environ.get(name)\n"
        "os.environ['WRITTEN'] = 'x'\n"
        "i = other.get('NOT_THE_ENVIRONMENT')\n"
    )
    assert environment_reads(sample) == ["ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", None]


@pytest.mark.parametrize("path", CODE, ids=lambda p: p.relative_to(REPO).as_posix())
def test_production_code_reads_only_declared_settings(path: Path):
    reads = environment_reads(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    where = path.relative_to(REPO).as_posix()
    undeclared = sorted(n for n in reads if n is not None and n not in DECLARED)
    assert not undeclared, f"{where} reads {undeclared}: declare them in shared/config/settings_table.py"
    assert None not in reads or where in DYNAMIC_READS, f"{where} reads a setting by a name not known in advance"


def test_the_guard_finds_the_settings_the_local_host_reads():
    reads = environment_reads(ast.parse((REPO / "local_host" / "__main__.py").read_text(encoding="utf-8")))
    assert {"HOST", "PORT", "WORKERS", "TLS_CERT_FILE", "TLS_KEY_FILE", "LOCAL_SETTINGS_FILE"} <= set(reads)
