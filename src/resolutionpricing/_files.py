"""Contract files: TOML in (every problem at once, with its path), TOML out.

A contract file has the tables ``[contract]``, ``[resolution]`` (optional;
the `ResolutionRule` defaults apply), ``[pricing]``, ``[audit]``
(optional: the audit credit clause) and ``[billing]`` (optional: what
pending contacts bill), and the arrays of
tables ``[[caps]]`` and ``[[fees]]``, each item with a ``kind``. Numbers are
read exactly (``parse_float=Decimal``); money may also be written as a string
(``"3.50"``). Unknown keys are errors: a typo must not silently change a
contract.
"""

from __future__ import annotations

import decimal
import json
import os
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import attrs
import tomli_w

from resolutionpricing._audit_clause import AuditClause
from resolutionpricing._automation import AutomationBand
from resolutionpricing._billing_clause import BillingClause
from resolutionpricing._caps import Cap, PauseCap, SpendCap, StepDownCap
from resolutionpricing._contract import Contract
from resolutionpricing._contract_year import Accumulate, AllowancePer, IncludedAllowance
from resolutionpricing._errors import (
    ContractError,
    InvalidTypeError,
    InvalidValueError,
    parse_choice,
    shown,
)
from resolutionpricing._fees import (
    Fee,
    ImplementationFee,
    Milestone,
    MinimumCommitment,
    OneTimeFee,
    PerEscalationFee,
    PrepaidCommitment,
    RecurringFee,
)
from resolutionpricing._limits import (
    MAX_CONTRACT_BYTES,
    MAX_ITEMS,
    check_count,
    nesting_problem,
    open_regular,
)
from resolutionpricing._money import ARITHMETIC, format_decimal
from resolutionpricing._pilot_clause import Pilot, PilotCriteria
from resolutionpricing._rules import ResolutionRule, format_window
from resolutionpricing._tiers import (
    PackagePricing,
    PricingMode,
    Tier,
    TierSchedule,
    tier_problems,
)

__all__ = [
    "contract_from_dict",
    "contract_to_dict",
    "dump_contract",
    "load_contract",
    "loads_contract",
]

_T = TypeVar("_T")
Problem = InvalidValueError | InvalidTypeError

_CAP_KINDS: dict[str, type[Any]] = {cls.kind: cls for cls in (PauseCap, StepDownCap, SpendCap)}
_FEE_KINDS: dict[str, type[Any]] = {
    cls.kind: cls
    for cls in (
        ImplementationFee,
        RecurringFee,
        PerEscalationFee,
        OneTimeFee,
        MinimumCommitment,
        PrepaidCommitment,
    )
}
_YEAR_KEYS = (
    "automation_bands",
    "accumulate",
    "included",
    "included_per",
    "rollover",
    "channels",
)
"""The keys of ``[pricing]`` read beside the tier schedule."""
_TABLES = ("contract", "resolution", "pricing", "caps", "fees", "audit", "billing", "pilot")
_CONTRACT_KEYS = (
    "id",
    "account_id",
    "name",
    "currency",
    "timezone",
    "starts_on",
    "ends_on",
    "billing_period",
    "rounding",
    "rounding_increment",
    "tax_rate",
)


def load_contract(path: str | os.PathLike[str]) -> Contract:
    """Read a contract from a TOML file.

    Raises:
        ContractError: listing every problem in the file, each with its path
            (``pricing.tiers[1].up_to``), what was wrong, and what is allowed.

    Examples:
        >>> from resolutionpricing import load_contract
        >>> contract = load_contract("examples/contract.toml")
        >>> contract.currency, contract.pricing.mode.value, len(contract.fees)
        ('AED', 'graduated', 5)
    """
    file = Path(path)
    try:
        with open_regular(file, "a TOML contract") as handle:
            data = handle.read(MAX_CONTRACT_BYTES + 1)
    except InvalidValueError as error:
        raise ContractError(f"{file} cannot be read", [error]) from None
    except OSError as error:
        raise ContractError(
            f"{file} cannot be read",
            [InvalidValueError(str(file), error.strerror or str(error), "a readable TOML file")],
        ) from None
    if len(data) > MAX_CONTRACT_BYTES:
        raise ContractError(
            f"{file} is too large",
            [
                InvalidValueError(
                    str(file),
                    f"is over {MAX_CONTRACT_BYTES // 1024} KiB",
                    f"a contract file of at most {MAX_CONTRACT_BYTES // 1024} KiB",
                )
            ],
        )
    try:
        text = data.decode("utf-8-sig")  # a byte order mark is accepted, as in logs
    except UnicodeDecodeError as error:
        raise ContractError(
            f"{file} is not UTF-8 text",
            [InvalidValueError(str(file), str(error), "a TOML file encoded in UTF-8")],
        ) from None
    return loads_contract(text, source=str(file))


def loads_contract(text: str, *, source: str = "contract") -> Contract:
    """Read a contract from TOML text.

    Examples:
        >>> from resolutionpricing import loads_contract
        >>> contract = loads_contract('''
        ... [contract]
        ... name = "Pilot"
        ... currency = "KWD"
        ... timezone = "Asia/Kuwait"
        ... starts_on = 2026-07-01
        ... [pricing]
        ... mode = "volume"
        ... tiers = [{ up_to = 1000, unit_price = "0.950" }, { unit_price = "0.800" }]
        ... ''')
        >>> contract.pricing.price(1500)
        Decimal('1200.000')
    """
    text = text.removeprefix("\ufeff")  # a byte order mark, as some editors write
    problem = _size_problem(text) or nesting_problem(text)
    if problem:
        raise ContractError(
            f"{source} is too large or too deeply nested",
            [InvalidValueError(source, problem, _LIMITS_ALLOWED)],
        )
    try:
        data = tomllib.loads(text, parse_float=_exact_float)
    # TOMLDecodeError is a ValueError; tomllib also raises a bare ValueError for an
    # int of over 4300 digits, and RecursionError for arrays nested too deeply.
    except (ValueError, RecursionError) as error:
        raise ContractError(
            f"{source} is not valid TOML",
            [InvalidValueError(source, str(error), "a TOML document")],
        ) from None
    return contract_from_dict(data, source=source)


_LIMITS_ALLOWED = f"a contract of at most {MAX_CONTRACT_BYTES // 1024} KiB, nested at most 32 deep"


def _size_problem(text: str) -> str | None:
    # Characters, not bytes: a bound on the parser's work, checked before it runs.
    if len(text) > MAX_CONTRACT_BYTES:
        return f"is over {MAX_CONTRACT_BYTES // 1024} KiB of text"
    return None


def _exact_float(text: str) -> Decimal:
    """A TOML float as the exact decimal it writes; one decimal cannot hold is refused."""
    try:
        return Decimal(text)
    except decimal.InvalidOperation:
        message = f"the number {text[:40]} has an exponent beyond any contract's numbers"
        raise ValueError(message) from None


def contract_from_dict(data: Mapping[str, Any], *, source: str = "contract") -> Contract:
    """Build a contract from the data of a contract file (as `tomllib` reads it).

    Raises:
        ContractError: listing every problem, each with its path.

    Examples:
        >>> from datetime import date
        >>> from resolutionpricing import contract_from_dict
        >>> contract_from_dict({
        ...     "contract": {"name": "Pilot", "currency": "SAR", "timezone": "Asia/Riyadh", "starts_on": date(2026, 7, 1)},
        ...     "pricing": {"mode": "graduated", "tiers": [{"unit_price": "2.00"}]},
        ... }).currency
        'SAR'
    """
    reader = _Reader()
    contract = reader.contract(data, source)
    if reader.problems or contract is None:
        count = len(reader.problems)
        raise ContractError(
            f"{source} has {count} problem{'s' if count != 1 else ''}", reader.problems
        )
    return contract


class _Reader:
    """Reads the contract's tables, collecting every problem with its path."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(
        self, path: str, problem: str, allowed: str = "", *, kind: type[Problem] = InvalidValueError
    ) -> None:
        self.problems.append(kind(path, problem, allowed))

    def table(self, value: object, path: str) -> Mapping[str, Any] | None:
        if isinstance(value, Mapping):
            return value
        self.add(path, f"{shown(value)} is not a table", "a TOML table", kind=InvalidTypeError)
        return None

    def within_limit(self, value: list[Any], path: str) -> bool:
        """Whether the list has at most `MAX_ITEMS` items; checked before any is built."""
        if len(value) <= MAX_ITEMS:
            return True
        try:
            check_count(value, path)
        except InvalidValueError as error:
            self.problems.append(error)
        return False

    def attempt(self, path: str, build: Callable[[], _T]) -> _T | None:
        """Run ``build``; record its problems under ``path``."""
        try:
            return build()
        except ContractError as group:
            self.problems.extend(group.problems)
        except (InvalidValueError, InvalidTypeError) as error:
            self.problems.append(error.at(path))
        return None

    def values(
        self,
        cls: type[Any],
        table: Mapping[str, Any],
        path: str,
        *,
        keys: Iterable[str] | None = None,
        skip: tuple[str, ...] = (),
    ) -> dict[str, Any] | None:
        """Check and convert each key of ``table`` for the fields of ``cls`` on its own.

        ``keys`` limits the fields read (all of them by default); keys in
        ``skip`` are read elsewhere. Returns None if any key had a problem.
        """
        wanted = set(attrs.fields_dict(cls)) if keys is None else set(keys)
        known = {field.name: field for field in attrs.fields(cls) if field.name in wanted}
        ok = True
        for key in table:
            if key not in known and key not in skip:
                allowed = ", ".join(dict.fromkeys([*known, *skip]))
                self.add(_join(path, key), "is not a known key", f"the keys are {allowed}")
                ok = False
        values: dict[str, Any] = {}
        for name, field in known.items():
            if name in skip:
                continue
            if name not in table:
                if field.default is attrs.NOTHING:
                    self.add(_join(path, name), "is missing", _REQUIRED_HINTS.get(name, _REQUIRED))
                    ok = False
                continue
            try:
                value = table[name]
                if callable(field.converter):
                    value = field.converter(value)
                if field.validator is not None:
                    field.validator(None, field, value)
            except (InvalidValueError, InvalidTypeError) as error:
                self.problems.append(type(error)(_join(path, name), error.problem, error.allowed))
                ok = False
                continue
            values[name] = value
        return values if ok else None

    def fields(
        self,
        cls: type[_T],
        table: Mapping[str, Any],
        path: str,
        *,
        skip: tuple[str, ...] = (),
        **ready: object,
    ) -> _T | None:
        """Build ``cls`` from ``table`` and the ``ready`` values, checking every key first."""
        values = self.values(cls, table, path, skip=(*skip, *ready))
        if values is None or any(value is None for value in ready.values()):
            return None
        return self.attempt(path, lambda: cls(**values, **ready))

    def contract(self, data: Mapping[str, Any], source: str) -> Contract | None:
        top = self.table(data, source)
        if top is None:
            return None
        for key in top:
            if key not in _TABLES:
                self.add(
                    _join("", key),
                    "is not a known table",
                    "the tables are " + ", ".join(_TABLES),
                )
        head = self.header(top.get("contract"))
        resolution = self.resolution(top.get("resolution"))
        pricing = self.pricing(top.get("pricing"))
        bands = self.bands(top.get("pricing"))
        year = self.year(top.get("pricing"))
        channels = self.channels(top.get("pricing"))
        pilot = self.pilot(top.get("pilot"))
        caps = self.items(top.get("caps", []), "caps", _CAP_KINDS, self.cap)
        fees = self.items(top.get("fees", []), "fees", _FEE_KINDS, self.fee)
        audit = self.audit(top.get("audit"))
        billing = self.billing(top.get("billing"))
        if (
            head is None
            or resolution is None
            or pricing is None
            or bands is None
            or year is None
            or channels is None
            or caps is None
            or fees is None
        ):
            return None
        if audit is _BAD_AUDIT or billing is None or pilot is _BAD_AUDIT:
            return None
        return self.attempt(
            "",
            lambda: Contract(
                **head,
                resolution=resolution,
                pricing=pricing,
                automation_bands=bands,
                caps=caps,
                fees=fees,
                audit=audit if isinstance(audit, AuditClause) else None,
                billing=billing,
                channel_pricing=channels,
                pilot=pilot if isinstance(pilot, Pilot) else None,
                **year,
            ),
        )

    def audit(self, value: object) -> AuditClause | object | None:
        """The ``[audit]`` clause, None when the file has none, `_BAD_AUDIT` on a problem."""
        if value is None:
            return None
        table = self.table(value, "audit")
        clause = None if table is None else self.fields(AuditClause, table, "audit")
        return _BAD_AUDIT if clause is None else clause

    def billing(self, value: object) -> BillingClause | None:
        """The ``[billing]`` clause (the default one when the file has none), None on a problem."""
        if value is None:
            return BillingClause()
        table = self.table(value, "billing")
        return None if table is None else self.fields(BillingClause, table, "billing")

    def header(self, value: object) -> dict[str, Any] | None:
        if value is None:
            self.add(
                "contract",
                "is missing",
                "a [contract] table with name, currency, timezone and starts_on",
            )
            return None
        table = self.table(value, "contract")
        if table is None:
            return None
        return self.values(Contract, table, "contract", keys=_CONTRACT_KEYS)

    def resolution(self, value: object) -> ResolutionRule | None:
        if value is None:
            return ResolutionRule()
        table = self.table(value, "resolution")
        return None if table is None else self.fields(ResolutionRule, table, "resolution")

    def pricing(self, value: object) -> TierSchedule | PackagePricing | None:
        if value is None:
            self.add("pricing", "is missing", "a [pricing] table with mode and tiers is required")
            return None
        table = self.table(value, "pricing")
        if table is None:
            return None
        if table.get("mode") == PricingMode.PACKAGE.value:
            return self.package_pricing(table)
        for key in _PACKAGE_KEYS:
            if key in table:
                self.add(
                    f"pricing.{key}",
                    'is only for mode = "package"',
                    f'remove it, or write mode = "package" (and no tiers) to use {key}',
                )
        return self.schedule(table, "pricing", skip=(*_YEAR_KEYS, *_PACKAGE_KEYS))

    def schedule(
        self, table: Mapping[str, Any], path: str, *, skip: tuple[str, ...] = ()
    ) -> TierSchedule | None:
        """A tier schedule from ``mode`` and ``tiers`` (``[pricing]``, a channel's, the pilot's)."""
        tiers = self.table_list(
            table.get("tiers"),
            f"{path}.tiers",
            lambda tier, tier_path: self.fields(Tier, {"up_to": None, **tier}, tier_path),
            'a list of tables such as [{ up_to = 5000, unit_price = "3.50" }, { unit_price = "2.75" }]',
        )
        if tiers is not None:
            # TierSchedule's validator raises only the first; a file reports them all.
            order_problems = tier_problems(tuple(tiers))
            self.problems.extend(problem.at(path) for problem in order_problems)
            if order_problems:
                tiers = None
        return self.fields(TierSchedule, table, path, skip=skip, tiers=tiers)

    def package_pricing(self, table: Mapping[str, Any]) -> PackagePricing | None:
        """The ``[pricing]`` table of ``mode = "package"``: package keys, and no tiers."""
        if "tiers" in table:
            self.add(
                "pricing.tiers",
                'is not allowed with mode = "package"',
                "package prices take package_size, package_price and free_units, not tiers",
            )
        return self.fields(PackagePricing, table, "pricing", skip=("mode", "tiers", *_YEAR_KEYS))

    def channels(self, value: object) -> dict[str, TierSchedule] | None:
        """The ``[pricing.channels.<channel>]`` tables, each a tier schedule."""
        if not isinstance(value, Mapping) or "channels" not in value:
            return {}
        table = self.table(value["channels"], "pricing.channels")
        if table is None:
            return None
        found: dict[str, TierSchedule] = {}
        ok = True
        for channel, raw in table.items():
            path = _join("pricing.channels", channel)
            sub = self.table(raw, path)
            schedule = None if sub is None else self.schedule(sub, path)
            if schedule is None:
                ok = False
            else:
                found[channel] = schedule
        return found if ok else None

    def pilot(self, value: object) -> Pilot | object | None:
        """The ``[pilot]`` clause, None when the file has none, `_BAD_AUDIT` on a problem."""
        if value is None:
            return None
        table = self.table(value, "pilot")
        if table is None:
            return _BAD_AUDIT
        criteria_keys = [field.name for field in attrs.fields(PilotCriteria)]
        known = ["starts_on", "ends_on", "unit_price", "mode", "tiers", *criteria_keys]
        for key in table:
            if key not in known:
                self.add(
                    _join("pilot", key), "is not a known key", f"the keys are {', '.join(known)}"
                )
                return _BAD_AUDIT
        schedule: TierSchedule | None
        if "unit_price" in table:
            if "tiers" in table or "mode" in table:
                self.add(
                    "pilot.unit_price",
                    "is given with mode or tiers",
                    "a pilot price as unit_price, or as mode and tiers, not both",
                )
                return _BAD_AUDIT
            schedule = self.attempt(
                "pilot",
                lambda: TierSchedule.graduated(Tier(unit_price=table["unit_price"])),
            )
        else:
            schedule = self.schedule(
                {key: table[key] for key in ("mode", "tiers") if key in table}, "pilot"
            )
        others = tuple(key for key in known if key not in {"starts_on", "ends_on"})
        dates = self.values(Pilot, table, "pilot", keys=("starts_on", "ends_on"), skip=others)
        criteria = self.fields(
            PilotCriteria, {key: table[key] for key in criteria_keys if key in table}, "pilot"
        )
        if schedule is None or dates is None or criteria is None:
            return _BAD_AUDIT
        built = self.attempt("pilot", lambda: Pilot(**dates, pricing=schedule, criteria=criteria))
        return _BAD_AUDIT if built is None else built

    def year(self, value: object) -> dict[str, Any] | None:
        """The contract-year keys of ``[pricing]``: ``accumulate`` and the included allowance."""
        if not isinstance(value, Mapping):
            return {}  # `pricing` reports a missing or malformed table
        found: dict[str, Any] = {}
        ok = True
        if "accumulate" in value:
            try:
                found["accumulate"] = parse_choice(Accumulate, value["accumulate"], "accumulate")
            except InvalidValueError as error:
                self.problems.append(error.at("pricing"))
                ok = False
        allowance_keys = {"included": "units", "included_per": "per", "rollover": "rollover"}
        given = {name: value[key] for key, name in allowance_keys.items() if key in value}
        if given and "units" not in given:
            for key in allowance_keys:
                if key in value:
                    self.add(
                        f"pricing.{key}",
                        "is set without included",
                        "included = <units> with included_per and rollover",
                    )
            return None
        if given:
            try:
                found["allowance"] = IncludedAllowance(**given)
            except (InvalidValueError, InvalidTypeError) as error:
                key = {"units": "included", "per": "included_per"}.get(error.path, error.path)
                self.problems.append(type(error)(f"pricing.{key}", error.problem, error.allowed))
                ok = False
        return found if ok else None

    def bands(self, value: object) -> list[AutomationBand] | None:
        """The ``[[pricing.automation_bands]]`` (their table is read, and checked, by `pricing`)."""
        if not isinstance(value, Mapping) or "automation_bands" not in value:
            return []
        return self.table_list(
            value["automation_bands"],
            "pricing.automation_bands",
            lambda band, path: self.fields(AutomationBand, band, path),
            '[[pricing.automation_bands]] tables such as { at_least = "0.40", factor = "0.90" }',
        )

    def table_list(
        self,
        value: object,
        path: str,
        build: Callable[[Mapping[str, Any], str], _T | None],
        allowed: str,
    ) -> list[_T] | None:
        """Build every table of the list ``value``; None if any has a problem."""
        if not isinstance(value, list):
            problem = "is missing" if value is None else f"{shown(value)} is not a list"
            self.add(path, problem, allowed)
            return None
        if not self.within_limit(value, path):
            return None
        built = []
        for index, item in enumerate(value):
            item_path = f"{path}[{index}]"
            table = self.table(item, item_path)
            built.append(None if table is None else build(table, item_path))
        return None if any(item is None for item in built) else [item for item in built if item]

    def items(
        self,
        value: object,
        path: str,
        kinds: Mapping[str, type[Any]],
        build: Callable[[type[Any], Mapping[str, Any], str], Any],
    ) -> list[Any] | None:
        if not isinstance(value, list):
            self.add(
                path,
                f"{shown(value)} is not an array of tables",
                f"[[{path}]] tables",
                kind=InvalidTypeError,
            )
            return None
        if not self.within_limit(value, path):
            return None
        results: list[Any] = []
        for index, raw in enumerate(value):
            item_path = f"{path}[{index}]"
            table = self.table(raw, item_path)
            if table is None:
                results.append(None)
                continue
            kind = table.get("kind")
            if not isinstance(kind, str) or kind not in kinds:
                allowed = "one of " + ", ".join(f'"{name}"' for name in kinds)
                problem = (
                    "is missing" if kind is None else f"{shown(kind)} is not a kind of {path[:-1]}"
                )
                self.add(f"{item_path}.kind", problem, allowed)
                results.append(None)
                continue
            results.append(build(kinds[kind], table, item_path))
        return results if all(item is not None for item in results) else None

    def cap(self, cls: type[Cap], table: Mapping[str, Any], path: str) -> Cap | None:
        return self.fields(cls, table, path, skip=("kind",))

    def fee(self, cls: type[Fee], table: Mapping[str, Any], path: str) -> Fee | None:
        if cls is not ImplementationFee:
            return self.fields(cls, table, path, skip=("kind",))
        if "amortize_months" in table:
            # It never changed an invoice: a business case assumption, not a contract term.
            self.add(
                f"{path}.amortize_months",
                "has moved out of the contract into the business case",
                "remove it and pass BusinessCase(amortize_months=...) "
                "(or amortize_months in a business-case scenario file)",
            )
            return None
        milestones = self.table_list(
            table.get("milestones"),
            f"{path}.milestones",
            lambda milestone, item_path: self.fields(Milestone, milestone, item_path),
            "a list of { deliverable, amount, accepted_on } tables",
        )
        return self.fields(cls, table, path, skip=("kind",), milestones=milestones)


_PACKAGE_KEYS = tuple(field.name for field in attrs.fields(PackagePricing))
"""The ``[pricing]`` keys of ``mode = "package"`` only."""

_BAD_AUDIT = object()
"""What `_Reader.audit` returns for an ``[audit]`` table with a problem (None means absent)."""

_REQUIRED = "this key is required"
_REQUIRED_HINTS = {
    "name": "a string naming the contract is required",
    "currency": 'an ISO 4217 code such as "AED" is required',
    "timezone": 'an IANA time zone such as "Asia/Dubai" is required',
    "starts_on": "the first day of the term, such as 2026-07-01, is required",
}


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _join(path: str, key: str) -> str:
    # A key that is not a bare TOML key is quoted, as TOML would: the path of an
    # unknown "" or "a.b" key must be neither empty nor ambiguous.
    text = str(key)  # a Python caller's mapping may have other keys than strings
    name = text if _BARE_KEY.match(text) else json.dumps(text, ensure_ascii=False)
    return f"{path}.{name}" if path else name


def _plain(value: object, text: Callable[[Decimal], str] = format_decimal) -> object:
    if isinstance(value, Decimal):
        return text(value)
    if isinstance(value, timedelta):
        return format_window(value)
    if hasattr(value, "value") and not isinstance(value, (date, datetime)):
        return value.value  # an enum
    return value


def _quantity(value: Decimal) -> int | str:
    # An int only for a value written as one: 5.0 stays "5.0", so that the contract
    # read back prints its invoice breakdown byte for byte alike.
    exponent = value.as_tuple().exponent
    return int(value) if isinstance(exponent, int) and exponent >= 0 else format_decimal(value)


def _normal(value: Decimal) -> str:
    """A decimal in normal form: no trailing zeros, never an exponent (``3.50`` is ``3.5``)."""
    with decimal.localcontext(ARITHMETIC):
        return format_decimal(value.normalize())


def canonical_contract_json(contract: Contract) -> str:
    """The contract's canonical form: its file data as JSON, sorted, decimals normalized.

    Equal contracts give the same text, however their numbers were written.

    Examples:
        >>> from resolutionpricing import load_contract
        >>> from resolutionpricing._files import canonical_contract_json
        >>> canonical_contract_json(load_contract("examples/contract.toml"))[:45]
        '{"audit":{"basis":"point","tolerance":"0.02"}'
    """
    data = _contract_data(contract, _normal, _normal)
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_value
    )


def _json_value(value: object) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    msg = f"{value!r} is not JSON"  # pragma: no cover - contract data holds nothing else
    raise TypeError(msg)  # pragma: no cover


def contract_to_dict(contract: Contract) -> dict[str, Any]:
    """The contract as the data of a contract file (money as strings, dates as dates).

    Reading it back with `contract_from_dict` gives an equal contract.

    Examples:
        >>> from resolutionpricing import contract_to_dict, load_contract
        >>> data = contract_to_dict(load_contract("examples/contract.toml"))
        >>> data["pricing"]["tiers"][0]
        {'up_to': 5000, 'unit_price': '3.50'}
    """
    return _contract_data(contract, format_decimal, _quantity)


def _contract_data(
    contract: Contract,
    text: Callable[[Decimal], str],
    quantity: Callable[[Decimal], int | str],
) -> dict[str, Any]:
    """The contract file's data, with decimals written by ``text`` (quantities by ``quantity``)."""
    head = {
        key: _plain(getattr(contract, key), text)
        for key in _CONTRACT_KEYS
        if getattr(contract, key) is not None
    }
    rule = contract.resolution
    resolution = {
        field.name: _plain(getattr(rule, field.name), text)
        for field in attrs.fields(ResolutionRule)
        if getattr(rule, field.name) is not None
    }
    data: dict[str, Any] = {
        "contract": head,
        "resolution": resolution,
        "pricing": _pricing_data(contract.pricing, text, quantity),
    }
    if contract.automation_bands:
        data["pricing"]["automation_bands"] = [
            {"at_least": text(band.at_least), "factor": text(band.factor)}
            for band in contract.automation_bands
        ]
    _add_year_clauses(data, contract, text, quantity)
    if contract.caps:
        data["caps"] = [_item(cap, text, quantity) for cap in contract.caps]
    if contract.fees:
        data["fees"] = [_item(fee, text, quantity) for fee in contract.fees]
    if contract.audit is not None:
        data["audit"] = {
            "basis": contract.audit.basis.value,
            "tolerance": text(contract.audit.tolerance),
        }
    if contract.billing != BillingClause():  # written only when it differs from the default
        data["billing"] = contract.billing.to_dict()
    return data


def _add_year_clauses(
    data: dict[str, Any],
    contract: Contract,
    text: Callable[[Decimal], str],
    quantity: Callable[[Decimal], int | str],
) -> None:
    """The contract-year keys of ``[pricing]``, the channels' schedules and the ``[pilot]``."""
    data["pricing"].update(_year_data(contract, quantity))
    if contract.channel_pricing:
        data["pricing"]["channels"] = {
            channel: _pricing_data(schedule, text, quantity)
            for channel, schedule in contract.channel_pricing.items()
        }
    if contract.pilot is not None:
        data["pilot"] = _pilot_data(contract.pilot, text, quantity)


def _pricing_data(
    pricing: TierSchedule | PackagePricing,
    text: Callable[[Decimal], str],
    quantity: Callable[[Decimal], int | str],
) -> dict[str, Any]:
    """The ``[pricing]`` table: the mode, then the tiers or the package terms."""
    if isinstance(pricing, PackagePricing):
        return {
            "mode": pricing.mode.value,
            "package_size": pricing.package_size,
            "package_price": text(pricing.package_price),
            "free_units": quantity(pricing.free_units),
        }
    tiers = []
    for tier in pricing.tiers:
        row: dict[str, Any] = {}
        if tier.up_to is not None:
            row["up_to"] = quantity(tier.up_to)
        row["unit_price"] = text(tier.unit_price)
        if text(tier.flat_fee) != "0":  # keeps a fee written "0.00"
            row["flat_fee"] = text(tier.flat_fee)
        tiers.append(row)
    return {"mode": pricing.mode.value, "tiers": tiers}


def _pilot_data(
    pilot: Pilot,
    text: Callable[[Decimal], str],
    quantity: Callable[[Decimal], int | str],
) -> dict[str, Any]:
    data: dict[str, Any] = {"starts_on": pilot.starts_on, "ends_on": pilot.ends_on}
    data.update(_pricing_data(pilot.pricing, text, quantity))
    for field in attrs.fields(PilotCriteria):
        value = getattr(pilot.criteria, field.name)
        if value is not None:
            data[field.name] = text(value)
    return data


def _year_data(contract: Contract, quantity: Callable[[Decimal], int | str]) -> dict[str, Any]:
    """The contract-year keys of ``[pricing]``, each only when it is not the default."""
    data: dict[str, Any] = {}
    if contract.accumulate is not Accumulate.PERIOD:
        data["accumulate"] = contract.accumulate.value
    if contract.allowance is not None:
        data["included"] = quantity(contract.allowance.units)
        if contract.allowance.per is not AllowancePer.PERIOD:
            data["included_per"] = contract.allowance.per.value
        if contract.allowance.rollover:
            data["rollover"] = True
    return data


def _item(
    item: Cap | Fee,
    text: Callable[[Decimal], str],
    quantity: Callable[[Decimal], int | str],
) -> dict[str, object]:
    row: dict[str, Any] = {"kind": item.kind}
    for field in attrs.fields(type(item)):
        value = getattr(item, field.name)
        if value is None or (
            field.default is not attrs.NOTHING
            and value == field.default
            and field.name != "unit_price"
        ):
            continue
        if field.name == "milestones":
            row["milestones"] = [
                {
                    "deliverable": m.deliverable,
                    "amount": text(m.amount),
                    "accepted_on": m.accepted_on,
                }
                for m in value
            ]
        elif field.name in {"above", "limit"} and isinstance(item, (PauseCap, StepDownCap)):
            row[field.name] = quantity(value)
        else:
            row[field.name] = _plain(value, text)
    return row


def dump_contract(contract: Contract) -> str:
    """The contract as TOML text; `loads_contract` reads it back to an equal contract.

    Examples:
        >>> from resolutionpricing import dump_contract, load_contract, loads_contract
        >>> contract = load_contract("examples/contract.toml")
        >>> loads_contract(dump_contract(contract)) == contract
        True
    """
    return tomli_w.dumps(contract_to_dict(contract))
