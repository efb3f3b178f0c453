"""Reading configuration TOML: bounded parsing, merging with the file of origin, and typed building.

A file is parsed with tomllib within MAX_CONFIG_BYTES and MAX_DEPTH; `merge` lays a
profile's tables over the defaults and remembers which file set each dotted key; `build`
turns the merged tables into the section dataclasses of kiosk/config_sections.py,
refusing an unknown key, a wrong type or a missing required key as a `FieldProblem`.

Plain dataclasses rather than pydantic keep start-up fast (the attract screen must
show within 0.5 s of process start).
"""

from __future__ import annotations

import dataclasses
import tomllib
import typing
from pathlib import Path
from typing import Literal

from kiosk.config_sections import FieldProblem, check

MAX_CONFIG_BYTES = 1 * 2**20
MAX_DEPTH = 12   # the deepest real key is devices.card_reader.x (3); arrays and inline tables count too


class ConfigError(Exception):
    """A configuration file that cannot be used: which file, which dotted key, and why."""

    def __init__(self, file: Path | str, key: str, reason: str) -> None:
        super().__init__(f"{file}: {key}: {reason}")
        self.file = str(file)
        self.key = key
        self.reason = reason


def read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(path, "-", "file not found") from None
    except OSError as error:
        raise ConfigError(path, "-", f"cannot be read ({error})") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(path, "-", f"is larger than {MAX_CONFIG_BYTES // 2**20} MiB")
    try:
        parsed = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ConfigError(path, "-", f"cannot be read ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, "-", f"not valid TOML ({error})") from None
    except RecursionError:
        # tomllib parses nested arrays and inline tables recursively.
        raise ConfigError(path, "-", f"not valid TOML (nested deeper than {MAX_DEPTH} levels)") from None
    deep = _too_deep(parsed)
    if deep:
        raise ConfigError(path, deep, f"nested deeper than {MAX_DEPTH} levels")
    return parsed


def _too_deep(data: dict) -> str:
    """The first key nested deeper than MAX_DEPTH ("" when none), found without recursion.

    Dotted keys (`a.b.c... = 1`) and table headers parse without recursion however deep
    they go, so the walk that merges and checks the tables must not meet them unbounded.
    """
    stack: list[tuple[object, str, int]] = [(data, "", 0)]
    while stack:
        value, key, depth = stack.pop()
        if depth > MAX_DEPTH:
            return key if len(key) <= 60 else key[:57] + "..."
        if isinstance(value, dict):
            stack.extend((item, f"{key}.{name}" if key else str(name), depth + 1) for name, item in value.items())
        elif isinstance(value, list):
            stack.extend((item, f"{key}[{index}]", depth + 1) for index, item in enumerate(value))
    return ""


def merge(base: dict, override: dict, origin: dict[str, Path], file: Path, prefix: str = "") -> dict:
    """Deep-merge `override` into a copy of `base`, remembering which file set each key."""
    merged = dict(base)
    for key, value in override.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value, origin, file, dotted + ".")
        else:
            merged[key] = value
            origin[dotted] = file
            if isinstance(value, dict):
                _record_origin(value, origin, file, dotted + ".")
    return merged


def _record_origin(table: dict, origin: dict[str, Path], file: Path, prefix: str) -> None:
    for key, value in table.items():
        origin[f"{prefix}{key}"] = file
        if isinstance(value, dict):
            _record_origin(value, origin, file, f"{prefix}{key}.")


def _convert(value: object, annotation: object, key: str) -> object:
    origin = typing.get_origin(annotation)
    if dataclasses.is_dataclass(annotation):
        check(isinstance(value, dict), key, "must be a table")
        return build(annotation, value, key + ".")
    if origin is Literal:
        choices = typing.get_args(annotation)
        check(value in choices and type(value) is type(choices[0]), key,
               f"must be one of {', '.join(repr(choice) for choice in choices)} (got {value!r})")
        return value
    if origin is tuple:
        item_type = typing.get_args(annotation)[0]
        check(isinstance(value, list), key, "must be a list")
        return tuple(_convert(item, item_type, f"{key}[{index}]") for index, item in enumerate(value))
    if annotation is bool:
        check(isinstance(value, bool), key, f"must be true or false (got {value!r})")
        return value
    if annotation is int:
        check(isinstance(value, int) and not isinstance(value, bool), key, f"must be a whole number (got {value!r})")
        return value
    if annotation is float:
        check(isinstance(value, (int, float)) and not isinstance(value, bool), key, f"must be a number (got {value!r})")
        return float(value)
    if annotation is str:
        check(isinstance(value, str), key, f"must be a string (got {value!r})")
        check(len(value) <= 4096, key, "is longer than 4096 characters")
        return value
    raise TypeError(f"unsupported config annotation {annotation!r} at {key}")


def build(cls: type, table: dict, prefix: str = ""):
    hints = typing.get_type_hints(cls)
    fields = {field.name: field for field in dataclasses.fields(cls) if field.init and field.name != "base_dir"}
    unknown = sorted(set(table) - set(fields))
    if unknown:
        raise FieldProblem(prefix + unknown[0], "unknown key (check the spelling)")
    values = {}
    for name, field in fields.items():
        key = prefix + name
        if name in table:
            values[name] = _convert(table[name], hints[name], key)
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            if dataclasses.is_dataclass(hints[name]):
                values[name] = build(hints[name], {}, key + ".")
            else:
                raise FieldProblem(key, "is required")
    instance = cls(**values)
    validate = getattr(instance, "validate", None)
    if validate:
        validate()
    return instance
