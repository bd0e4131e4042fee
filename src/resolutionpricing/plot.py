"""Charts of contracts and reports, drawn with matplotlib (extra ``resolutionpricing[plot]``).

The core never imports matplotlib; this module imports it only inside each
function. Every function returns a `matplotlib.figure.Figure` made with the
Agg canvas directly, so no pyplot state or global backend is touched: show
it in a notebook by leaving it as a cell's value, or save it with
``figure.savefig("chart.svg")``.

Prices are computed exactly (the library's own `Decimal` arithmetic) and
turned into floats only to be drawn.

Examples:
    >>> from resolutionpricing import load_contract
    >>> from resolutionpricing.plot import plot_price_curve
    >>> figure = plot_price_curve(load_contract("examples/contract.toml"), 40000)
    >>> [axes.get_title() for axes in figure.axes]
    ['Resolution charge after caps (AED)', 'Price per resolution (AED)']
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from resolutionpricing._billing import BillingRun
from resolutionpricing._business_case import BusinessCaseResult
from resolutionpricing._calculator import _resolution_lines
from resolutionpricing._caps import PauseCap, SpendCap, StepDownCap
from resolutionpricing._clauses import ClauseReport
from resolutionpricing._contract import Contract
from resolutionpricing._contract_year import opening_balances, uses_contract_year
from resolutionpricing._errors import InvalidTypeError, InvalidValueError
from resolutionpricing._frames import require
from resolutionpricing._money import ARITHMETIC
from resolutionpricing._offers import OfferReport
from resolutionpricing._periods import BillingPeriod
from resolutionpricing._tiers import PackagePricing, PricingMode, TierSchedule, to_quantity
from resolutionpricing._usage import Usage

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from resolutionpricing._invoice import Invoice

__all__ = [
    "plot_business_case",
    "plot_clauses",
    "plot_offers",
    "plot_price_curve",
    "plot_statement",
]

_SAMPLES: Final = 400
_RESOLUTION_LINES: Final = frozenset({"resolutions", "spend_cap"})
_COLOURS: Final = ("#1f5fa8", "#c2410c", "#2f855a", "#6b46c1", "#b7791f")


def _figure(width: float, height: float, rows: int = 1) -> tuple[Figure, list[Axes]]:
    """A figure on its own Agg canvas (no pyplot, no global backend), with ``rows`` axes."""
    require("matplotlib", "plot", "resolutionpricing.plot")
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415 -- optional extra
    from matplotlib.figure import Figure  # noqa: PLC0415 -- optional extra

    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    axes = [figure.add_subplot(rows, 1, row + 1) for row in range(rows)]
    return figure, axes


def _resolution_charge(contract: Contract, units: Decimal) -> Decimal:
    """The resolution charge of ``units`` after caps, before the minimum (rounded, as billed)."""
    # A contract-year contract: the first period of a fresh year (its allowance included).
    period = BillingPeriod.containing(contract.starts_on, contract.billing_period)
    before = opening_balances(contract, period) if uses_contract_year(contract) else None
    usage = Usage(billable_units=units, escalated=0)
    lines, _, _ = _resolution_lines(contract, period, usage, None, before)
    with decimal.localcontext(ARITHMETIC):
        return sum(
            (line.amount for line in lines if line.code in _RESOLUTION_LINES), start=Decimal(0)
        )


def _marks(contract: Contract) -> list[tuple[Decimal, str]]:
    """Where the price changes: tier boundaries, the step-down and pause caps."""
    pricing = contract.pricing
    if isinstance(pricing, PackagePricing):
        free = pricing.free_units
        marks = [(free, f"free up to {free:,}")] if free else []
    else:
        marks = [
            (tier.up_to, f"up_to {tier.up_to:,}")
            for tier in pricing.tiers
            if tier.up_to is not None
        ]
    for cap in contract.caps:
        if isinstance(cap, StepDownCap):
            marks.append((cap.above, f"step-down above {cap.above:,}"))
        elif isinstance(cap, PauseCap):
            marks.append((cap.limit, f"pause at {cap.limit:,}"))
    return marks


def _package_edges(contract: Contract, up_to: Decimal) -> list[tuple[Decimal, str]]:
    """Where each package fills (the charge steps just after), if few enough to draw."""
    pricing = contract.pricing
    if not isinstance(pricing, PackagePricing):
        return []
    count = int((up_to - pricing.free_units) / pricing.package_size) + 1
    if count > _SAMPLES:  # too many steps to show: the curve is then drawn as sampled
        return []
    return [
        (pricing.free_units + pricing.package_size * index, "") for index in range(max(count, 0))
    ]


def _quantities(up_to: Decimal, marks: list[tuple[Decimal, str]]) -> list[Decimal]:
    """Evenly spaced whole volumes, plus each mark and the unit after it (where cliffs are)."""
    step = max(Decimal(1), (up_to / _SAMPLES).to_integral_value())
    points = {step * index for index in range(int(up_to / step) + 1)} | {up_to}
    for mark, _ in marks:
        points.update({mark, mark + 1})
    return sorted(point for point in points if 0 <= point <= up_to)


def _curve(
    contract: Contract, points: list[Decimal]
) -> tuple[list[float], list[float], list[float]]:
    """The charge, the marginal price (of the last unit) and the average price at each point."""
    charges, marginal, average = [], [], []
    for point in points:
        charge = _resolution_charge(contract, point)
        charges.append(float(charge))
        if point >= 1:
            with decimal.localcontext(ARITHMETIC):
                marginal.append(float(charge - _resolution_charge(contract, point - 1)))
                average.append(float(charge / point))
        else:
            marginal.append(float("nan"))
            average.append(float("nan"))
    return charges, marginal, average


def plot_price_curve(
    contract: Contract, up_to: Decimal | int | str, *, against: Contract | None = None
) -> Figure:
    """Draw the resolution charge and the price per resolution from 0 to ``up_to`` units.

    The top panel is the resolution charge (tiers, then caps; before the
    minimum commitment and fees); the bottom one the marginal price (what the
    last resolution added) and the average price per resolution. Tier
    boundaries and caps are marked; under volume tiers the cliff just after a
    boundary is labelled with its size. Under package prices the charge is a
    staircase, one step per package (drawn at each package's edge while there
    are at most 400 of them), and the free units are marked.

    Args:
        contract: the contract whose prices are drawn.
        up_to: the highest volume drawn (units in one period).
        against: a second contract drawn dashed, to compare (another offer,
            or the same tiers under the other mode).

    Returns:
        The matplotlib Figure.

    Examples:
        >>> from resolutionpricing import load_contract
        >>> from resolutionpricing.plot import plot_price_curve
        >>> figure = plot_price_curve(load_contract("examples/contract.toml"), 40000)
        >>> len(figure.axes)
        2
    """
    top = to_quantity(up_to, "up_to")
    if top <= 0:
        raise InvalidValueError("up_to", f"{top} is not above 0", "a volume above 0, such as 40000")
    for name, given in (("contract", contract), ("against", against)):
        if given is not None and not isinstance(given, Contract):
            raise InvalidTypeError(name, f"{given!r} is not a Contract", "a Contract")
    figure, (charge_axes, price_axes) = _figure(8.0, 7.0, rows=2)
    drawn = [contract] if against is None else [contract, against]
    marks = [mark for each in drawn for mark in _marks(each)]
    edges = [edge for each in drawn for edge in _package_edges(each, top)]
    points = _quantities(top, marks + edges)
    xs = [float(point) for point in points]
    highest_price = Decimal(0)
    for index, each in enumerate(drawn):
        charges, marginal, average = _curve(each, points)
        style = "-" if index == 0 else "--"
        colour = _COLOURS[index]
        label = f"{each.name} ({each.pricing.mode.value})"
        charge_axes.plot(xs, charges, style, color=colour, label=label, linewidth=2)
        price_axes.plot(
            xs,
            marginal,
            style,
            color=colour,
            label=f"marginal: {label}",
            linewidth=1.5,
            drawstyle="steps-post",
        )
        price_axes.plot(
            xs, average, style, color=colour, label=f"average: {label}", linewidth=1, alpha=0.6
        )
        highest_price = max([highest_price, _highest_unit_price(each)])
        _mark_cliffs(charge_axes, each, top, colour)
        for cap in each.caps:
            if isinstance(cap, SpendCap):
                charge_axes.axhline(float(cap.limit), color=colour, linestyle=":", linewidth=1)
                charge_axes.annotate(
                    f"spend cap {cap.limit:,}", (0, float(cap.limit)), fontsize=8, va="bottom"
                )
    for mark, text in sorted(set(marks)):
        for axes in (charge_axes, price_axes):
            axes.axvline(float(mark), color="#9aa5b1", linestyle=":", linewidth=1)
        charge_axes.annotate(
            text, (float(mark), 0), rotation=90, fontsize=8, va="bottom", ha="right"
        )
    currency = contract.currency
    charge_axes.set_title(f"Resolution charge after caps ({currency})")
    price_axes.set_title(f"Price per resolution ({currency})")
    # The marginal price of the unit after a volume cliff is hugely negative:
    # the axis stays on the prices, and the cliff is labelled on the charge.
    price_axes.set_ylim(0, float(highest_price) * 1.15 or 1.0)
    for axes in (charge_axes, price_axes):
        axes.set_xlim(0, float(top))
        axes.set_xlabel("resolutions in the period")
        axes.grid(visible=True, color="#e4e7eb")
        axes.legend(fontsize=8, loc="upper left" if axes is charge_axes else "upper right")
    return figure


def _highest_unit_price(contract: Contract) -> Decimal:
    """The highest marginal price drawn: a tier's, or a whole package's (the step's unit)."""
    pricing = contract.pricing
    if isinstance(pricing, PackagePricing):
        return pricing.package_price
    return max(tier.unit_price for tier in pricing.tiers)


def _mark_cliffs(axes: Axes, contract: Contract, top: Decimal, colour: str) -> None:
    """Label each volume cliff: where one more resolution lowers the charge."""
    pricing = contract.pricing
    if not isinstance(pricing, TierSchedule) or pricing.mode is not PricingMode.VOLUME:
        return
    for tier in pricing.tiers:
        if tier.up_to is None or tier.up_to + 1 > top:
            continue
        before = _resolution_charge(contract, tier.up_to)
        after = _resolution_charge(contract, tier.up_to + 1)
        if after < before:
            axes.annotate(
                f"volume cliff: {after - before:,}",
                (float(tier.up_to), float(before)),
                xytext=(6, 6),
                textcoords="offset points",
                fontsize=8,
                color=colour,
            )


def plot_clauses(report: ClauseReport) -> Figure:
    """Draw what each variant of the rule changes: its difference from the contract as signed.

    One horizontal bar per variant (over all the periods of the report),
    cheaper variants to the left of zero.

    Examples:
        >>> from resolutionpricing import compare_clauses, load_contract, read_interactions
        >>> from resolutionpricing.plot import plot_clauses
        >>> report = compare_clauses(load_contract("examples/contract.toml"), read_interactions("examples/interactions.csv"), "2026-10")
        >>> plot_clauses(report).axes[0].get_xlabel()
        'difference from the contract as signed (AED, total over 2026-10)'
    """
    if not isinstance(report, ClauseReport):
        raise InvalidTypeError(
            "report", f"{report!r} is not a ClauseReport", "compare_clauses(...)"
        )
    variants = list(report.rows[1:])
    figure, (axes,) = _figure(8.0, max(2.5, 0.35 * len(variants) + 1.2))
    names = [row.name for row in variants]
    values = [float(row.overall.difference) for row in variants]
    colours = [_COLOURS[2] if value < 0 else _COLOURS[1] for value in values]
    axes.barh(names, values, color=colours)
    axes.invert_yaxis()
    axes.axvline(0, color="#52606d", linewidth=1)
    for name, row in zip(names, variants, strict=True):
        # Each label stands just past its bar's end, on the bar's side of zero.
        cheaper = row.overall.difference < 0
        axes.annotate(
            f"{row.overall.difference:,}",
            (float(row.overall.difference), name),
            fontsize=8,
            va="center",
            ha="right" if cheaper else "left",
            xytext=(-3 if cheaper else 3, 0),
            textcoords="offset points",
        )
    axes.margins(x=0.2)  # room for the labels at both ends
    axes.set_xlabel(
        f"difference from the contract as signed ({report.currency}, total over {', '.join(report.periods)})"
    )
    axes.set_title(report.contract)
    axes.grid(visible=True, axis="x", color="#e4e7eb")
    return figure


def plot_offers(report: OfferReport) -> Figure:
    """Draw each offer's total per period, side by side, in the report's currency.

    Examples:
        >>> from resolutionpricing import compare_offers, load_contract, read_interactions
        >>> from resolutionpricing.plot import plot_offers
        >>> offers = [load_contract(f"examples/offers/{name}.toml") for name in ("outcome", "graduated", "volume")]
        >>> report = compare_offers(offers, read_interactions("examples/interactions.csv"), "2026-10")
        >>> plot_offers(report).axes[0].get_ylabel()
        'total (AED)'
    """
    if not isinstance(report, OfferReport):
        raise InvalidTypeError("report", f"{report!r} is not an OfferReport", "compare_offers(...)")
    figure, (axes,) = _figure(8.0, 4.5)
    count = len(report.offers)
    width = 0.8 / max(count, 1)
    for index, row in enumerate(report.offers):
        xs = [number + index * width for number in range(len(report.periods))]
        totals = [float(figures.total) for figures in row.periods]
        axes.bar(xs, totals, width=width, label=row.name, color=_COLOURS[index % len(_COLOURS)])
    axes.set_xticks(
        [number + width * (count - 1) / 2 for number in range(len(report.periods))],
        list(report.periods),
    )
    axes.set_ylabel(f"total ({report.currency})")
    axes.set_title("Offers on the same log")
    axes.legend(fontsize=8)
    axes.grid(visible=True, axis="y", color="#e4e7eb")
    return figure


def _statement_invoices(run: BillingRun, account_id: str | None) -> list[Invoice]:
    """The account's invoices; with None and no invoice without an account, the run's only account."""
    chosen = [invoice for invoice in run.invoices if invoice.account_id == account_id]
    accounts = list(dict.fromkeys(invoice.account_id for invoice in run.invoices))
    if not chosen and account_id is None and len(accounts) == 1:
        chosen = list(run.invoices)
    if not chosen:
        listed = ", ".join("None" if name is None else repr(name) for name in accounts) or "none"
        raise InvalidValueError(
            "account_id", f"the run has no invoice for {account_id!r}", f"one of: {listed}"
        )
    return chosen


def plot_statement(run: BillingRun, account_id: str | None = None) -> Figure:
    """Draw an account's spend per period, one bar per period stacked by line code.

    Credits (negative lines) are stacked below zero; each bar is labelled
    with the period's subtotal. ``account_id=None`` draws the invoices
    without an account, or the run's only account when it bills just one.

    Raises:
        InvalidTypeError: for something other than a `BillingRun`.
        InvalidValueError: when the run has no invoice for ``account_id``
            (the error lists the accounts it has).

    Examples:
        >>> from resolutionpricing import bill, load_contract, read_interactions
        >>> from resolutionpricing.plot import plot_statement
        >>> run = bill(load_contract("examples/contract.toml"), read_interactions("examples/interactions.csv"), "2026-10..2026-11")
        >>> figure = plot_statement(run)
        >>> figure.axes[0].get_ylabel(), [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
        ('amount before tax (AED)', ['resolutions', 'escalations', 'kb_maintenance', 'minimum_commitment'])
    """
    if not isinstance(run, BillingRun):
        raise InvalidTypeError("run", f"{run!r} is not a BillingRun", "bill(...)")
    invoices = _statement_invoices(run, account_id)
    codes = list(dict.fromkeys(line.code for invoice in invoices for line in invoice.lines))
    amounts: dict[str, list[Decimal]] = {code: [] for code in codes}
    with decimal.localcontext(ARITHMETIC):
        for invoice in invoices:
            for code in codes:
                lines = (line.amount for line in invoice.lines if line.code == code)
                amounts[code].append(sum(lines, start=Decimal(0)))
    labels = [invoice.period.label for invoice in invoices]
    figure, (axes,) = _figure(8.0, 4.5)
    above = [0.0] * len(invoices)
    below = [0.0] * len(invoices)
    for index, code in enumerate(codes):
        values = [float(amount) for amount in amounts[code]]
        bottoms = [
            low if value < 0 else high
            for value, low, high in zip(values, below, above, strict=True)
        ]
        axes.bar(labels, values, bottom=bottoms, label=code, color=_COLOURS[index % len(_COLOURS)])
        above = [high + max(value, 0.0) for high, value in zip(above, values, strict=True)]
        below = [low + min(value, 0.0) for low, value in zip(below, values, strict=True)]
    for label, invoice, top in zip(labels, invoices, above, strict=True):
        axes.annotate(
            f"{invoice.subtotal:,}",
            (label, top),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            fontsize=8,
        )
    currency = invoices[0].currency
    # Room above the tallest bar for its subtotal (a zero segment's edge
    # would stop the automatic margin there).
    axes.set_ylim(min(below) * 1.1, max(max(above) * 1.12, 1.0))
    axes.axhline(0, color="#52606d", linewidth=1)
    axes.set_ylabel(f"amount before tax ({currency})")
    account = "" if invoices[0].account_id is None else f" ({invoices[0].account_id})"
    axes.set_title(f"{invoices[0].contract}{account}: spend per period")
    axes.legend(fontsize=8)
    axes.grid(visible=True, axis="y", color="#e4e7eb")
    return figure


def plot_business_case(result: BusinessCaseResult) -> Figure:
    """Draw the monthly cost with the AI against the baseline, and the break-even month.

    Two lines per month (the total cost, amortized basis, and the baseline
    cost), the cumulative savings below them, and a vertical mark at the
    break-even month when there is one.

    Raises:
        InvalidTypeError: for something other than a `BusinessCaseResult`.

    Examples:
        >>> from resolutionpricing.business_case import load_scenario
        >>> from resolutionpricing.plot import plot_business_case
        >>> figure = plot_business_case(load_scenario("examples/business-case/scenario.toml").evaluate())
        >>> [axes.get_ylabel() for axes in figure.axes]
        ['monthly cost (USD)', 'cumulative savings (USD)']
    """
    if not isinstance(result, BusinessCaseResult):
        raise InvalidTypeError(
            "result", f"{result!r} is not a BusinessCaseResult", "BusinessCase.evaluate()"
        )
    figure, (costs, savings) = _figure(8.0, 6.0, rows=2)
    months = [month.month for month in result.months]
    costs.plot(
        months,
        [float(month.total_cost) for month in result.months],
        color=_COLOURS[0],
        marker="o",
        label="total cost with the AI",
    )
    costs.plot(
        months,
        [float(month.baseline_cost) for month in result.months],
        color=_COLOURS[1],
        linestyle="--",
        label="baseline cost",
    )
    savings.bar(
        months,
        [float(month.cumulative_savings) for month in result.months],
        color=[
            _COLOURS[2] if month.cumulative_savings >= 0 else _COLOURS[1] for month in result.months
        ],
    )
    savings.axhline(0, color="#52606d", linewidth=1)
    even = result.summary.break_even_month
    for axes in (costs, savings):
        if even is not None:
            axes.axvline(even, color="#52606d", linestyle=":", linewidth=1)
        axes.grid(visible=True, axis="y", color="#e4e7eb")
    if even is not None:
        period = result.months[even - 1].period
        savings.annotate(
            f"break-even: month {even} ({period})",
            (even, 0),
            xytext=(4, 6),
            textcoords="offset points",
            fontsize=8,
        )
    costs.set_ylabel(f"monthly cost ({result.currency})")
    costs.set_title("Business case: cost against the baseline")
    costs.legend(fontsize=8)
    savings.set_ylabel(f"cumulative savings ({result.currency})")
    savings.set_xlabel("month")
    return figure
