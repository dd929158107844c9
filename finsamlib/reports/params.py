"""The report notebooks' parameters: what they declare, and checking what a user gives.

A report notebook declares its parameters in its ``parameters`` cell with type annotations
(``year: int = 2021  # år …``); :func:`declared` reads them with papermill's
``inspect_notebook`` (no kernel). ``finsam reports -p name value`` and ``--params file.yaml``
give values; :func:`validate` checks them before any kernel starts (papermill itself only
warns about an unknown name): an unknown name, a value that is not of the declared type, or
one out of range raises :class:`ParameterError`, whose message lists the declared parameters.

How they meet the runner's own parameters: ``year`` and ``threshold`` may be given with ``-p``
as well as with ``--year`` and ``--threshold`` (the same check; giving both with different values
is an error). The others the runner sets per report or per run (:data:`RUNNER_SET`) and ``-p``
refuses them, naming the option to use. Any other declared parameter is passed to the
notebooks that declare it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

#: Parameters the runner sets for each report; ``-p`` cannot change them (the option to use,
#: or None when there is none).
RUNNER_SET: dict[str, str | None] = {
    "association": "--association",
    "county": "--county",
    "data_dir": "--data-dir",
    "generated_at": None,
    "disclosure_file": None,  # the run's suppression pattern (disclosure control)
}
#: Parameters ``-p`` may give as well as the command's option of the same name.
OPTIONS = ("year", "threshold")
#: Smallest and largest value of numeric parameters (None: no bound). The years of the data
#: are checked when the reports are planned.
RANGES: dict[str, tuple[float | None, float | None]] = {
    "threshold": (0, None),
    "year": (1900, 2100),
}
_TRUE = {"true", "yes", "ja", "1", "on"}
_FALSE = {"false", "no", "nej", "0", "off"}


class ParameterError(ValueError):
    """A parameter given to the report notebooks that they cannot take."""


@dataclass(frozen=True)
class Declared:
    """One parameter of a notebook's parameters cell."""

    name: str
    type: str  # int, float, bool, str, or "" when the cell gives no annotation
    default: str  # as written in the cell
    help: str


def declared(notebook: str | Path) -> dict[str, Declared]:
    """The parameters a notebook declares, in the cell's order (read without a kernel)."""
    import papermill as pm

    found = pm.inspect_notebook(str(notebook))
    return {
        name: Declared(
            name=name,
            type=_type_name(p.get("inferred_type_name")),
            default=str(p.get("default", "")),
            help=str(p.get("help", "") or ""),
        )
        for name, p in found.items()
    }


def _type_name(inferred: object) -> str:
    name = str(inferred or "")
    return name if name in ("int", "float", "bool", "str") else ""


def list_text(notebooks: Sequence[str | Path]) -> str:
    """``finsam reports --list-params``: each notebook's parameters, type and default."""
    lines = []
    for nb in notebooks:
        lines.append(f"{Path(nb).name}:")
        for p in declared(nb).values():
            how = _how_set(p.name)
            note = f"  # {p.help}" if p.help else ""
            lines.append(f"  {p.name}: {p.type or 'any'} = {p.default}  ({how}){note}")
    return "\n".join(lines)


def _how_set(name: str) -> str:
    if name in RUNNER_SET:
        option = RUNNER_SET[name]
        return f"set by finsam reports; use {option}" if option else "set by finsam reports"
    if name in OPTIONS:
        return f"--{name} or -p {name} VALUE"
    return f"-p {name} VALUE"


def _declared_list(decl: Mapping[str, Declared]) -> str:
    return ", ".join(f"{p.name} ({p.type or 'any'})" for p in decl.values())


def read_file(path: str | Path) -> dict[str, object]:
    """The parameters of a YAML (or JSON) file: one mapping of name to value."""
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ParameterError(f"{path}: {exc.strerror or exc}") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ParameterError(f"{path}: not YAML ({' '.join(str(exc).split())})") from exc
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise ParameterError(f"{path}: a mapping of parameter names to values, e.g. 'year: 2021'")
    return dict(data)


def convert(name: str, value: object, type_name: str) -> object:
    """``value`` (text from ``-p``, or a value from a YAML file) as the declared type; raises
    ParameterError when it is not one."""

    def wrong() -> ParameterError:
        return ParameterError(f"parameter {name} must be {type_name}, got {value!r}")

    if type_name == "int":
        if isinstance(value, bool):
            raise wrong()
        if isinstance(value, int):
            return value
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                raise wrong() from None
        raise wrong()
    if type_name == "float":
        if isinstance(value, bool):
            raise wrong()
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value.strip().replace(",", "."))
            except ValueError:
                raise wrong() from None
        raise wrong()
    if type_name == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise wrong()
    if type_name == "str":
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return str(value)
        raise wrong()
    if isinstance(value, str | int | float | bool) or value is None:
        return value  # no annotation: any plain value
    raise wrong()


def _check_range(name: str, value: object) -> None:
    low, high = RANGES.get(name, (None, None))
    if not isinstance(value, int | float) or isinstance(value, bool):
        return
    if (low is not None and value < low) or (high is not None and value > high):
        lo = "" if low is None else f">= {low:g}"
        hi = "" if high is None else f"<= {high:g}"
        bounds = " and ".join(filter(None, [lo, hi]))
        raise ParameterError(f"parameter {name} out of range: {value!r} (must be {bounds})")


def validate(
    given: Mapping[str, object], notebooks: Sequence[str | Path]
) -> dict[str, dict[str, object]]:
    """Check the parameters ``given`` against the notebooks' declarations: ``{notebook file
    name: {name: value as the declared type}}`` for the notebooks that declare each name.

    Raises ParameterError (one line, listing the declared parameters where that helps) for a
    name no notebook declares, one the runner sets (:data:`RUNNER_SET`), a value not of the
    declared type, or one out of range (:data:`RANGES`).
    """
    decls = {Path(nb).name: declared(nb) for nb in notebooks}
    everything: dict[str, Declared] = {}
    for d in decls.values():
        for name, p in d.items():
            everything.setdefault(name, p)
    out: dict[str, dict[str, object]] = {name: {} for name in decls}
    for name, value in given.items():
        if name in RUNNER_SET:
            option = RUNNER_SET[name]
            use = f"; use {option}" if option else ""
            raise ParameterError(f"parameter {name} is set by finsam reports{use}")
        if name not in everything:
            raise ParameterError(
                f"unknown parameter {name!r}; the report notebooks declare: "
                + _declared_list(everything)
            )
        for nb, d in decls.items():
            if name in d:
                converted = convert(name, value, d[name].type)
                _check_range(name, converted)
                out[nb][name] = converted
    return out


def combined(pairs: Sequence[tuple[str, str]], files: Sequence[str | Path]) -> dict[str, object]:
    """The parameters of ``--params`` files (in order) overridden by ``-p name value`` pairs."""
    given: dict[str, object] = {}
    for f in files:
        given.update(read_file(f))
    given.update(dict(pairs))
    return given
