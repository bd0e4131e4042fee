"""The buyer's arithmetic: today's cost per contact against the AI's, month by month.

Each month of a `BusinessCase` has its contacts (a `VolumeForecast`), an
automation rate (an `AutomationRamp`) and so its resolutions,
``contacts x rate``, kept exact (quotes take fractional units, so nothing is
rounded that the contract would not round). The escalations are the rest,
``contacts - resolutions`` rounded half-up to whole contacts (an escalation
fee counts contacts). The month is priced with `quote`; every money figure of
the case is rounded to the currency's minor unit with the contract's mode;
per-contact figures are rounded half-up to 4 places.
"""

from __future__ import annotations

import csv
import decimal
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, Literal

import attrs

from resolutionpricing._calculator import quote
from resolutionpricing._contract import Contract
from resolutionpricing._display import html_table, text_table
from resolutionpricing._errors import InvalidTypeError, InvalidValueError
from resolutionpricing._fees import ImplementationFee, OneTimeFee
from resolutionpricing._frames import rows_to_pandas
from resolutionpricing._invoice import Invoice
from resolutionpricing._money import ARITHMETIC, minor_unit, to_decimal
from resolutionpricing._periods import BillingPeriod, Cadence

__all__ = [
    "AutomationRamp",
    "BusinessCase",
    "BusinessCaseMonth",
    "BusinessCaseResult",
    "BusinessCaseSummary",
    "CostBaseline",
    "SpikeRow",
    "SpikeTest",
    "VolumeForecast",
    "spike_test",
    "spread",
]

MAX_MONTHS: Final = 600
"""Fifty years: longer forecasts, ramps and spreads are typos."""
_ZERO: Final = Decimal(0)
_ONE: Final = Decimal(1)
_PER_CONTACT: Final = Decimal("0.0001")
_WHOLE: Final = Decimal(1)
_SEED_RAMPS: Final = {
    "low": ("0.30", "0.60", "0.80"),
    "mid": ("0.40", "0.675", "0.825"),
    "high": ("0.50", "0.75", "0.85"),
}
# Months 1-3, 4-8 and 9 onward: the seed's training, improvement and steady state.
_SEED_MONTHS: Final = (3, 5, 1)


def _whole(value: object, path: str, minimum: int = 0, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidTypeError(
            path, f"{value!r} is not a whole number", f"an int of {minimum} or more"
        )
    if value < minimum or (maximum is not None and value > maximum):
        allowed = f"{minimum} or more" if maximum is None else f"{minimum} to {maximum}"
        raise InvalidValueError(path, f"{value} is out of range", allowed)
    return value


def _rate(value: object, path: str) -> Decimal:
    rate = to_decimal(value, path, minimum=_ZERO)
    if rate > 1:
        raise InvalidValueError(path, f"{rate} is above 1", 'a rate from 0 to 1, such as "0.60"')
    return rate


def _per_contact(amount: Decimal, contacts: int) -> Decimal | None:
    if not contacts:
        return None
    with decimal.localcontext(ARITHMETIC):
        return (amount / contacts).quantize(_PER_CONTACT, rounding=decimal.ROUND_HALF_UP)


def spread(amount: Decimal | int | str, months: int, currency: str) -> tuple[Decimal, ...]:
    """``amount`` spread evenly over ``months``, summing to it exactly in the currency.

    Each share is rounded down to the currency's minor unit; the remainder is
    added to the last month's share.

    Examples:
        >>> from resolutionpricing.business_case import spread
        >>> spread("100.00", 3, "USD")
        (Decimal('33.33'), Decimal('33.33'), Decimal('33.34'))
    """
    total = to_decimal(amount, "amount", minimum=_ZERO)
    count = _whole(months, "months", 1, MAX_MONTHS)
    exponent = Decimal(1).scaleb(-minor_unit(currency))
    with decimal.localcontext(ARITHMETIC):
        share = (total / count).quantize(exponent, rounding=decimal.ROUND_DOWN)
        last = (total - share * (count - 1)).quantize(exponent)
    return (share,) * (count - 1) + (last,)


def _components(value: object) -> Mapping[str, Decimal]:
    if not isinstance(value, Mapping) or not value:
        raise InvalidTypeError(
            "components",
            f"{value!r} is not a non-empty mapping",
            'a mapping of cost name to annual amount, such as {"salaries": "5200000"}',
        )
    checked = {}
    for name, amount in value.items():
        if not isinstance(name, str) or not name.strip():
            raise InvalidValueError(
                "components", f"{name!r} is not a cost name", "a non-empty string"
            )
        checked[name] = to_decimal(amount, f"components.{name}", minimum=_ZERO)
    return checked


def _currency(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidTypeError("currency", f"{value!r} is not a currency code", 'such as "USD"')
    minor_unit(value)


def _annual_contacts(value: object) -> int:
    return _whole(value, "annual_contacts", 1)


@attrs.frozen
class CostBaseline:
    """What a contact costs today: every annual cost of the human operation over its contacts.

    List the costs most often forgotten (everything but wages) as their own
    components, so they are visible.

    Attributes:
        components: cost name to annual amount (salaries, benefits,
            management, training, attrition, BPO fees...).
        annual_contacts: the contacts a year these costs handle (1 or more).
        currency: the ISO 4217 code of the amounts.

    Examples:
        >>> from resolutionpricing.business_case import CostBaseline
        >>> baseline = CostBaseline({"salaries": "5200000", "benefits": "1300000", "management": "900000", "training": "400000", "attrition": "600000"}, 600_000, "USD")
        >>> baseline.annual_cost, baseline.cost_per_contact
        (Decimal('8400000'), Decimal('14'))
    """

    components: Mapping[str, Decimal] = attrs.field(converter=_components)
    annual_contacts: int = attrs.field(converter=_annual_contacts)
    currency: str = attrs.field(validator=_currency)

    @property
    def annual_cost(self) -> Decimal:
        """The sum of the components."""
        with decimal.localcontext(ARITHMETIC):
            return sum(self.components.values(), start=_ZERO)

    @property
    def cost_per_contact(self) -> Decimal:
        """The annual cost over the annual contacts, exact (to 60 significant digits)."""
        with decimal.localcontext(ARITHMETIC):
            return self.annual_cost / self.annual_contacts

    def to_rows(self) -> list[dict[str, object]]:
        """One row per component, with its share of the cost per contact (4 places)."""
        rows: list[dict[str, object]] = []
        for name, amount in self.components.items():
            share = _per_contact(amount, self.annual_contacts)
            rows.append({"component": name, "annual_amount": amount, "per_contact": share})
        rows.append(
            {
                "component": "total",
                "annual_amount": self.annual_cost,
                "per_contact": _per_contact(self.annual_cost, self.annual_contacts),
            }
        )
        return rows

    def to_pandas(self, *, exact: bool = True) -> Any:  # noqa: ANN401 -- a pandas.DataFrame
        """`to_rows` as a `pandas.DataFrame` (extra ``resolutionpricing[pandas]``); ``exact=False`` gives floats."""
        return rows_to_pandas(self.to_rows(), exact=exact)

    def to_text(self) -> str:
        """The rows as a text table."""
        return text_table(self.to_rows())

    def _repr_html_(self) -> str:
        return html_table(self.to_rows(), caption=f"Cost per contact ({self.currency})")


def _rates(values: object) -> tuple[Decimal, ...]:
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
        raise InvalidTypeError(
            "rates", f"{values!r} is not a list", 'a list of rates such as ["0.30", "0.60"]'
        )
    rates = tuple(_rate(value, f"rates[{index}]") for index, value in enumerate(values))
    if not rates or len(rates) > MAX_MONTHS:
        raise InvalidValueError("rates", f"has {len(rates)} rates", f"1 to {MAX_MONTHS} rates")
    return rates


@attrs.frozen
class AutomationRamp:
    """The automation rate by month of the case; the last rate holds after the last month.

    Attributes:
        rates: the rate of month 1, 2...; each from 0 to 1.

    Examples:
        >>> from resolutionpricing.business_case import AutomationRamp
        >>> ramp = AutomationRamp(["0.30", "0.50"])
        >>> ramp.rate(1), ramp.rate(2), ramp.rate(36)
        (Decimal('0.30'), Decimal('0.50'), Decimal('0.50'))
    """

    rates: tuple[Decimal, ...] = attrs.field(converter=_rates)

    @classmethod
    def flat(cls, rate: Decimal | int | str) -> AutomationRamp:
        """One rate every month (the seed's year-one convention: a conservative 60 %).

        Examples:
            >>> from resolutionpricing.business_case import AutomationRamp
            >>> AutomationRamp.flat("0.60").rate(12)
            Decimal('0.60')
        """
        return cls([rate])

    @classmethod
    def seed(cls, scenario: Literal["low", "mid", "high"]) -> AutomationRamp:
        """The seed article's ramp: months 1-3, 4-8 and 9 onward.

        ``"low"`` is 30 %, 60 %, 80 %; ``"high"`` 50 %, 75 %, 85 %; ``"mid"``
        their midpoints, 40 %, 67.5 %, 82.5 %.

        Examples:
            >>> from resolutionpricing.business_case import AutomationRamp
            >>> ramp = AutomationRamp.seed("mid")
            >>> [str(ramp.rate(month)) for month in (1, 3, 4, 8, 9, 18)]
            ['0.40', '0.40', '0.675', '0.675', '0.825', '0.825']
        """
        if scenario not in _SEED_RAMPS:
            raise InvalidValueError(
                "scenario", f"{scenario!r} is not a seed ramp", 'one of "low", "mid", "high"'
            )
        rates: list[str] = []
        for rate, months in zip(_SEED_RAMPS[scenario], _SEED_MONTHS, strict=True):
            rates.extend([rate] * months)
        return cls(rates)

    def rate(self, month: int) -> Decimal:
        """The rate of ``month`` (1 is the case's first month)."""
        number = _whole(month, "month", 1)
        return self.rates[min(number, len(self.rates)) - 1]


def _contacts(values: object) -> tuple[int, ...]:
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
        raise InvalidTypeError("contacts", f"{values!r} is not a list", "a list of whole numbers")
    contacts = tuple(_whole(value, f"contacts[{index}]") for index, value in enumerate(values))
    if not contacts or len(contacts) > MAX_MONTHS:
        raise InvalidValueError(
            "contacts", f"has {len(contacts)} months", f"1 to {MAX_MONTHS} months"
        )
    return contacts


def _optional_period(value: object) -> BillingPeriod | None:
    if value is None:
        return None
    return _month(value, "start")


def _month(value: object, path: str) -> BillingPeriod:
    try:
        period = BillingPeriod.parse(value) if isinstance(value, str) else value
    except InvalidValueError as error:
        raise InvalidValueError(path, error.problem, 'a month such as "2026-07"') from None
    if not isinstance(period, BillingPeriod) or period.cadence is not Cadence.MONTHLY:
        raise InvalidValueError(
            path,
            f"{value!r} is not a month",
            'a month such as "2026-07" or a monthly BillingPeriod',
        )
    return period


def _scaled(contacts: int, factor: Decimal) -> int:
    with decimal.localcontext(ARITHMETIC):
        return int((contacts * factor).quantize(_WHOLE, rounding=decimal.ROUND_HALF_UP))


def _add_months(period: BillingPeriod, months: int) -> BillingPeriod:
    index = period.start.year * 12 + period.start.month - 1 + months
    return BillingPeriod.month(index // 12, index % 12 + 1)


@attrs.frozen
class VolumeForecast:
    """Contacts per month of the case, whole numbers.

    Attributes:
        contacts: the contacts of month 1, 2...
        start: the calendar month of month 1, if the forecast knows it (a
            forecast read from labelled months, or given seasonality); a
            business case checks that it starts then.

    Examples:
        >>> from resolutionpricing.business_case import VolumeForecast
        >>> VolumeForecast([50000, 52000]).contacts
        (50000, 52000)
    """

    contacts: tuple[int, ...] = attrs.field(converter=_contacts)
    start: BillingPeriod | None = attrs.field(
        default=None, converter=_optional_period, kw_only=True
    )

    @classmethod
    def flat(
        cls, contacts: int, months: int, *, start: BillingPeriod | str | None = None
    ) -> VolumeForecast:
        """The same contacts every month for ``months`` months.

        Examples:
            >>> from resolutionpricing.business_case import VolumeForecast
            >>> len(VolumeForecast.flat(50000, 24).contacts)
            24
        """
        count = _whole(months, "months", 1, MAX_MONTHS)
        return cls([_whole(contacts, "contacts")] * count, start=start)

    def with_seasonality(
        self, factors: Sequence[Decimal | int | str], *, start: BillingPeriod | str | None = None
    ) -> VolumeForecast:
        """Each month's contacts times the factor of its calendar month, rounded half-up.

        ``factors`` are 12, January first. The calendar month of month 1 is
        ``start``, or the forecast's own start; one of them is needed.

        Examples:
            >>> from resolutionpricing.business_case import VolumeForecast
            >>> factors = ["1.10", "1"] + ["1"] * 9 + ["1.25"]
            >>> VolumeForecast.flat(1000, 3).with_seasonality(factors, start="2026-12").contacts
            (1250, 1100, 1000)
        """
        first = _optional_period(start) or self.start
        if first is None:
            raise InvalidValueError(
                "start", "is missing", 'the calendar month of month 1, such as start="2026-07"'
            )
        if self.start is not None and first != self.start:
            raise InvalidValueError(
                "start",
                f"{first.label} is not the forecast's start ({self.start.label})",
                "the same month or None",
            )
        if isinstance(factors, (str, bytes)) or len(factors) != 12:
            raise InvalidValueError(
                "factors", f"{factors!r} is not 12 factors", "12 factors, January first"
            )
        checked = [
            to_decimal(factor, f"factors[{index}]", minimum=_ZERO)
            for index, factor in enumerate(factors)
        ]
        contacts = [
            _scaled(count, checked[_add_months(first, index).start.month - 1])
            for index, count in enumerate(self.contacts)
        ]
        return VolumeForecast(contacts, start=first)

    def with_spike(self, month: int, factor: Decimal | int | str) -> VolumeForecast:
        """Month ``month``'s contacts times ``factor`` (a recall, a billing error, an outage).

        Examples:
            >>> from resolutionpricing.business_case import VolumeForecast
            >>> VolumeForecast.flat(50000, 3).with_spike(2, 3).contacts
            (50000, 150000, 50000)
        """
        number = _whole(month, "month", 1, len(self.contacts))
        scale = to_decimal(factor, "factor", minimum=_ZERO)
        contacts = list(self.contacts)
        contacts[number - 1] = _scaled(contacts[number - 1], scale)
        return VolumeForecast(contacts, start=self.start)

    @classmethod
    def from_csv(cls, path: str | os.PathLike[str]) -> VolumeForecast:
        """Read columns ``month,contacts``: months numbered 1, 2... or labelled ``2026-07``, ``2026-08``...

        Labelled months must follow each other; they give the forecast its start.

        Examples:
            >>> from resolutionpricing.business_case import VolumeForecast
            >>> forecast = VolumeForecast.from_csv("examples/business-case/volumes.csv")
            >>> forecast.start.label, forecast.contacts[:3]
            ('2026-07', (50000, 50000, 50000))
        """
        file = Path(path)
        try:
            with file.open(newline="", encoding="utf-8") as handle:
                rows = list(csv.DictReader(handle))
        except (OSError, UnicodeDecodeError) as error:
            raise InvalidValueError(
                str(file), f"cannot be read ({error})", "a readable UTF-8 CSV file"
            ) from None
        if not rows or set(rows[0]) != {"month", "contacts"}:
            raise InvalidValueError(
                str(file),
                "has no rows or other columns than month,contacts",
                "a header month,contacts and one row per month",
            )
        contacts = []
        months = []
        for line, row in enumerate(rows, start=2):
            where = f"{file}, line {line}"
            text = (row["contacts"] or "").strip()
            if not text.isdigit():
                raise InvalidValueError(
                    f"{where}, contacts", f"{text!r} is not a whole number", "0 or more"
                )
            contacts.append(int(text))
            months.append((row["month"] or "").strip())
        return cls(contacts, start=_csv_start(months, file))


def _csv_start(months: list[str], file: Path) -> BillingPeriod | None:
    if all(month.isdigit() for month in months):
        for line, month in enumerate(months, start=2):
            if int(month) != line - 1:
                raise InvalidValueError(
                    f"{file}, line {line}, month",
                    f"{month} is not month {line - 1}",
                    "months numbered 1, 2, 3... in order",
                )
        return None
    first = _month(months[0], f"{file}, line 2, month")
    for line, month in enumerate(months, start=2):
        expected = _add_months(first, line - 2).label
        if month != expected:
            raise InvalidValueError(
                f"{file}, line {line}, month",
                f"{month!r} is not {expected}",
                "consecutive months such as 2026-07, 2026-08",
            )
    return first


@attrs.frozen(kw_only=True)
class BusinessCaseMonth:
    """One month of a business case; money in the contract's currency.

    Attributes:
        month: the month number, 1 first.
        period: its label (``2026-07``).
        contacts: the forecast contacts.
        automation_rate: the ramp's rate.
        resolutions: ``contacts x automation_rate``, exact.
        escalations: the rest, rounded half-up to whole contacts.
        ai_cost_cash: the month's quote (subtotal, or total with tax).
        fees_billed: the one-time and implementation fee lines in it.
        fees_amortized: the shares of the spreads that fall in the month.
        ai_cost: ``ai_cost_cash - fees_billed + fees_amortized``.
        human_cost: ``(contacts - resolutions) x`` the human cost per contact.
        total_cost: ``ai_cost + human_cost`` (amortized basis).
        baseline_cost: ``contacts x`` the baseline cost per contact.
        net_savings: ``baseline_cost - total_cost``.
        cumulative_savings: the net savings to date (amortized basis).
        cumulative_savings_cash: the same on the cash basis.
        cost_per_contact: ``total_cost / contacts`` (4 places; None at 0 contacts).
    """

    month: int
    period: str
    contacts: int
    automation_rate: Decimal
    resolutions: Decimal
    escalations: int
    ai_cost_cash: Decimal
    fees_billed: Decimal
    fees_amortized: Decimal
    ai_cost: Decimal
    human_cost: Decimal
    total_cost: Decimal
    baseline_cost: Decimal
    net_savings: Decimal
    cumulative_savings: Decimal
    cumulative_savings_cash: Decimal
    cost_per_contact: Decimal | None


@attrs.frozen(kw_only=True)
class BusinessCaseSummary:
    """The case in one row.

    Attributes:
        months: the horizon.
        contacts: all contacts over it.
        baseline_cost: what they cost today.
        total_cost: what they cost with the AI, amortized basis.
        total_cost_cash: the same, cash basis.
        total_savings: ``baseline_cost - total_cost``.
        total_savings_cash: ``baseline_cost - total_cost_cash``.
        average_cost_per_contact: ``total_cost / contacts`` (4 places).
        baseline_cost_per_contact: the baseline's (4 places).
        break_even_month: the first month whose cumulative savings are at
            least 0 (amortized basis), or None.
        break_even_month_cash: the same on the cash basis.
        amortized_beyond_horizon: the parts of fee spreads that fall after the
            last month (in ``total_cost_cash`` but not in ``total_cost``).
    """

    months: int
    contacts: int
    baseline_cost: Decimal
    total_cost: Decimal
    total_cost_cash: Decimal
    total_savings: Decimal
    total_savings_cash: Decimal
    average_cost_per_contact: Decimal | None
    baseline_cost_per_contact: Decimal | None
    break_even_month: int | None
    break_even_month_cash: int | None
    amortized_beyond_horizon: Decimal

    def to_rows(self) -> list[dict[str, object]]:
        """The summary as rows of ``figure, value``."""
        return [
            {"figure": field.name, "value": getattr(self, field.name)}
            for field in attrs.fields(type(self))
        ]

    def to_pandas(self, *, exact: bool = True) -> Any:  # noqa: ANN401 -- a pandas.DataFrame
        """`to_rows` as a `pandas.DataFrame` (extra ``resolutionpricing[pandas]``); ``exact=False`` gives floats."""
        return rows_to_pandas(self.to_rows(), exact=exact)

    def to_text(self) -> str:
        """The summary as a text table."""
        return text_table(self.to_rows())

    def _repr_html_(self) -> str:
        return html_table(self.to_rows(), caption="Summary")


@attrs.frozen(kw_only=True)
class BusinessCaseResult:
    """The evaluated case: one row per month, and the summary.

    Attributes:
        currency: the contract's currency.
        months: the `BusinessCaseMonth` rows.
        summary: the `BusinessCaseSummary`.
        invoices: the month's quotes, so every AI cost can be traced to its lines.
    """

    currency: str
    months: tuple[BusinessCaseMonth, ...]
    summary: BusinessCaseSummary
    invoices: tuple[Invoice, ...] = attrs.field(repr=False)

    def to_rows(self) -> list[dict[str, object]]:
        """One flat dict per month (for ``pandas.DataFrame``)."""
        return [attrs.asdict(month) for month in self.months]

    def to_pandas(self, *, exact: bool = True) -> Any:  # noqa: ANN401 -- a pandas.DataFrame
        """`to_rows` as a `pandas.DataFrame` (extra ``resolutionpricing[pandas]``); ``exact=False`` gives floats."""
        return rows_to_pandas(self.to_rows(), exact=exact)

    def to_text(self) -> str:
        """The monthly table, then the summary."""
        columns = (
            "month",
            "period",
            "contacts",
            "automation_rate",
            "ai_cost",
            "human_cost",
            "total_cost",
            "baseline_cost",
            "net_savings",
            "cumulative_savings",
            "cumulative_savings_cash",
            "cost_per_contact",
        )
        rows = [{column: row[column] for column in columns} for row in self.to_rows()]
        return f"Business case ({self.currency})\n\n{text_table(rows)}\n{self.summary.to_text()}"

    def _repr_html_(self) -> str:
        return (
            html_table(self.to_rows(), caption=f"Business case ({self.currency})")
            + self.summary._repr_html_()
        )


def _contract(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Contract):
        raise InvalidTypeError("contract", f"{value!r} is not a Contract", "a Contract")
    if value.billing_period is not Cadence.MONTHLY:
        raise InvalidValueError(
            "contract", "bills quarterly", "a monthly contract: the case prices month by month"
        )


def _of_type(kind: type) -> Callable[[object, attrs.Attribute[Any], object], None]:
    def check(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, kind):
            raise InvalidTypeError(
                attribute.name, f"{value!r} is not a {kind.__name__}", f"a {kind.__name__}"
            )

    return check


def _start(value: object) -> BillingPeriod:
    return _month(value, "start")


def _horizon(value: object) -> int:
    return _whole(value, "months", 1, MAX_MONTHS)


def _amortize(value: object) -> int:
    return _whole(value, "amortize_months", 1, MAX_MONTHS)


def _human(value: object) -> Decimal | None:
    return None if value is None else to_decimal(value, "human_cost_per_contact", minimum=_ZERO)


def _flag(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidTypeError(attribute.name, f"{value!r} is not a bool", "True or False")


@attrs.frozen
class BusinessCase:
    """Today's cost per contact against per-resolution pricing, month by month.

    Each month is priced with `quote` (tiers, caps, automation bands, fees and
    the minimum; tax only with ``include_tax``). The cash basis takes the
    invoice as it is; the amortized basis replaces every one-time and
    implementation fee line by its `spread` over ``amortize_months`` from the
    month it is billed (shares rounded down, the remainder on the spread's
    last month), cut at the horizon (the summary says how much lies beyond).
    Fees billed before ``start`` are not in the case. With ``include_tax`` a
    spread fee is its line plus the tax on it, rounded.

    Attributes:
        contract: a monthly contract whose term covers every month of the case.
        baseline: today's `CostBaseline` (same currency as the contract).
        ramp: the `AutomationRamp`.
        forecast: the `VolumeForecast` (at least ``months`` long).
        start: month 1, a label (``"2026-07"``) or a monthly `BillingPeriod`.
        months: the horizon (default 24).
        amortize_months: the spread of one-time and implementation fees (default 24).
        human_cost_per_contact: what a contact the AI does not resolve costs
            (default: the baseline's cost per contact).
        include_tax: count the invoice's tax (default False).

    Examples:
        >>> from resolutionpricing import load_contract
        >>> from resolutionpricing.business_case import AutomationRamp, BusinessCase, CostBaseline, VolumeForecast
        >>> case = BusinessCase(
        ...     load_contract("examples/business-case/contract.toml"),
        ...     CostBaseline({"agents": "8400000"}, 600_000, "USD"),
        ...     AutomationRamp.flat("0.60"),
        ...     VolumeForecast.flat(50_000, 24),
        ...     start="2026-07",
        ... )
        >>> result = case.evaluate()
        >>> result.summary.average_cost_per_contact, result.summary.break_even_month
        (Decimal('6.5322'), 1)
    """

    contract: Contract = attrs.field(validator=_contract)
    baseline: CostBaseline = attrs.field(validator=_of_type(CostBaseline))
    ramp: AutomationRamp = attrs.field(validator=_of_type(AutomationRamp))
    forecast: VolumeForecast = attrs.field(validator=_of_type(VolumeForecast))
    start: BillingPeriod = attrs.field(converter=_start, kw_only=True)
    months: int = attrs.field(default=24, converter=_horizon, kw_only=True)
    amortize_months: int = attrs.field(default=24, converter=_amortize, kw_only=True)
    human_cost_per_contact: Decimal | None = attrs.field(
        default=None, converter=_human, kw_only=True
    )
    include_tax: bool = attrs.field(default=False, validator=_flag, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if self.baseline.currency != self.contract.currency:
            raise InvalidValueError(
                "baseline.currency",
                f"{self.baseline.currency} is not the contract's currency ({self.contract.currency})",
                "the same currency",
            )
        if len(self.forecast.contacts) < self.months:
            raise InvalidValueError(
                "forecast",
                f"has {len(self.forecast.contacts)} months but the case has {self.months}",
                f"a forecast of {self.months} months or more",
            )
        if self.forecast.start is not None and self.forecast.start != self.start:
            raise InvalidValueError(
                "forecast.start",
                f"{self.forecast.start.label} is not the case's start ({self.start.label})",
                "a forecast that starts in the case's first month",
            )
        for number in (1, self.months):
            period = self.period(number)
            if period.end <= self.contract.starts_on or (
                self.contract.ends_on is not None and period.start > self.contract.ends_on
            ):
                raise InvalidValueError(
                    "months",
                    f"month {number} ({period.label}) is outside the contract's term",
                    "a case within the contract's term",
                )

    def period(self, month: int) -> BillingPeriod:
        """The calendar month of month ``month`` (1 is ``start``)."""
        return _add_months(self.start, _whole(month, "month", 1) - 1)

    @property
    def cost_per_contact(self) -> Decimal:
        """The human cost of a contact the AI does not resolve."""
        if self.human_cost_per_contact is not None:
            return self.human_cost_per_contact
        return self.baseline.cost_per_contact

    def evaluate(self) -> BusinessCaseResult:
        """Price every month and add it up."""
        invoices = [self._quote(number) for number in range(1, self.months + 1)]
        fees = [self._fees(invoice) for invoice in invoices]
        amortized, beyond = self._amortized(fees)
        rows: list[BusinessCaseMonth] = []
        cumulative = cumulative_cash = self.contract.round(_ZERO)
        with decimal.localcontext(ARITHMETIC):
            for number, invoice in enumerate(invoices, start=1):
                row = self._month(number, invoice, fees[number - 1], amortized[number - 1])
                cumulative += row["net_savings"]
                cumulative_cash += row["baseline_cost"] - row["ai_cost_cash"] - row["human_cost"]
                rows.append(
                    BusinessCaseMonth(
                        **row,
                        cumulative_savings=cumulative,
                        cumulative_savings_cash=cumulative_cash,
                    )
                )
        return BusinessCaseResult(
            currency=self.contract.currency,
            months=tuple(rows),
            summary=self._summary(rows, beyond),
            invoices=tuple(invoices),
        )

    def _counts(self, number: int) -> tuple[int, Decimal, Decimal, int]:
        contacts = self.forecast.contacts[number - 1]
        rate = self.ramp.rate(number)
        with decimal.localcontext(ARITHMETIC):
            resolutions = contacts * rate
            escalations = int(
                (contacts - resolutions).quantize(_WHOLE, rounding=decimal.ROUND_HALF_UP)
            )
        return contacts, rate, resolutions, escalations

    def _quote(self, number: int) -> Invoice:
        contacts, _, resolutions, escalations = self._counts(number)
        return quote(
            self.contract,
            self.period(number),
            resolutions=resolutions,
            escalations=escalations,
            contacts=contacts,
        )

    def _fees(self, invoice: Invoice) -> Decimal:
        """The month's one-time and implementation fee lines (with their tax, if counted)."""
        one_time = {fee.code for fee in self.contract.fees if isinstance(fee, OneTimeFee)}
        has_implementation = any(isinstance(fee, ImplementationFee) for fee in self.contract.fees)
        total = self.contract.round(_ZERO)
        with decimal.localcontext(ARITHMETIC):
            for line in invoice.lines:
                if line.code in one_time or (has_implementation and line.code == "implementation"):
                    tax = (
                        self.contract.round(line.amount * self.contract.tax_rate)
                        if self.include_tax
                        else _ZERO
                    )
                    total += line.amount + tax
        return total

    def _amortized(self, fees: list[Decimal]) -> tuple[list[Decimal], Decimal]:
        shares = [self.contract.round(_ZERO)] * self.months
        beyond = self.contract.round(_ZERO)
        with decimal.localcontext(ARITHMETIC):
            for billed_in, amount in enumerate(fees):
                if not amount:
                    continue
                for offset, share in enumerate(
                    spread(amount, self.amortize_months, self.contract.currency)
                ):
                    month = billed_in + offset
                    if month < self.months:
                        shares[month] += share
                    else:
                        beyond += share
        return shares, beyond

    def _month(
        self, number: int, invoice: Invoice, fees: Decimal, amortized: Decimal
    ) -> dict[str, Any]:
        contacts, rate, resolutions, escalations = self._counts(number)
        cash = invoice.total if self.include_tax else invoice.subtotal
        with decimal.localcontext(ARITHMETIC):
            ai_cost = cash - fees + amortized
            human = self.contract.round((contacts - resolutions) * self.cost_per_contact)
            baseline = self.contract.round(contacts * self.baseline.cost_per_contact)
            total = ai_cost + human
            return {
                "month": number,
                "period": invoice.period.label,
                "contacts": contacts,
                "automation_rate": rate,
                "resolutions": resolutions,
                "escalations": escalations,
                "ai_cost_cash": cash,
                "fees_billed": fees,
                "fees_amortized": amortized,
                "ai_cost": ai_cost,
                "human_cost": human,
                "total_cost": total,
                "baseline_cost": baseline,
                "net_savings": baseline - total,
                "cost_per_contact": _per_contact(total, contacts),
            }

    def _summary(self, rows: list[BusinessCaseMonth], beyond: Decimal) -> BusinessCaseSummary:
        zero = self.contract.round(_ZERO)
        with decimal.localcontext(ARITHMETIC):
            contacts = sum(row.contacts for row in rows)
            baseline = sum((row.baseline_cost for row in rows), start=zero)
            total = sum((row.total_cost for row in rows), start=zero)
            cash = sum((row.ai_cost_cash + row.human_cost for row in rows), start=zero)
            return BusinessCaseSummary(
                months=self.months,
                contacts=contacts,
                baseline_cost=baseline,
                total_cost=total,
                total_cost_cash=cash,
                total_savings=baseline - total,
                total_savings_cash=baseline - cash,
                average_cost_per_contact=_per_contact(total, contacts),
                baseline_cost_per_contact=_per_contact(self.baseline.cost_per_contact, 1),
                break_even_month=next(
                    (row.month for row in rows if row.cumulative_savings >= 0), None
                ),
                break_even_month_cash=next(
                    (row.month for row in rows if row.cumulative_savings_cash >= 0), None
                ),
                amortized_beyond_horizon=beyond,
            )


@attrs.frozen(kw_only=True)
class SpikeRow:
    """One quoted scenario of a spike test.

    Attributes:
        scenario: ``normal``, ``spike_with_caps`` or ``spike_without_caps``.
        resolutions: the billable units quoted.
        total: the invoice total.
    """

    scenario: str
    resolutions: Decimal
    total: Decimal


@attrs.frozen(kw_only=True)
class SpikeTest:
    """What a spike month costs with the contract's caps and without them.

    Attributes:
        period: the period quoted.
        factor: the spike's factor.
        rows: ``normal``, ``spike_with_caps``, ``spike_without_caps``.
        saved_by_caps: ``spike_without_caps.total - spike_with_caps.total``
            (negative if a step-down price is above the tier it replaces).
    """

    period: str
    factor: Decimal
    rows: tuple[SpikeRow, ...]
    saved_by_caps: Decimal

    def row(self, scenario: str) -> SpikeRow:
        """The row of ``scenario``."""
        return next(row for row in self.rows if row.scenario == scenario)

    def to_rows(self) -> list[dict[str, object]]:
        """The three scenarios, then ``saved_by_caps`` as a row of its own."""
        rows: list[dict[str, object]] = [attrs.asdict(row) for row in self.rows]
        rows.append({"scenario": "saved_by_caps", "resolutions": None, "total": self.saved_by_caps})
        return rows

    def to_pandas(self, *, exact: bool = True) -> Any:  # noqa: ANN401 -- a pandas.DataFrame
        """`to_rows` as a `pandas.DataFrame` (extra ``resolutionpricing[pandas]``); ``exact=False`` gives floats."""
        return rows_to_pandas(self.to_rows(), exact=exact)

    def to_text(self) -> str:
        """The rows as a text table."""
        return text_table(self.to_rows())

    def _repr_html_(self) -> str:
        return html_table(self.to_rows(), caption=f"Spike test, {self.period}, x{self.factor}")


def spike_test(
    contract: Contract,
    period: BillingPeriod | str,
    *,
    resolutions: Decimal | int | str,
    factor: Decimal | int | str = 3,
    contacts: int | None = None,
    escalations: int = 0,
) -> SpikeTest:
    """Quote a normal month, and a spike month with the contract's caps and without them.

    The spike multiplies the resolutions (exactly), and the contacts and
    escalations (rounded half-up), by ``factor``. Only the invoice is priced:
    the human cost of contacts a pause cap sends back belongs to the business
    case. ``contacts`` is needed when the contract has automation bands.

    Examples:
        >>> from resolutionpricing import load_contract
        >>> from resolutionpricing.business_case import spike_test
        >>> test = spike_test(load_contract("examples/contract.toml"), "2026-10", resolutions=20000)
        >>> [(row.scenario, str(row.total)) for row in test.rows]
        [('normal', '65887.50'), ('spike_with_caps', '98700.00'), ('spike_without_caps', '149887.50')]
        >>> test.saved_by_caps
        Decimal('51187.50')
    """
    scale = to_decimal(factor, "factor", minimum=_ZERO)
    units = to_decimal(resolutions, "resolutions", minimum=_ZERO)
    with decimal.localcontext(ARITHMETIC):
        spiked = units * scale
    spiked_contacts = None if contacts is None else _scaled(_whole(contacts, "contacts"), scale)
    spiked_escalations = _scaled(_whole(escalations, "escalations"), scale)
    uncapped = attrs.evolve(contract, caps=())
    quotes = (
        ("normal", contract, units, contacts, escalations),
        ("spike_with_caps", contract, spiked, spiked_contacts, spiked_escalations),
        ("spike_without_caps", uncapped, spiked, spiked_contacts, spiked_escalations),
    )
    rows = tuple(
        SpikeRow(
            scenario=name,
            resolutions=count,
            total=quote(
                terms, period, resolutions=count, escalations=escalated, contacts=seen
            ).total,
        )
        for name, terms, count, seen, escalated in quotes
    )
    with decimal.localcontext(ARITHMETIC):
        saved = rows[2].total - rows[1].total
    return SpikeTest(
        period=contract.period(period).label, factor=scale, rows=rows, saved_by_caps=saved
    )
