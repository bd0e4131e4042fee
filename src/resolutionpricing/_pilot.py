"""Did the pilot prove anything, and how is the deployment doing each quarter.

Both read an interaction log with the contract's resolution rule (`decide`,
on the whole log, so re-contacts after a window still count) and measure the
same rates over a set of contacts, each rounded half-up to 4 places as the
invoice shows rates:

- automation rate: contacts not escalated, over contacts;
- resolution rate: billable units over contacts (pending contacts count as
  not resolved);
- re-contact rate: contacts whose decision has the ``recontacted`` reason,
  over contacts;
- CSAT: the mean of the scores given.

A contact belongs to the day (pilot) or billing period (review) of its
``ended_at`` in the contract's time zone.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

import attrs

from resolutionpricing._billing import calculate_invoice
from resolutionpricing._contract import Contract
from resolutionpricing._decisions import Decision, DecisionStatus, Reason, decide
from resolutionpricing._display import html_table, text_table
from resolutionpricing._errors import InvalidTypeError, InvalidValueError
from resolutionpricing._frames import rows_to_pandas
from resolutionpricing._interactions import Interaction
from resolutionpricing._money import ARITHMETIC, to_decimal
from resolutionpricing._periods import BillingPeriod, zone
from resolutionpricing._pilot_clause import PilotCriteria

__all__ = [
    "CriterionResult",
    "PilotCriteria",
    "PilotReport",
    "ReviewQuarter",
    "ReviewReport",
    "evaluate_pilot",
    "quarterly_review",
]

_ZERO: Final = Decimal(0)
_PLACES: Final = Decimal("0.0001")
_RESOLUTION_LINES: Final = frozenset({"resolutions", "spend_cap", "automation_adjustment"})
_QUARTER_LABEL: Final = re.compile(r"^Y[1-9]\d*Q[1-4]$")
_ONE_DAY: Final = timedelta(days=1)


def _ratio(part: Decimal | int, whole: int) -> Decimal | None:
    if not whole:
        return None
    with decimal.localcontext(ARITHMETIC):
        return (Decimal(part) / whole).quantize(_PLACES, rounding=decimal.ROUND_HALF_UP)


@attrs.frozen(kw_only=True)
class _Measures:
    """The counts and rates of a set of decided contacts."""

    contacts: int
    escalated: int
    billable_units: Decimal
    pending: int
    recontacted: int
    csat_responses: int
    automation_rate: Decimal | None
    resolution_rate: Decimal | None
    recontact_rate: Decimal | None
    csat: Decimal | None

    @classmethod
    def of(cls, pairs: Sequence[tuple[Interaction, Decision]]) -> _Measures:
        contacts = len(pairs)
        escalated = sum(1 for interaction, _ in pairs if interaction.escalated)
        scores = [interaction.csat for interaction, _ in pairs if interaction.csat is not None]
        recontacted = sum(1 for _, decision in pairs if Reason.RECONTACTED in decision.reasons)
        with decimal.localcontext(ARITHMETIC):
            units = sum(
                (d.units for _, d in pairs if d.status is DecisionStatus.BILLABLE), start=_ZERO
            )
        return cls(
            contacts=contacts,
            escalated=escalated,
            billable_units=units,
            pending=sum(1 for _, d in pairs if d.status is DecisionStatus.PENDING),
            recontacted=recontacted,
            csat_responses=len(scores),
            automation_rate=_ratio(contacts - escalated, contacts),
            resolution_rate=_ratio(units, contacts),
            recontact_rate=_ratio(recontacted, contacts),
            csat=_ratio(sum(scores), len(scores)),
        )


def _decided(
    contract: Contract, log: Iterable[Interaction]
) -> list[tuple[Interaction, Decision, date]]:
    """Every contact with its decision (on the whole log) and its local end date."""
    rows = list(log)
    decisions = decide(contract.resolution, rows, as_of=None)
    by_id = {row.id: row for row in rows}
    tz = zone(contract.timezone)
    pairs = []
    for decision in decisions:
        interaction = by_id[decision.interaction_id]
        pairs.append((interaction, decision, interaction.ended_at.astimezone(tz).date()))
    return pairs


@attrs.frozen(kw_only=True)
class CriterionResult:
    """One criterion of a pilot: what was measured against what was asked.

    Attributes:
        criterion: the criterion's name (``min_automation_rate``...).
        measured: the measured value (None when there was nothing to measure).
        threshold: the criterion's threshold.
        passed: a minimum at or above, a maximum at or below; never with
            nothing measured.
    """

    criterion: str
    measured: Decimal | None
    threshold: Decimal
    passed: bool


_CRITERIA: Final = (
    ("min_automation_rate", "automation_rate"),
    ("min_resolution_rate", "resolution_rate"),
    ("max_recontact_rate", "recontact_rate"),
    ("min_csat", "csat"),
)


@attrs.frozen(kw_only=True)
class PilotReport:
    """The pilot's measures, each given criterion's verdict, and the overall verdict.

    Attributes:
        starts_on: the pilot's first day.
        ends_on: its last day, inclusive.
        contacts: the pilot's contacts.
        escalated: those escalated.
        billable_units: what they bill.
        pending: contacts still pending (counted as not resolved).
        recontacted: contacts with the ``recontacted`` reason.
        csat_responses: contacts that gave a score.
        automation_rate: see the module's definitions.
        resolution_rate: see the module's definitions.
        recontact_rate: see the module's definitions.
        csat: the mean score given, or None.
        criteria: one `CriterionResult` per criterion given.
        passed: every given criterion passed.
    """

    starts_on: date
    ends_on: date
    contacts: int
    escalated: int
    billable_units: Decimal
    pending: int
    recontacted: int
    csat_responses: int
    automation_rate: Decimal | None
    resolution_rate: Decimal | None
    recontact_rate: Decimal | None
    csat: Decimal | None
    criteria: tuple[CriterionResult, ...]
    passed: bool

    def to_rows(self) -> list[dict[str, object]]:
        """One row per criterion."""
        return [attrs.asdict(result) for result in self.criteria]

    def to_pandas(self, *, exact: bool = True) -> Any:  # noqa: ANN401 -- a pandas.DataFrame
        """`to_rows` as a `pandas.DataFrame` (extra ``resolutionpricing[pandas]``); ``exact=False`` gives floats."""
        return rows_to_pandas(self.to_rows(), exact=exact)

    def to_text(self) -> str:
        """The window, the counts, the criteria and the verdict."""
        head = [
            f"Pilot {self.starts_on} to {self.ends_on}",
            (
                f"contacts {self.contacts}, escalated {self.escalated}, pending {self.pending}, "
                f"recontacted {self.recontacted}, CSAT responses {self.csat_responses}"
            ),
            "",
        ]
        table = text_table(self.to_rows()) if self.criteria else "no criteria given\n"
        verdict = "PASSED" if self.passed else "FAILED"
        return "\n".join(head) + table + f"\nverdict: {verdict}\n"

    def _repr_html_(self) -> str:
        verdict = "passed" if self.passed else "failed"
        return html_table(
            self.to_rows(), caption=f"Pilot {self.starts_on} to {self.ends_on}: {verdict}"
        )


def _day(value: object, path: str) -> date:
    if value is None:
        raise InvalidValueError(path, "is missing", "a date such as 2026-10-01")
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidTypeError(path, f"{value!r} is not a date", "a date such as 2026-10-01")
    return value


def evaluate_pilot(
    contract: Contract,
    log: Iterable[Interaction],
    criteria: PilotCriteria | None = None,
    *,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> PilotReport:
    """Judge a pilot: its contacts' measures against the criteria.

    Without ``criteria``, ``starts_on`` or ``ends_on``, those of the
    contract's ``[pilot]`` clause are used.

    The pilot's contacts are those whose ``ended_at`` falls on ``starts_on``
    through ``ends_on`` (inclusive, in the contract's time zone), decided on
    the whole log (so a re-contact after the window still voids, and the
    latest timestamp of the log is ``as_of``).

    Examples:
        >>> from datetime import date
        >>> from resolutionpricing import load_contract, read_interactions
        >>> from resolutionpricing.business_case import PilotCriteria, evaluate_pilot
        >>> report = evaluate_pilot(
        ...     load_contract("examples/contract.toml"),
        ...     read_interactions("examples/interactions.csv"),
        ...     PilotCriteria(min_automation_rate="0.60", max_recontact_rate="0.10"),
        ...     starts_on=date(2026, 10, 1),
        ...     ends_on=date(2026, 10, 31),
        ... )
        >>> report.automation_rate, report.recontact_rate, report.passed
        (Decimal('0.7464'), Decimal('0.0546'), True)
    """
    if contract.pilot is not None:
        criteria = contract.pilot.criteria if criteria is None else criteria
        starts_on = contract.pilot.starts_on if starts_on is None else starts_on
        ends_on = contract.pilot.ends_on if ends_on is None else ends_on
    if not isinstance(criteria, PilotCriteria):
        raise InvalidTypeError("criteria", f"{criteria!r} is not PilotCriteria", "a PilotCriteria")
    first, last = _day(starts_on, "starts_on"), _day(ends_on, "ends_on")
    if last < first:
        raise InvalidValueError(
            "ends_on", f"{last} is before starts_on ({first})", "a date on or after starts_on"
        )
    pairs = [(i, d) for i, d, day in _decided(contract, log) if first <= day <= last]
    measures = _Measures.of(pairs)
    results = []
    for name, measure in _CRITERIA:
        threshold = getattr(criteria, name)
        if threshold is None:
            continue
        measured = getattr(measures, measure)
        if measured is None:
            passed = False
        elif name.startswith("max_"):
            passed = measured <= threshold
        else:
            passed = measured >= threshold
        results.append(
            CriterionResult(criterion=name, measured=measured, threshold=threshold, passed=passed)
        )
    return PilotReport(
        starts_on=first,
        ends_on=last,
        **attrs.asdict(measures),
        criteria=tuple(results),
        passed=all(result.passed for result in results),
    )


@attrs.frozen(kw_only=True)
class ReviewQuarter:
    """One contract quarter of a review.

    Attributes:
        quarter: ``Y1Q1``, ``Y1Q2``... (contract year and quarter).
        periods: the billing periods in it (labels).
        contacts: the contacts that ended in it.
        automation_rate: see the module's definitions.
        resolution_rate: see the module's definitions.
        recontact_rate: see the module's definitions.
        billable_units: what they bill.
        resolution_charge: the periods' ``resolutions``, ``spend_cap`` and
            ``automation_adjustment`` lines.
        effective_price: ``resolution_charge / billable_units`` (4 places), or None.
        total_spend: the periods' invoice totals (tax included).
        final: every period's invoice is final.
        forecast: the expected spend, if given.
        variance: ``total_spend - forecast``, if a forecast is given.
    """

    quarter: str
    periods: tuple[str, ...]
    contacts: int
    automation_rate: Decimal | None
    resolution_rate: Decimal | None
    recontact_rate: Decimal | None
    billable_units: Decimal
    resolution_charge: Decimal
    effective_price: Decimal | None
    total_spend: Decimal
    final: bool
    forecast: Decimal | None
    variance: Decimal | None


@attrs.frozen(kw_only=True)
class ReviewReport:
    """The quarterly review: one `ReviewQuarter` per contract quarter.

    Attributes:
        contract: the contract's name.
        currency: its currency.
        quarters: the quarters, in order.
    """

    contract: str
    currency: str
    quarters: tuple[ReviewQuarter, ...]

    def quarter(self, label: str) -> ReviewQuarter | None:
        """The quarter labelled ``label`` (``Y1Q2``), or None."""
        return next((row for row in self.quarters if row.quarter == label), None)

    def to_rows(self) -> list[dict[str, object]]:
        """One flat dict per quarter (periods joined by ``;``)."""
        rows = []
        for quarter in self.quarters:
            row = attrs.asdict(quarter)
            row["periods"] = ";".join(quarter.periods)
            rows.append(row)
        return rows

    def to_pandas(self, *, exact: bool = True) -> Any:  # noqa: ANN401 -- a pandas.DataFrame
        """`to_rows` as a `pandas.DataFrame` (extra ``resolutionpricing[pandas]``); ``exact=False`` gives floats."""
        return rows_to_pandas(self.to_rows(), exact=exact)

    def to_text(self) -> str:
        """The quarters as a text table."""
        body = (
            text_table(self.to_rows()) if self.quarters else "no contacts in the contract's term\n"
        )
        return f"Quarterly review: {self.contract} ({self.currency})\n\n{body}"

    def _repr_html_(self) -> str:
        return html_table(self.to_rows(), caption=f"Quarterly review: {self.contract}")


def _forecast(value: Mapping[str, object] | None) -> dict[str, Decimal]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidTypeError(
            "forecast", f"{value!r} is not a mapping", 'such as {"Y1Q1": "150000"}'
        )
    checked = {}
    for label, amount in value.items():
        if not _QUARTER_LABEL.match(str(label)):
            raise InvalidValueError(
                "forecast", f"{label!r} is not a quarter label", 'labels such as "Y1Q1", "Y2Q4"'
            )
        checked[label] = to_decimal(amount, f"forecast.{label}")
    return checked


def _quarter_periods(contract: Contract, index: int) -> list[BillingPeriod]:
    """The billing periods of contract quarter ``index`` (0 first) inside the term."""
    first = BillingPeriod.containing(contract.starts_on, contract.billing_period)
    periods = []
    month = first.start.year * 12 + first.start.month - 1 + 3 * index
    for offset in range(0, 3, contract.billing_period.months):
        year, month_index = divmod(month + offset, 12)
        period = BillingPeriod.containing(date(year, month_index + 1, 1), contract.billing_period)
        if contract.ends_on is None or period.start <= contract.ends_on:
            periods.append(period)
    return periods


def _quarter_index(contract: Contract, day: date) -> int:
    first = BillingPeriod.containing(contract.starts_on, contract.billing_period).start
    months = (day.year - first.year) * 12 + day.month - first.month
    return months // 3


def quarterly_review(
    contract: Contract,
    log: Iterable[Interaction],
    *,
    forecast: Mapping[str, object] | None = None,
    year: int | None = None,
) -> ReviewReport:
    """The seed's mutual review points: each contract quarter's rates, charge and spend.

    Contract quarters are three months of billing periods from the one that
    contains ``starts_on`` (for a quarterly contract, each billing quarter
    from that one), labelled ``Y1Q1``, ``Y1Q2``... ``year`` picks one contract
    year (1 the first; its quarters inside the term); None gives every quarter
    from the first to the last that a contact of the log ended in. Each
    period is invoiced with `calculate_invoice`.

    Examples:
        >>> from resolutionpricing import load_contract, read_interactions
        >>> from resolutionpricing.business_case import quarterly_review
        >>> report = quarterly_review(load_contract("examples/contract.toml"), read_interactions("examples/interactions.csv"))
        >>> [(row.quarter, row.contacts, str(row.effective_price)) for row in report.quarters]
        [('Y1Q2', 19500, '3.3856')]
    """
    rows = list(log)
    expected = _forecast(forecast)
    decided = _decided(contract, rows)
    first = BillingPeriod.containing(contract.starts_on, contract.billing_period).start
    last_day = _term_end(contract)
    in_term = [(i, d, day) for i, d, day in decided if first <= day <= last_day]
    if year is not None:
        chosen = _whole_year(year)
        indexes = [i for i in range(4 * (chosen - 1), 4 * chosen) if _quarter_periods(contract, i)]
    elif in_term:
        found = [_quarter_index(contract, day) for _, _, day in in_term]
        indexes = list(range(min(found), max(found) + 1))
    else:
        indexes = []
    quarters = [_review_quarter(contract, rows, in_term, index, expected) for index in indexes]
    return ReviewReport(
        contract=contract.name,
        currency=contract.currency,
        quarters=tuple(q for q in quarters if q is not None),
    )


def _term_end(contract: Contract) -> date:
    """The last day of the term's last billing period (or no end)."""
    if contract.ends_on is None:
        return date.max
    return BillingPeriod.containing(contract.ends_on, contract.billing_period).end - _ONE_DAY


def _whole_year(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidValueError(
            "year", f"{value!r} is not a contract year", "1 (the first year) or more"
        )
    return value


def _review_quarter(
    contract: Contract,
    rows: list[Interaction],
    decided: list[tuple[Interaction, Decision, date]],
    index: int,
    expected: Mapping[str, Decimal],
) -> ReviewQuarter | None:
    periods = _quarter_periods(contract, index)
    if not periods:
        return None
    label = f"Y{index // 4 + 1}Q{index % 4 + 1}"
    pairs = [(i, d) for i, d, day in decided if any(p.contains(day) for p in periods)]
    measures = _Measures.of(pairs)
    invoices = [calculate_invoice(contract, rows, period) for period in periods]
    zero = contract.round(_ZERO)
    with decimal.localcontext(ARITHMETIC):
        charge = sum(
            (
                line.amount
                for inv in invoices
                for line in inv.lines
                if line.code in _RESOLUTION_LINES
            ),
            start=zero,
        )
        spend = sum((inv.total for inv in invoices), start=zero)
        forecast = expected.get(label)
        return ReviewQuarter(
            quarter=label,
            periods=tuple(period.label for period in periods),
            contacts=measures.contacts,
            automation_rate=measures.automation_rate,
            resolution_rate=measures.resolution_rate,
            recontact_rate=measures.recontact_rate,
            billable_units=measures.billable_units,
            resolution_charge=charge,
            effective_price=_ratio_of(charge, measures.billable_units),
            total_spend=spend,
            final=all(inv.final for inv in invoices),
            forecast=forecast,
            variance=None if forecast is None else spend - forecast,
        )


def _ratio_of(amount: Decimal, units: Decimal) -> Decimal | None:
    if not units:
        return None
    with decimal.localcontext(ARITHMETIC):
        return (amount / units).quantize(_PLACES, rounding=decimal.ROUND_HALF_UP)
