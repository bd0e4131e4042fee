"""Business-case scenario files: a TOML file naming the contract, the baseline, the ramp and the forecast.

See the scenario reference page (docs/reference/scenario-toml.md) for the
format. Paths inside the file are relative to the file. Every problem is an
`InvalidValueError` or `InvalidTypeError` whose path starts with the file
name and names the key (``scenario.toml: ramp.rate``).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from resolutionpricing._business_case import (
    AutomationRamp,
    BusinessCase,
    CostBaseline,
    VolumeForecast,
)
from resolutionpricing._errors import ContractError, InvalidTypeError, InvalidValueError
from resolutionpricing._files import load_contract

__all__ = ["load_scenario"]

_TABLES: Final = {
    "scenario": {
        "contract",
        "start",
        "months",
        "amortize_months",
        "human_cost_per_contact",
        "include_tax",
    },
    "baseline": {"annual_contacts", "currency", "components"},
    "ramp": {"rate", "scenario", "rates"},
    "forecast": {"contacts", "seasonality", "spikes", "csv"},
}


def _table(data: Mapping[str, Any], name: str, *, required: bool = True) -> Mapping[str, Any]:
    value = data.get(name)
    if value is None and not required:
        return {}
    if not isinstance(value, Mapping):
        problem = "is missing" if value is None else f"{value!r} is not a table"
        raise InvalidValueError(
            name, problem, f"a [{name}] table with {', '.join(sorted(_TABLES[name]))}"
        )
    for key in value:
        if key not in _TABLES[name]:
            raise InvalidValueError(
                f"{name}.{key}",
                "is not a known key",
                f"the keys are {', '.join(sorted(_TABLES[name]))}",
            )
    return value


def _ramp(table: Mapping[str, Any]) -> AutomationRamp:
    given = [key for key in ("rate", "scenario", "rates") if key in table]
    if len(given) != 1:
        problem = f"gives {' and '.join(given)}" if given else "gives none of them"
        raise InvalidValueError("ramp", problem, "exactly one of rate, scenario, rates")
    key = given[0]
    try:
        if key == "rate":
            return AutomationRamp.flat(table["rate"])
        if key == "scenario":
            return AutomationRamp.seed(table["scenario"])
        return AutomationRamp(table["rates"])
    except (InvalidValueError, InvalidTypeError) as error:
        raise type(error)(f"ramp.{key}", error.problem, error.allowed) from None


def _base_forecast(table: Mapping[str, Any], folder: Path, months: int) -> VolumeForecast:
    if ("csv" in table) == ("contacts" in table):
        raise InvalidValueError(
            "forecast",
            "needs exactly one of contacts (per month) and csv",
            'contacts = 50000 or csv = "volumes.csv"',
        )
    if "csv" in table and not isinstance(table["csv"], str):
        raise InvalidTypeError(
            "forecast.csv",
            f"{table['csv']!r} is not a path",
            "a path relative to the scenario file",
        )
    try:
        if "csv" in table:
            return VolumeForecast.from_csv(folder / table["csv"])
        return VolumeForecast.flat(table["contacts"], months)
    except (InvalidValueError, InvalidTypeError) as error:
        raise error.at("forecast") from None


def _forecast(table: Mapping[str, Any], folder: Path, months: int, start: str) -> VolumeForecast:
    forecast = _base_forecast(table, folder, months)
    if "seasonality" in table:
        try:
            forecast = forecast.with_seasonality(table["seasonality"], start=start)
        except (InvalidValueError, InvalidTypeError) as error:
            raise error.at("forecast.seasonality") from None
    spikes = table.get("spikes", [])
    if not isinstance(spikes, list):
        raise InvalidTypeError(
            "forecast.spikes", f"{spikes!r} is not a list", "a list of { month, factor } tables"
        )
    for index, spike in enumerate(spikes):
        path = f"forecast.spikes[{index}]"
        if not isinstance(spike, Mapping) or set(spike) != {"month", "factor"}:
            raise InvalidValueError(
                path,
                f"{spike!r} is not a {{ month, factor }} table",
                'such as { month = 5, factor = "3" }',
            )
        try:
            forecast = forecast.with_spike(spike["month"], spike["factor"])
        except (InvalidValueError, InvalidTypeError) as error:
            raise type(error)(f"{path}.{error.path}", error.problem, error.allowed) from None
    return forecast


def _case(data: Mapping[str, Any], folder: Path) -> BusinessCase:
    head = _table(data, "scenario")
    for name in data:
        if name not in _TABLES:
            raise InvalidValueError(
                name, "is not a known table", "the tables are scenario, baseline, ramp, forecast"
            )
    if not isinstance(head.get("contract"), str):
        raise InvalidValueError(
            "scenario.contract",
            "is missing or not a string",
            "the contract file's path, relative to the scenario",
        )
    start = head.get("start")
    if not isinstance(start, str):
        raise InvalidValueError(
            "scenario.start", "is missing or not a string", 'a month such as "2026-07"'
        )
    contract = load_contract(folder / head["contract"])
    baseline_table = _table(data, "baseline")
    try:
        baseline = CostBaseline(
            baseline_table.get("components"),
            baseline_table.get("annual_contacts"),
            baseline_table.get("currency", contract.currency),
        )
    except (InvalidValueError, InvalidTypeError) as error:
        raise error.at("baseline") from None
    ramp = _ramp(_table(data, "ramp"))
    months = head.get("months", 24)
    forecast = _forecast(
        _table(data, "forecast"), folder, months if isinstance(months, int) else 24, start
    )
    options = {
        key: head[key]
        for key in ("months", "amortize_months", "human_cost_per_contact", "include_tax")
        if key in head
    }
    try:
        return BusinessCase(contract, baseline, ramp, forecast, start=start, **options)
    except (InvalidValueError, InvalidTypeError) as error:
        prefix = "" if error.path.startswith(("forecast", "baseline")) else "scenario"
        raise error.at(prefix) from None


def load_scenario(path: str | os.PathLike[str]) -> BusinessCase:
    """Read a business-case scenario file into a `BusinessCase`.

    Raises:
        InvalidValueError: (or `InvalidTypeError`) for the first problem, its
            path naming the file and the key.
        ContractError: if the contract file it names has problems.

    Examples:
        >>> from resolutionpricing.business_case import load_scenario
        >>> case = load_scenario("examples/business-case/scenario.toml")
        >>> case.start.label, case.months, case.evaluate().summary.break_even_month
        ('2026-07', 24, 1)
    """
    file = Path(path)
    source = str(file)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"), parse_float=Decimal)
    except OSError as error:
        raise InvalidValueError(
            source, f"cannot be read ({error.strerror})", "a readable TOML file"
        ) from None
    except (UnicodeDecodeError, ValueError) as error:
        raise InvalidValueError(
            source, f"is not valid TOML ({error})", "a TOML document in UTF-8"
        ) from None
    try:
        return _case(data, file.parent)
    except ContractError:
        raise
    except (InvalidValueError, InvalidTypeError) as error:
        raise type(error)(f"{source}: {error.path}", error.problem, error.allowed) from None
