"""Offers side by side: several vendors' contracts priced on the same log.

Each offer is billed with its own rule and prices (`calculate_invoice`, one
invoice per offer and period). Totals are compared in one currency, that of
the first offer: offers in another currency need a rate in ``fx`` (units of
the first offer's currency per unit of the other), and their converted
totals are rounded to the first currency's minor unit, half-up. Effective
prices are the (converted) total over billable units and over contacts, to
4 places, half-up; None where the divisor is 0.

Ranks: by total, lowest first, per period and over all periods; equal totals
share a rank (1, 1, 3), and are listed by offer name, then by their place in
the arguments.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

import attrs

from resolutionpricing._billing import calculate_invoice
from resolutionpricing._clauses import ALL_PERIODS, resolve_periods
from resolutionpricing._contract import Contract
from resolutionpricing._display import html_table, text_table, to_json_safe
from resolutionpricing._errors import InvalidTypeError, InvalidValueError
from resolutionpricing._frames import to_pandas
from resolutionpricing._interactions import Interaction
from resolutionpricing._money import ARITHMETIC, Rounding, round_money, to_decimal
from resolutionpricing._periods import BillingPeriod

__all__ = ["OfferFigures", "OfferReport", "OfferRow", "compare_offers"]

_PLACES: Final = Decimal("0.0001")
_ZERO: Final = Decimal(0)
_COLUMNS: Final = (
    "offer",
    "period",
    "rank",
    "contacts",
    "billable_units",
    "total",
    "price_per_resolution",
    "price_per_contact",
    "offer_currency",
    "offer_total",
)


@attrs.frozen(kw_only=True)
class OfferFigures:
    """What one offer costs in one period (or, with period ``"all"``, over all of them).

    Attributes:
        period: the period's label, or ``"all"``.
        contacts: the contacts of the period (in the offer's time zone).
        billable_units: the billable resolution units under the offer's rule.
        offer_total: the invoice total in the offer's own currency.
        total: the total in the report's currency (converted with ``fx``).
        price_per_resolution: ``total / billable_units``, 4 places half-up, or None.
        price_per_contact: ``total / contacts``, 4 places half-up, or None.
        rank: 1 for the cheapest offer of the period; equal totals share a rank.

    Examples:
        >>> from decimal import Decimal
        >>> from resolutionpricing import OfferFigures
        >>> OfferFigures(period="2026-10", contacts=10, billable_units=Decimal(4), offer_total=Decimal("10.00"), total=Decimal("10.00"), price_per_resolution=Decimal("2.5000"), price_per_contact=Decimal("1.0000"), rank=1).to_dict()["price_per_resolution"]
        '2.5000'
    """

    period: str
    contacts: int
    billable_units: Decimal
    offer_total: Decimal
    total: Decimal
    price_per_resolution: Decimal | None
    price_per_contact: Decimal | None
    rank: int

    def to_row(self) -> dict[str, object]:
        """The figures as a flat row, decimals kept."""
        return {
            "period": self.period,
            "rank": self.rank,
            "contacts": self.contacts,
            "billable_units": self.billable_units,
            "total": self.total,
            "price_per_resolution": self.price_per_resolution,
            "price_per_contact": self.price_per_contact,
            "offer_total": self.offer_total,
        }

    def to_dict(self) -> dict[str, Any]:
        """The figures as JSON-safe data, decimals as strings."""
        data = to_json_safe(self.to_row())
        assert isinstance(data, dict)  # noqa: S101 -- a mapping stays a mapping
        return data


@attrs.frozen(kw_only=True)
class OfferRow:
    """One offer and what it costs, per period and overall.

    Attributes:
        name: the offer's contract name.
        currency: the offer's own currency.
        fx_rate: the rate to the report's currency, or None for an offer in it.
        periods: the figures of each period, in period order.
        overall: the figures over all the periods (period ``"all"``).

    Examples:
        >>> from resolutionpricing import compare_offers, load_contract, read_interactions
        >>> offers = [load_contract(f"examples/offers/{name}.toml") for name in ("outcome", "graduated", "volume")]
        >>> report = compare_offers(offers, read_interactions("examples/interactions.csv"), "2026-10")
        >>> row = report.offers[0]
        >>> row.name, row.overall.rank
        ('Outcome Co: per-outcome plan', 3)
    """

    name: str
    currency: str
    fx_rate: Decimal | None
    periods: tuple[OfferFigures, ...]
    overall: OfferFigures

    def to_dict(self) -> dict[str, Any]:
        """The row as JSON-safe data."""
        return {
            "name": self.name,
            "currency": self.currency,
            "fx_rate": to_json_safe(self.fx_rate),
            "periods": [figures.to_dict() for figures in self.periods],
            "overall": self.overall.to_dict(),
        }


@attrs.frozen(kw_only=True)
class OfferReport:
    """Several offers priced on the same log, ranked by total.

    Attributes:
        currency: the currency of every ``total`` (the first offer's).
        periods: the labels of the periods priced, in order.
        offers: the offers, in the order given.

    Examples:
        >>> from resolutionpricing import compare_offers, load_contract, read_interactions
        >>> offers = [load_contract(f"examples/offers/{name}.toml") for name in ("outcome", "graduated", "volume")]
        >>> report = compare_offers(offers, read_interactions("examples/interactions.csv"), "2026-10")
        >>> [row["offer"] for row in report.ranking()]
        ['Volume Co: volume tiers', 'Graduated Co: graduated tiers', 'Outcome Co: per-outcome plan']
    """

    currency: str
    periods: tuple[str, ...]
    offers: tuple[OfferRow, ...]

    def ranking(self, period: str = ALL_PERIODS) -> list[dict[str, object]]:
        """The rows of ``period`` (default ``"all"``), cheapest first (ties by offer name).

        Raises:
            InvalidValueError: for a period that is not in the report.
        """
        if period != ALL_PERIODS and period not in self.periods:
            raise InvalidValueError(
                "period",
                f"{period!r} is not in the report",
                f"one of {', '.join(self.periods)} or 'all'",
            )
        rows = [row for row in self.to_rows() if row["period"] == period]
        return sorted(rows, key=lambda row: (row["rank"], row["offer"]))

    def to_rows(self) -> list[dict[str, object]]:
        """Flat rows: one per offer and period, then one per offer with period ``"all"``.

        Keys: offer, period, rank, contacts, billable_units, total (in the
        report's currency), price_per_resolution, price_per_contact,
        offer_currency, offer_total (in the offer's currency). Money is `Decimal`.
        """
        return [
            _ordered({"offer": row.name, "offer_currency": row.currency, **figures.to_row()})
            for row in self.offers
            for figures in (*row.periods, row.overall)
        ]

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-safe data, decimals as strings."""
        return {
            "currency": self.currency,
            "periods": list(self.periods),
            "offers": [row.to_dict() for row in self.offers],
        }

    def _table(self) -> tuple[list[dict[str, object]], str, dict[str, str]]:
        rows = self.to_rows()
        if len(self.periods) == 1:
            rows = [row for row in rows if row["period"] != ALL_PERIODS]
        rows.sort(key=lambda row: (row["period"], row["rank"], row["offer"]))
        caption = f"Offers on the same log ({self.currency}, {', '.join(self.periods)})"
        return rows, caption, dict.fromkeys(("total",), self.currency)

    def to_text(self) -> str:
        """The report as a fixed-width table, each period's offers cheapest first."""
        rows, caption, money = self._table()
        return text_table(rows, _COLUMNS, caption=caption, money=money)

    def _repr_html_(self) -> str:
        rows, caption, money = self._table()
        return html_table(rows, _COLUMNS, caption=caption, money=money)

    def to_pandas(self, *, exact: bool = True) -> Any:  # noqa: ANN401 -- a pandas.DataFrame
        """`to_rows` as a `pandas.DataFrame` (extra ``resolutionpricing[pandas]``).

        Args:
            exact: keep money and units as `Decimal` (default); False gives floats.
        """
        return to_pandas(self.to_rows(), _COLUMNS, exact=exact)


def _ordered(row: Mapping[str, object]) -> dict[str, object]:
    return {column: row[column] for column in _COLUMNS}


def _per(total: Decimal, divisor: Decimal | int) -> Decimal | None:
    if not divisor:
        return None
    with decimal.localcontext(ARITHMETIC):
        return (total / divisor).quantize(_PLACES, rounding=decimal.ROUND_HALF_UP)


def _rates(offers: Sequence[Contract], fx: Mapping[str, object] | None) -> list[Decimal | None]:
    """Each offer's rate to the first offer's currency (None for the same currency)."""
    base = offers[0].currency
    given = {} if fx is None else dict(fx)
    rates: list[Decimal | None] = []
    for index, offer in enumerate(offers):
        if offer.currency == base:
            rates.append(None)
        elif offer.currency in given:
            rate = to_decimal(given[offer.currency], f"fx[{offer.currency!r}]")
            if rate <= 0:
                raise InvalidValueError(
                    f"fx[{offer.currency!r}]", f"{rate} is not above 0", "a rate above 0"
                )
            rates.append(rate)
        else:
            raise InvalidValueError(
                f"offers[{index}]",
                f"{offer.name!r} is in {offer.currency}, the first offer in {base}, and fx has no {offer.currency} rate",
                f"offers in one currency, or fx={{{offer.currency!r}: <{base} per {offer.currency}>}}",
            )
    return rates


def _check_offers(contracts: object) -> list[Contract]:
    if isinstance(contracts, Contract):
        return [contracts]
    if isinstance(contracts, (str, bytes)) or not isinstance(contracts, Iterable):
        raise InvalidTypeError(
            "offers", f"{contracts!r} is not a list", "a list of Contract objects"
        )
    offers = list(contracts)
    if not offers:
        raise InvalidValueError("offers", "no offer is given", "one or more contracts")
    seen: dict[str, int] = {}
    for index, offer in enumerate(offers):
        if not isinstance(offer, Contract):
            raise InvalidTypeError(
                f"offers[{index}]", f"{offer!r} is not a Contract", "Contract objects"
            )
        if offer.name in seen:
            raise InvalidValueError(
                f"offers[{index}]",
                f"{offer.name!r} is also the name of offers[{seen[offer.name]}]",
                "offers with distinct names",
            )
        seen[offer.name] = index
    return offers


def _ranks(totals: list[Decimal]) -> list[int]:
    """Competition ranks: 1 for the lowest, equal totals share a rank."""
    return [1 + sum(other < total for other in totals) for total in totals]


def compare_offers(
    contracts: Iterable[Contract] | Contract,
    log: Iterable[Interaction],
    periods: BillingPeriod | str | Sequence[BillingPeriod | str],
    *,
    fx: Mapping[str, Decimal | str | int] | None = None,
) -> OfferReport:
    """Price several offers on the same log, side by side, ranked by total.

    Args:
        contracts: the offers, each a `Contract` (with distinct names).
        log: the interaction log.
        periods: one period (label or `BillingPeriod`) or a sequence of them;
            each must be in every offer's term and cadence.
        fx: currency -> rate to the first offer's currency (``{"SAR":
            "0.9793"}``: AED per SAR), needed for every offer in another
            currency. Converted totals are rounded to the first currency's
            minor unit, half-up.

    Returns:
        An `OfferReport`, totals in the first offer's currency.

    Raises:
        InvalidValueError: offers in several currencies without a rate, two
            offers with one name, a period outside an offer's term.

    Examples:
        >>> from resolutionpricing import compare_offers, load_contract, read_interactions
        >>> offers = [load_contract(f"examples/offers/{name}.toml") for name in ("outcome", "graduated", "volume")]
        >>> print(compare_offers(offers, read_interactions("examples/interactions.csv"), "2026-10").to_text(), end="")
        Offers on the same log (AED, 2026-10)
        ...
    """
    offers = _check_offers(contracts)
    rows = list(log)
    rates = _rates(offers, fx)
    base = offers[0].currency
    resolved = [resolve_periods(offer, periods) for offer in offers]
    labels = [period.label for period in resolved[0]]
    figures: list[list[tuple[int, Decimal, Decimal, Decimal]]] = []
    with decimal.localcontext(ARITHMETIC):
        for offer, rate, offer_periods in zip(offers, rates, resolved, strict=True):
            per_period = []
            for period in offer_periods:
                invoice = calculate_invoice(offer, rows, period)
                contacts = invoice.counts["contacts"]
                units = invoice.counts["billable_units"]
                assert isinstance(contacts, int)  # noqa: S101 -- counts of a log invoice
                assert isinstance(units, Decimal)  # noqa: S101
                total = (
                    invoice.total
                    if rate is None
                    else round_money(invoice.total * rate, base, Rounding.HALF_UP)
                )
                per_period.append((contacts, units, invoice.total, total))
            figures.append(per_period)
    return OfferReport(
        currency=base,
        periods=tuple(labels),
        offers=_rows(offers, rates, labels, figures),
    )


def _rows(
    offers: list[Contract],
    rates: list[Decimal | None],
    labels: list[str],
    figures: list[list[tuple[int, Decimal, Decimal, Decimal]]],
) -> tuple[OfferRow, ...]:
    """The report's rows: each period ranked across offers, then the sums ranked."""
    with decimal.localcontext(ARITHMETIC):
        overall = [
            (
                sum(contacts for contacts, _, _, _ in per_period),
                sum((units for _, units, _, _ in per_period), start=_ZERO),
                sum((own for _, _, own, _ in per_period), start=_ZERO),
                sum((total for _, _, _, total in per_period), start=_ZERO),
            )
            for per_period in figures
        ]
    columns = [*zip(*figures, strict=True), overall]
    period_ranks = [_ranks([total for _, _, _, total in column]) for column in columns]

    def made(label: str, values: tuple[int, Decimal, Decimal, Decimal], rank: int) -> OfferFigures:
        contacts, units, own, total = values
        return OfferFigures(
            period=label,
            contacts=contacts,
            billable_units=units,
            offer_total=own,
            total=total,
            price_per_resolution=_per(total, units),
            price_per_contact=_per(total, contacts),
            rank=rank,
        )

    return tuple(
        OfferRow(
            name=offer.name,
            currency=offer.currency,
            fx_rate=rate,
            periods=tuple(
                made(label, figures[index][number], period_ranks[number][index])
                for number, label in enumerate(labels)
            ),
            overall=made(ALL_PERIODS, overall[index], period_ranks[-1][index]),
        )
        for index, (offer, rate) in enumerate(zip(offers, rates, strict=True))
    )
