"""What each clause is worth: one log billed under variants of the resolution rule.

`compare_clauses` bills the same log under the contract as signed, then under
variants that change one clause (or a few) of its ``[resolution]`` table, and
reports for each, per period and over all the periods: the billable units,
the resolution charge (the ``resolutions`` line plus the ``spend_cap`` line:
after caps, before the minimum commitment), the total, and the difference
from the contract as signed.

Speed. A sweep of twenty variants must not decide the log twenty times. What
a variant changes splits in two:

- the re-contact clauses (window, scope, cross-channel) decide which topics a
  later contact voids. For each (scope, cross-channel) pair the contacts are
  grouped once, and each resolved topic of each billed contact gets its *gap*:
  from the contact's end to the start of the first later contact of its group
  (the first one starting strictly after it). A topic is voided under a window
  exactly when its gap is at most the window, so every window is a bisection
  of those gaps, not a new pass over the groups;
- the other clauses (escalation, confirmation, CSAT, partial policy) are
  applied to a tally of contacts by what those clauses read (period,
  escalated, confirmed, CSAT, topics left, topics in all, window open), a few
  hundred distinct entries for a log of any size.

The figures are those `calculate_invoice` gives for the variant contract,
exactly (the tests check it on random logs): the same units summed in the
same decimal context, priced by the same `price_period`.
"""

from __future__ import annotations

import decimal
from bisect import bisect_right
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

import attrs

from resolutionpricing._calculator import price_period
from resolutionpricing._contract import Contract
from resolutionpricing._decisions import _shared, _units
from resolutionpricing._display import html_table, text_table, to_json_safe
from resolutionpricing._errors import ContractError, InvalidTypeError, InvalidValueError
from resolutionpricing._files import _plain, _Reader
from resolutionpricing._frames import to_pandas
from resolutionpricing._interactions import Interaction
from resolutionpricing._invoice import Invoice
from resolutionpricing._money import ARITHMETIC
from resolutionpricing._periods import BillingPeriod
from resolutionpricing._rules import RecontactScope, ResolutionRule
from resolutionpricing._usage import Usage

__all__ = [
    "DEFAULT_VARIANTS",
    "AS_SIGNED",
    "ClauseFigures",
    "ClauseReport",
    "ClauseRow",
    "compare_clauses",
    "resolve_periods",
]

AS_SIGNED: Final = "as signed"
ALL_PERIODS: Final = "all"
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)
_ZERO: Final = Decimal(0)
_RESOLUTION_LINES: Final = frozenset({"resolutions", "spend_cap"})
_NONE: Final[list[int]] = []
# What the clauses other than re-contact read: escalated, confirmed, CSAT, topics.
_Traits = tuple[bool, bool | None, int | None, int]
# A tally's key: (period, traits), topics left after re-contacts, window open.
_Key = tuple[tuple[int, _Traits], int, bool]

DEFAULT_VARIANTS: Final[tuple[tuple[str, Mapping[str, Any]], ...]] = (
    ("recontact_window=24h", {"recontact_window": "24h"}),
    ("recontact_window=48h", {"recontact_window": "48h"}),
    ("recontact_window=72h", {"recontact_window": "72h"}),
    ("recontact_window=7d", {"recontact_window": "7d"}),
    ("recontact_scope=same_conversation", {"recontact_scope": "same_conversation"}),
    ("recontact_scope=same_topic", {"recontact_scope": "same_topic"}),
    ("recontact_scope=any_topic", {"recontact_scope": "any_topic"}),
    ("cross_channel=true", {"cross_channel": True}),
    ("cross_channel=false", {"cross_channel": False}),
    ("require_confirmation=true", {"require_confirmation": True}),
    ("require_confirmation=false", {"require_confirmation": False}),
    ("min_csat=off", {"min_csat": None}),
    ("min_csat=3", {"min_csat": 3}),
    ("min_csat=4", {"min_csat": 4}),
    ("exclude_escalated=true", {"exclude_escalated": True}),
    ("exclude_escalated=false", {"exclude_escalated": False}),
    ("partial=all_or_nothing", {"partial": "all_or_nothing"}),
    ("partial=per_topic", {"partial": "per_topic"}),
    ("partial=pro_rata", {"partial": "pro_rata"}),
    ("partial=any", {"partial": "any"}),
)
"""The default sweep: each clause of the rule, one value at a time (TOML value forms)."""

_COLUMNS: Final = (
    "variant",
    "period",
    "billable_units",
    "resolution_charge",
    "total",
    "difference",
)


@attrs.frozen(kw_only=True)
class ClauseFigures:
    """What one variant bills in one period (or, with period ``"all"``, over all of them).

    Attributes:
        period: the period's label, or ``"all"`` for the sum over the periods.
        billable_units: the billable resolution units (before caps).
        resolution_charge: the ``resolutions`` line plus the ``spend_cap``
            line: after caps, before the minimum commitment.
        total: the invoice total, tax included.
        difference: ``total`` minus the as-signed total of the same period.

    Examples:
        >>> from decimal import Decimal
        >>> from resolutionpricing import ClauseFigures
        >>> figures = ClauseFigures(period="2026-10", billable_units=Decimal(10), resolution_charge=Decimal("35.00"), total=Decimal("36.75"), difference=Decimal("0.00"))
        >>> figures.to_dict()["total"]
        '36.75'
    """

    period: str
    billable_units: Decimal
    resolution_charge: Decimal
    total: Decimal
    difference: Decimal

    def to_row(self) -> dict[str, object]:
        """The figures as a flat row, decimals kept."""
        return {
            "period": self.period,
            "billable_units": self.billable_units,
            "resolution_charge": self.resolution_charge,
            "total": self.total,
            "difference": self.difference,
        }

    def to_dict(self) -> dict[str, Any]:
        """The figures as JSON-safe data, decimals as strings."""
        return {
            "period": self.period,
            "billable_units": to_json_safe(self.billable_units),
            "resolution_charge": to_json_safe(self.resolution_charge),
            "total": to_json_safe(self.total),
            "difference": to_json_safe(self.difference),
        }


@attrs.frozen(kw_only=True)
class ClauseRow:
    """One variant of the rule and what it bills.

    Attributes:
        name: ``"as signed"``, or the variant's name (``"recontact_window=72h"``).
        overrides: the clauses changed, in the contract file's value forms.
        rule: the variant's whole resolution rule.
        periods: the figures of each period, in period order.
        overall: the figures summed over the periods (period ``"all"``).

    Examples:
        >>> from resolutionpricing import compare_clauses, load_contract, read_interactions
        >>> report = compare_clauses(load_contract("examples/contract.toml"), read_interactions("examples/interactions.csv"), "2026-10")
        >>> row = report.row("recontact_window=72h")
        >>> dict(row.overrides), row.overall.difference
        ({'recontact_window': '72h'}, Decimal('-461.04'))
    """

    name: str
    overrides: Mapping[str, object]
    rule: ResolutionRule
    periods: tuple[ClauseFigures, ...]
    overall: ClauseFigures

    def to_dict(self) -> dict[str, Any]:
        """The row as JSON-safe data."""
        return {
            "name": self.name,
            "overrides": to_json_safe(dict(self.overrides)),
            "periods": [figures.to_dict() for figures in self.periods],
            "overall": self.overall.to_dict(),
        }


@attrs.frozen(kw_only=True)
class ClauseReport:
    """The same log billed under the contract as signed and under variants of its rule.

    Attributes:
        contract: the contract's name.
        currency: the contract's currency: every amount is in it.
        periods: the labels of the periods billed, in order.
        rows: ``"as signed"`` first, then one row per variant.

    Examples:
        >>> from resolutionpricing import compare_clauses, load_contract, read_interactions
        >>> report = compare_clauses(load_contract("examples/contract.toml"), read_interactions("examples/interactions.csv"), "2026-10")
        >>> [row.name for row in report.rows][:3]
        ['as signed', 'recontact_window=24h', 'recontact_window=72h']
        >>> report.rows[0].overall.total
        Decimal('26506.34')
    """

    contract: str
    currency: str
    periods: tuple[str, ...]
    rows: tuple[ClauseRow, ...]

    def row(self, name: str) -> ClauseRow:
        """The row named ``name``.

        Raises:
            InvalidValueError: when the report has no such row.
        """
        found = next((row for row in self.rows if row.name == name), None)
        if found is None:
            names = ", ".join(repr(row.name) for row in self.rows)
            raise InvalidValueError("name", f"{name!r} is not a row of the report", names)
        return found

    def to_rows(self) -> list[dict[str, object]]:
        """Flat rows: one per variant and period, then one per variant with period ``"all"``.

        Money and units are `Decimal`. Keys: variant, period, billable_units,
        resolution_charge, total, difference.

        Examples:
            >>> from resolutionpricing import compare_clauses, load_contract, read_interactions
            >>> report = compare_clauses(load_contract("examples/contract.toml"), read_interactions("examples/interactions.csv"), "2026-10")
            >>> report.to_rows()[0]
            {'variant': 'as signed', 'period': '2026-10', 'billable_units': Decimal('6361.5017'), 'resolution_charge': Decimal('21244.13'), 'total': Decimal('26506.34'), 'difference': Decimal('0.00')}
        """
        return [
            {"variant": row.name, **figures.to_row()}
            for row in self.rows
            for figures in (*row.periods, row.overall)
        ]

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-safe data, decimals as strings."""
        return {
            "contract": self.contract,
            "currency": self.currency,
            "periods": list(self.periods),
            "rows": [row.to_dict() for row in self.rows],
        }

    def _table_rows(self) -> list[dict[str, object]]:
        # One period: its rows only (the "all" rows would repeat them).
        if len(self.periods) == 1:
            return [row for row in self.to_rows() if row["period"] != ALL_PERIODS]
        return self.to_rows()

    def _caption(self) -> str:
        return f"{self.contract}: each clause's worth ({self.currency}, {', '.join(self.periods)})"

    def to_text(self) -> str:
        """The report as a fixed-width table."""
        money = dict.fromkeys(("resolution_charge", "total", "difference"), self.currency)
        return text_table(self._table_rows(), _COLUMNS, caption=self._caption(), money=money)

    def _repr_html_(self) -> str:
        money = dict.fromkeys(("resolution_charge", "total", "difference"), self.currency)
        return html_table(self._table_rows(), _COLUMNS, caption=self._caption(), money=money)

    def to_pandas(self, *, exact: bool = True) -> Any:  # noqa: ANN401 -- a pandas.DataFrame
        """`to_rows` as a `pandas.DataFrame` (extra ``resolutionpricing[pandas]``).

        Args:
            exact: keep money and units as `Decimal` (default); False gives
                floats, for plotting only.
        """
        return to_pandas(self.to_rows(), _COLUMNS, exact=exact)


def resolve_periods(
    contract: Contract, periods: BillingPeriod | str | Sequence[BillingPeriod | str]
) -> list[BillingPeriod]:
    """The periods, checked against the contract, in order; a period listed twice is an error."""
    listed = [periods] if isinstance(periods, (str, BillingPeriod)) else list(periods)
    if not listed:
        raise InvalidValueError("periods", "no period is given", 'one or more, such as "2026-10"')
    resolved = [contract.period(period) for period in listed]
    labels = [period.label for period in resolved]
    for label in labels:
        if labels.count(label) > 1:
            raise InvalidValueError(
                "periods", f"{label} is listed more than once", "each period once"
            )
    return sorted(resolved, key=lambda period: period.start)


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // _MICROSECOND


class _Sweep:
    """One log and a contract's periods, billed under any rule, sharing what rules share."""

    def __init__(
        self, contract: Contract, rows: list[Interaction], periods: list[BillingPeriod]
    ) -> None:
        self.contract = contract
        self.periods = periods
        self.rows = rows
        starts = [_micros(row.started_at) for row in rows]
        ends = [_micros(row.ended_at) for row in rows]
        # As `decide` with no as_of: what was known is the latest timestamp.
        self.cutoff = max(max(starts, default=0), max(ends, default=0))
        self.known = [row for row in range(len(rows)) if starts[row] <= self.cutoff]
        self.starts, self.ends = starts, ends
        bounds = [
            tuple(_micros(moment.astimezone(UTC)) for moment in period.bounds(contract.timezone))
            for period in periods
        ]
        firsts = [start for start, _ in bounds]
        self.billed: list[int] = []
        self.period_of: list[int] = []
        for row in self.known:
            index = bisect_right(firsts, ends[row]) - 1
            if index >= 0 and ends[row] < bounds[index][1]:
                self.billed.append(row)
                self.period_of.append(index)
        self.escalations = [0] * len(periods)
        self.contacts = [0] * len(periods)
        for row, index in zip(self.billed, self.period_of, strict=True):
            self.escalations[index] += rows[row].escalated
            self.contacts[index] += 1
        # What the non-re-contact clauses read, per billed contact, with its period.
        self.bases: list[tuple[int, _Traits]] = [
            (
                index,
                (rows[row].escalated, rows[row].confirmed, rows[row].csat, len(rows[row].topics)),
            )
            for row, index in zip(self.billed, self.period_of, strict=True)
        ]
        self.resolved = [len(rows[row].resolved_topics) for row in self.billed]
        self.billed_ends = [ends[row] for row in self.billed]
        self._gaps: dict[tuple[RecontactScope, bool], list[tuple[int, ...]]] = {}
        self._tallies: dict[tuple[RecontactScope, bool, timedelta], Counter[_Key]] = {}

    def gaps(self, rule: ResolutionRule) -> list[tuple[int, ...]]:
        """Per billed contact, the sorted gaps of its resolved topics (see the module docs)."""
        key = (rule.recontact_scope, rule.cross_channel)
        if key not in self._gaps:
            self._gaps[key] = self._compute_gaps(rule)
        return self._gaps[key]

    def _compute_gaps(self, rule: ResolutionRule) -> list[tuple[int, ...]]:
        shared = _shared(rule)
        by_topic = rule.recontact_scope is RecontactScope.SAME_TOPIC
        groups: dict[Hashable, list[int]] = {}
        group_of = groups.setdefault
        starts = self.starts
        for row in self.known:
            interaction = self.rows[row]
            if by_topic:
                group = shared(interaction)
                for topic in interaction.topics:
                    group_of((group, topic), []).append(starts[row])
            else:
                group_of(shared(interaction), []).append(starts[row])
        for members in groups.values():
            members.sort()
        gaps: list[tuple[int, ...]] = []
        add = gaps.append
        for row in self.billed:
            interaction = self.rows[row]
            resolved = interaction.resolved_topics
            if not resolved:
                add(())
                continue
            group = shared(interaction)
            start, end = starts[row], self.ends[row]
            if by_topic:
                found = [
                    gap
                    for topic in resolved
                    if (gap := _gap(groups.get((group, topic), _NONE), start, end)) is not None
                ]
                add(tuple(sorted(found)) if len(found) > 1 else tuple(found))
            else:
                gap = _gap(groups[group], start, end)
                add(() if gap is None else (gap,) * len(resolved))
        return gaps

    def tally(self, rule: ResolutionRule) -> Counter[_Key]:
        """The billed contacts counted by (period and traits, topics left, window open)."""
        key = (rule.recontact_scope, rule.cross_channel, rule.recontact_window)
        if key not in self._tallies:
            window = rule.recontact_window // _MICROSECOND
            # The window is open for a contact ending after this instant.
            last_closed = self.cutoff - window
            tally: Counter[_Key] = Counter()
            for base, resolved, gaps, end in zip(
                self.bases, self.resolved, self.gaps(rule), self.billed_ends, strict=True
            ):
                left = resolved - bisect_right(gaps, window) if gaps else resolved
                tally[base, left, end > last_closed] += 1
            self._tallies[key] = tally
        return self._tallies[key]

    def units(self, rule: ResolutionRule) -> list[Decimal]:
        """The billable units of each period under ``rule``."""
        units = [_ZERO] * len(self.periods)
        with decimal.localcontext(ARITHMETIC):
            for ((period, traits), left, window_open), count in self.tally(rule).items():
                escalated, confirmed, csat, topics = traits
                if window_open or not left or _vetoed(rule, escalated, confirmed, csat):
                    continue
                units[period] += _units(rule.partial, left, topics) * count
        return units

    def invoices(self, rule: ResolutionRule) -> list[tuple[Decimal, Invoice]]:
        """Each period's billable units and its invoice (lines and totals) under ``rule``."""
        return [
            (
                units,
                price_period(
                    self.contract,
                    period,
                    # The contacts give the containment rate automation bands price by.
                    usage=Usage(billable_units=units, escalated=escalations, contacts=contacts),
                    final=True,
                    account_id=self.contract.account_id,
                ),
            )
            for units, period, escalations, contacts in zip(
                self.units(rule), self.periods, self.escalations, self.contacts, strict=True
            )
        ]


def _gap(starts: list[int], start: int, end: int) -> int | None:
    """From ``end`` to the first of ``starts`` strictly after ``start``, or None."""
    index = bisect_right(starts, start)
    return starts[index] - end if index < len(starts) else None


def _vetoed(
    rule: ResolutionRule, escalated: bool, confirmed: bool | None, csat: int | None
) -> bool:
    """Whether a clause other than re-contact stops the contact from billing (as `decide`)."""
    return (
        (escalated and rule.exclude_escalated)
        or confirmed is False
        or (confirmed is None and rule.require_confirmation)
        or (csat is not None and rule.min_csat is not None and csat < rule.min_csat)
    )


def _charge(invoice: Invoice) -> Decimal:
    return sum(
        (line.amount for line in invoice.lines if line.code in _RESOLUTION_LINES),
        start=invoice.subtotal * 0,
    )


def parse_variants(
    rule: ResolutionRule, variants: Mapping[str, Mapping[str, object]] | None
) -> list[tuple[str, dict[str, object], ResolutionRule]]:
    """The variants as (name, overrides in TOML form, rule); every problem at once.

    With no ``variants``, the default sweep, less the variants equal to ``rule``.
    """
    if variants is None:
        found = [
            (name, overrides, attrs.evolve(rule, **overrides))
            for name, overrides in DEFAULT_VARIANTS
        ]
        return [
            (name, _toml(changed, overrides), changed)
            for name, overrides, changed in found
            if changed != rule
        ]
    if not isinstance(variants, Mapping):
        raise InvalidTypeError(
            "variants",
            f"{variants!r} is a {type(variants).__name__}",
            'a mapping of name to rule overrides, such as {"72h": {"recontact_window": "72h"}}',
        )
    problems: list[InvalidValueError | InvalidTypeError] = []
    parsed = []
    named: Mapping[Any, object] = variants
    for name, overrides in named.items():
        path = f"variants[{name!r}]"
        if not isinstance(name, str) or not name.strip() or name == AS_SIGNED:
            problems.append(
                InvalidValueError(
                    path, "is not a usable name", f'a non-empty name other than "{AS_SIGNED}"'
                )
            )
            continue
        if not isinstance(overrides, Mapping):
            problems.append(
                InvalidTypeError(
                    path, f"{overrides!r} is not a mapping", "a mapping of rule keys to values"
                )
            )
            continue
        reader = _Reader()
        values = reader.values(ResolutionRule, overrides, path)
        problems.extend(reader.problems)
        if values is not None:
            changed = attrs.evolve(rule, **values)
            parsed.append((str(name), _toml(changed, overrides), changed))
    if problems:
        count = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
        raise ContractError(f"variants have {count}", problems)
    return parsed


def _toml(rule: ResolutionRule, overrides: Mapping[str, object]) -> dict[str, object]:
    """The overridden clauses of ``rule`` in the contract file's value forms."""
    return {key: _plain(getattr(rule, key)) for key in overrides}


def _figures(
    label: str, units: Decimal, charge: Decimal, total: Decimal, signed: Decimal
) -> ClauseFigures:
    return ClauseFigures(
        period=label,
        billable_units=units,
        resolution_charge=charge,
        total=total,
        difference=total - signed,
    )


def compare_clauses(
    contract: Contract,
    log: Iterable[Interaction],
    periods: BillingPeriod | str | Sequence[BillingPeriod | str],
    variants: Mapping[str, Mapping[str, object]] | None = None,
) -> ClauseReport:
    """Bill one log under the contract as signed and under variants of its resolution rule.

    Each variant changes some clauses of the contract's ``[resolution]``
    table and keeps the rest (and the whole price list) as signed. Its
    figures are those `calculate_invoice` gives for the variant contract,
    exactly, without deciding the log once per variant (see the module
    documentation).

    Args:
        contract: the contract as signed.
        log: the interaction log (what was known is its latest timestamp).
        periods: one period (a label such as ``"2026-10"`` or a
            `BillingPeriod`) or a sequence of them.
        variants: name -> rule overrides in the contract file's value forms
            (``{"72h": {"recontact_window": "72h", "min_csat": 3}}``;
            ``None`` turns the CSAT veto off). Default: one clause at a time,
            each value of `DEFAULT_VARIANTS` (window 24h, 48h, 72h, 7d; each
            scope; cross-channel on and off; confirmation required or not;
            CSAT veto off, 3, 4; escalations excluded or not; each partial
            policy), less those equal to the contract as signed, which would
            only repeat its row.

    Returns:
        A `ClauseReport`: ``"as signed"`` first, then the variants in order.

    Raises:
        ContractError: listing every bad variant: an unknown key or a bad
            value (``variants['72h'].recontact_window: ...``), a bad name.
        InvalidValueError: a period outside the term, or listed twice.

    Examples:
        >>> from resolutionpricing import compare_clauses, load_contract, read_interactions
        >>> contract = load_contract("examples/contract.toml")
        >>> log = read_interactions("examples/interactions.csv")
        >>> report = compare_clauses(contract, log, "2026-10", {"72h, CSAT 3": {"recontact_window": "72h", "min_csat": 3}})
        >>> print(report.to_text(), end="")
        Gulf Telecom: AI resolution agreement: each clause's worth (AED, 2026-10)
        variant      period   billable_units  resolution_charge     total  difference
        as signed    2026-10       6361.5017           21244.13  26506.34        0.00
        72h, CSAT 3  2026-10       6354.3351           21224.42  26485.64      -20.70
    """
    rows = list(log)
    resolved = resolve_periods(contract, periods)
    chosen = parse_variants(contract.resolution, variants)
    sweep = _Sweep(contract, rows, resolved)
    labels = [period.label for period in resolved]

    def billed(rule: ResolutionRule) -> list[tuple[Decimal, Decimal, Decimal]]:
        return [(units, _charge(invoice), invoice.total) for units, invoice in sweep.invoices(rule)]

    signed = billed(contract.resolution)
    report_rows = []
    for name, overrides, rule in [(AS_SIGNED, {}, contract.resolution), *chosen]:
        figures = billed(rule)
        per_period = tuple(
            _figures(label, units, charge, total, base[2])
            for label, (units, charge, total), base in zip(labels, figures, signed, strict=True)
        )
        with decimal.localcontext(ARITHMETIC):
            overall = _figures(
                ALL_PERIODS,
                sum((units for units, _, _ in figures), start=_ZERO),
                sum((charge for _, charge, _ in figures), start=_ZERO),
                sum((total for _, _, total in figures), start=_ZERO),
                sum((total for _, _, total in signed), start=_ZERO),
            )
        report_rows.append(
            ClauseRow(
                name=name, overrides=overrides, rule=rule, periods=per_period, overall=overall
            )
        )
    return ClauseReport(
        contract=contract.name,
        currency=contract.currency,
        periods=tuple(labels),
        rows=tuple(report_rows),
    )
