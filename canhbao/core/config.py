"""Configuration: defaults on dataclasses, overrides in `config/<area>.yaml`, then the environment.

Each area (leak, pii, fakenews, sources, index, ...) owns one settings dataclass in its own module and
one YAML file in `config/`, so adding a detector or a source means adding a file, not editing a central
schema. `load(area, Schema)` validates on load: unknown keys, wrong types and out-of-range values raise
`ConfigError` naming the file, the dotted key and the problem.

Environment overrides use `CANHBAO_<AREA>__<KEY>[__<SUBKEY>]` (e.g. `CANHBAO_INDEX__URL=http://es:9200`).
Their values are converted by the type of the field they set, never guessed: a `str` field gets the exact
string (a password `0755` or `s3cret #1` is not a number or a comment), an `int` field needs digits, a
`bool` field true/false/yes/no/on/off/1/0, a list field comma-separated items. A bad value is blamed on the
variable, not on the YAML file. NaN and infinity are refused for every number, from files and environment
alike (a NaN threshold compares false with everything and silently switches a detector off).

pydantic-settings was considered: it types environment values the same way, but it would mean rewriting
every area's frozen dataclass as a model across all packages; the conversion rules here are the few lines
pydantic would apply, on the schemas the project already has.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import types
import typing
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, TypeVar

import yaml

from canhbao.core.errors import ConfigError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")  # every settings schema is a dataclass

REPO_CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"


class EnvValue(str):
    """A raw string from an environment variable; remembers the variable so errors can name it."""

    var: str = ""

    def __new__(cls, raw: str, var: str) -> "EnvValue":
        obj = super().__new__(cls, raw)
        obj.var = var
        return obj


def config_dir() -> Path:
    """`$CANHBAO_CONFIG_DIR` (set by `canhbao --config DIR`), else the repository's `config/`.

    A directory that was named but does not exist is an error: running silently on the defaults (SQLite
    instead of the configured Elasticsearch) after a typo is worse than stopping.
    """
    env = os.environ.get("CANHBAO_CONFIG_DIR")
    if not env:
        return REPO_CONFIG_DIR
    path = Path(env).expanduser()
    if not path.is_dir():
        raise ConfigError(str(path), "", "configuration directory does not exist")
    return path


def config_path(area: str) -> Path:
    base = config_dir()
    for suffix in (".yaml", ".yml"):
        if (base / f"{area}{suffix}").exists():
            return base / f"{area}{suffix}"
    return base / f"{area}.yaml"


def read_yaml(path: Path) -> dict[str, Any]:
    """Read a YAML mapping; a missing file is an empty mapping, a broken one a ConfigError."""
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(where, "", f"not valid YAML ({getattr(exc, 'problem', exc)})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), "", f"cannot read ({exc})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(str(path), "", f"expected a mapping at the top level, got {type(data).__name__}")
    return data


def load(area: str, schema: type[T], *, path: Path | None = None, env: Mapping[str, str] | None = None) -> T:
    """Load and validate the settings of one area."""
    path = path or config_path(area)
    data = read_yaml(path)
    overrides = _env_overrides(area, os.environ if env is None else env)
    merged = _deep_merge(data, overrides)
    return build(schema, merged, where=str(path))


def build(schema: type[T], data: Mapping[str, Any], *, where: str, prefix: str = "") -> T:
    """Validate `data` against dataclass `schema`; the error names `where` and the dotted key."""
    if not isinstance(data, Mapping):
        raise ConfigError(where, prefix or "(top)", f"expected a mapping, got {_typename(data)}")
    hints = typing.get_type_hints(schema)
    fields = {f.name: f for f in dataclasses.fields(schema)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        key = f"{prefix}{unknown[0]}"
        raise ConfigError(where, key, f"unknown key (expected one of: {', '.join(sorted(fields))})")
    values = {name: _coerce(hints[name], data[name], where, f"{prefix}{name}") for name in data}
    try:
        obj = schema(**values)
    except TypeError as exc:  # a required field is missing
        raise ConfigError(where, prefix.rstrip(".") or "(top)", str(exc)) from None
    check = getattr(obj, "validate", None)
    if callable(check):
        try:
            check()
        except ValueError as exc:
            raise ConfigError(where, prefix.rstrip("."), str(exc)) from None
    return obj


def _coerce(tp: Any, value: Any, where: str, key: str) -> Any:
    if isinstance(value, EnvValue):
        return _coerce_env(tp, value, key)
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in (a for a in args if a is not type(None)):
            try:
                return _coerce(arg, value, where, key)
            except ConfigError as exc:
                errors.append(exc.problem)
        raise ConfigError(where, key, errors[0] if errors else f"unexpected {value!r}")
    if origin is typing.Literal:
        if value not in args:
            raise ConfigError(where, key, f"must be one of {', '.join(map(str, args))}, got {value!r}")
        return value
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return build(tp, value, where=where, prefix=f"{key}.")
    if origin in (tuple, list, dict, Mapping, typing.Mapping) or tp is dict:
        return _coerce_container(origin, args, value, where, key)
    return _coerce_scalar(tp, value, where, key)


def _coerce_container(origin: Any, args: tuple[Any, ...], value: Any, where: str, key: str) -> Any:
    if origin in (tuple, list):
        if not isinstance(value, (list, tuple)):
            raise ConfigError(where, key, f"expected a list, got {_typename(value)}")
        item = args[0] if args else Any
        items = [_coerce(item, v, where, f"{key}[{i}]") for i, v in enumerate(value)]
        return tuple(items) if origin is tuple else items
    if not isinstance(value, Mapping):
        raise ConfigError(where, key, f"expected a mapping, got {_typename(value)}")
    vtype = args[1] if len(args) == 2 else Any
    return {str(k): _coerce(vtype, v, where, f"{key}.{k}") for k, v in value.items()}


def _coerce_scalar(tp: Any, value: Any, where: str, key: str) -> Any:
    if tp is Any:
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(where, key, f"expected a number, got {_typename(value)} {value!r}")
        if not math.isfinite(value):
            raise ConfigError(where, key, f"not a finite number: {value!r}")
        return float(value)
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(where, key, f"expected an integer, got {_typename(value)} {value!r}")
        return value
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(where, key, f"expected true or false, got {_typename(value)} {value!r}")
        return value
    if tp is str:
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise ConfigError(where, key, f"expected a string, got {_typename(value)}")
        return str(value)
    if tp is Path:
        if not isinstance(value, str):
            raise ConfigError(where, key, f"expected a path, got {_typename(value)}")
        return Path(value).expanduser()
    return value


_TRUE, _FALSE = {"true", "yes", "on", "1"}, {"false", "no", "off", "0"}
_INT = re.compile(r"[+-]?\d+")


def _coerce_env(tp: Any, value: EnvValue, key: str) -> Any:
    """Convert one environment string by the field's type (see the module docstring)."""
    where, raw = value.var, str(value)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        return _env_union(args, value, key)
    if tp in (str, Any):
        return raw
    if origin is typing.Literal:
        for arg in args:
            if raw == str(arg):
                return arg
        raise ConfigError(where, key, f"must be one of {', '.join(map(str, args))}, got {raw!r}")
    if origin in (tuple, list):
        return _env_list(origin, args[0] if args else str, value, key)
    if tp in _ENV_SCALARS:
        return _ENV_SCALARS[tp](raw, where, key)
    if dataclasses.is_dataclass(tp):
        raise ConfigError(where, key, "is a group of settings; set its keys with __ (e.g. ..._KEY__SUBKEY)")
    raise ConfigError(where, key, f"cannot be set from the environment ({tp})")


def _env_union(args: tuple[Any, ...], value: EnvValue, key: str) -> Any:
    if str(value).strip() == "" and type(None) in args:
        return None
    errors = []
    for arg in (a for a in args if a is not type(None)):
        try:
            return _coerce_env(arg, value, key)
        except ConfigError as exc:
            errors.append(exc.problem)
    raise ConfigError(value.var, key, errors[0] if errors else f"unexpected {str(value)!r}")


def _env_list(origin: Any, item: Any, value: EnvValue, key: str) -> Any:
    """`a, b` or `[a, b]`; each item converted by the item type (so `[0755]` of strings stays `0755`)."""
    body = str(value).strip()
    if body.startswith("[") and body.endswith("]"):
        body = body[1:-1]
    parts = [p.strip().strip("'\"") for p in body.split(",")] if body.strip() else []
    items = [_coerce_env(item, EnvValue(p, value.var), f"{key}[{i}]") for i, p in enumerate(parts)]
    return tuple(items) if origin is tuple else items


def _env_bool(raw: str, where: str, key: str) -> bool:
    word = raw.strip().lower()
    if word not in _TRUE | _FALSE:
        raise ConfigError(where, key, f"expected true or false, got {raw!r}")
    return word in _TRUE


def _env_int(raw: str, where: str, key: str) -> int:
    if not _INT.fullmatch(raw.strip()):
        raise ConfigError(where, key, f"expected an integer, got {raw!r}")
    return int(raw)


def _env_float(raw: str, where: str, key: str) -> float:
    try:
        number = float(raw)
    except ValueError:
        if raw.strip().lower().lstrip("+-") not in (".nan", ".inf"):  # YAML's spellings are refused below
            raise ConfigError(where, key, f"expected a number, got {raw!r}") from None
        number = math.nan
    if not math.isfinite(number):
        raise ConfigError(where, key, f"not a finite number: {raw!r}")
    return number


_ENV_SCALARS: dict[Any, Any] = {
    bool: _env_bool,
    int: _env_int,
    float: _env_float,
    Path: lambda raw, where, key: Path(raw).expanduser(),
}


def _env_overrides(area: str, env: Mapping[str, str]) -> dict[str, Any]:
    prefix = f"CANHBAO_{area.upper()}__"
    out: dict[str, Any] = {}
    for name, raw in env.items():
        if not name.startswith(prefix):
            continue
        keys = [k.lower() for k in name[len(prefix) :].split("__")]
        value = EnvValue(raw, name)
        node = out
        for k in keys[:-1]:
            node = node.setdefault(k, {})
        node[keys[-1]] = value
    return out


def _deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for k, v in over.items():
        if isinstance(v, Mapping) and isinstance(merged.get(k), Mapping):
            merged[k] = _deep_merge(merged[k], v)
        else:
            merged[k] = v
    return merged


def _typename(value: Any) -> str:
    return {dict: "mapping", list: "list", str: "string", int: "integer", float: "number", bool: "boolean"}.get(
        type(value), type(value).__name__
    )
