"""Business-case scenario files: a TOML file naming the contract, the baseline, the ramp and the forecast.

See the scenario reference page (docs/reference/scenario-toml.md) for the
format. Paths inside the file are relative to the file. Every problem of the
file is reported at once, in a `ScenarioError` whose problems name their key
(``ramp.rate``).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, TypeVar

from resolutionpricing._business_case import (
    AutomationRamp,
    BusinessCase,
    CostBaseline,
    VolumeForecast,
)
from resolutionpricing._errors import InvalidTypeError, InvalidValueError, ScenarioError
from resolutionpricing._files import load_contract
from resolutionpricing._limits import MAX_CONTRACT_BYTES, read_small_text

__all__ = ["load_scenario"]

_T = TypeVar("_T")

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


def _forecast(
    table: Mapping[str, Any], folder: Path, months: int, start: str | None
) -> VolumeForecast:
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


class _Problems:
    """Collects the problems of a scenario's sections, each located by its key."""

    def __init__(self) -> None:
        self.found: list[InvalidValueError | InvalidTypeError] = []

    def attempt(self, build: Callable[[], _T]) -> _T | None:
        """Run ``build``; on a problem, record it and give None."""
        try:
            return build()
        except (InvalidValueError, InvalidTypeError) as error:
            self.found.append(error)
        return None


def _head(data: Mapping[str, Any]) -> tuple[Mapping[str, Any], str, str]:
    head = _table(data, "scenario")
    if not isinstance(head.get("contract"), str):
        raise InvalidValueError(
            "scenario.contract",
            "is missing or not a string",
            "the contract file's path, relative to the scenario",
        )
    return head, head["contract"], _start(head)


def _start(head: Mapping[str, Any]) -> str:
    start = head.get("start")
    if not isinstance(start, str):
        raise InvalidValueError(
            "scenario.start", "is missing or not a string", 'a month such as "2026-07"'
        )
    return start


def _baseline(data: Mapping[str, Any], currency: str | None) -> CostBaseline:
    table = _table(data, "baseline")
    try:
        return CostBaseline(
            table.get("components"), table.get("annual_contacts"), table.get("currency", currency)
        )
    except (InvalidValueError, InvalidTypeError) as error:
        raise error.at("baseline") from None


def _case(data: Mapping[str, Any], folder: Path) -> BusinessCase:
    """The scenario's business case; every problem of every section at once, as a `ScenarioError`."""
    problems = _Problems()
    for name in data:
        if name not in _TABLES:
            problems.found.append(
                InvalidValueError(
                    name,
                    "is not a known table",
                    "the tables are scenario, baseline, ramp, forecast",
                )
            )
    head = problems.attempt(lambda: _head(data))
    contract = None if head is None else load_contract(folder / head[1])
    currency = None if contract is None else contract.currency
    baseline = problems.attempt(lambda: _baseline(data, currency))
    ramp = problems.attempt(lambda: _ramp(_table(data, "ramp")))
    months = head[0].get("months", 24) if head is not None else 24
    start = head[2] if head is not None else None
    forecast = problems.attempt(
        lambda: _forecast(
            _table(data, "forecast"), folder, months if isinstance(months, int) else 24, start
        )
    )
    if (
        problems.found
        or head is None
        or contract is None
        or baseline is None
        or ramp is None
        or forecast is None
    ):
        raise ScenarioError("the scenario has problems", problems.found)
    options = {
        key: head[0][key]
        for key in ("months", "amortize_months", "human_cost_per_contact", "include_tax")
        if key in head[0]
    }
    try:
        return BusinessCase(contract, baseline, ramp, forecast, start=head[2], **options)
    except (InvalidValueError, InvalidTypeError) as error:
        prefix = "" if error.path.startswith(("forecast", "baseline")) else "scenario"
        raise ScenarioError("the scenario has problems", [error.at(prefix)]) from None


def load_scenario(path: str | os.PathLike[str]) -> BusinessCase:
    """Read a business-case scenario file into a `BusinessCase`.

    Only a regular file of at most 256 KiB is read, as for contracts.

    Raises:
        ScenarioError: listing every problem of the file, each with its key
            (``ramp.rate``), what was wrong, and what is allowed.
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
        text = read_small_text(file, "a TOML scenario", MAX_CONTRACT_BYTES)
        data = tomllib.loads(text, parse_float=Decimal)
    except InvalidValueError as error:
        raise ScenarioError(f"{source} cannot be read", [error]) from None
    except (ValueError, RecursionError) as error:
        problem = InvalidValueError(source, f"is not valid TOML ({error})", "a TOML document")
        raise ScenarioError(f"{source} cannot be read", [problem]) from None
    try:
        return _case(data, file.parent)
    except ScenarioError as error:
        count = len(error.problems)
        raise ScenarioError(
            f"{source} has {count} problem{'s' if count != 1 else ''}", list(error.problems)
        ) from None
