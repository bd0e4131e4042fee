"""Usage: what one billing period's contacts add up to, as a typed, frozen value.

`Usage.from_decisions` is the one place where decisions become usage; a quote
builds its `Usage` from the counts it is given, and knows only those (the
log-only figures are None).
"""

from __future__ import annotations

import decimal
from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final

import attrs

from resolutionpricing._decisions import Decision, DecisionStatus, Reason
from resolutionpricing._errors import InvalidTypeError, InvalidValueError
from resolutionpricing._interactions import Interaction
from resolutionpricing._money import ARITHMETIC, format_decimal, to_decimal

__all__ = ["Usage", "normal_text"]

_ZERO: Final = Decimal(0)
_RATE_PLACES: Final = Decimal("0.0001")
_REASONS: Final = tuple(reason.value for reason in Reason)


def normal_text(value: Decimal) -> str:
    """A decimal in normal form: no trailing zeros, never an exponent.

    Examples:
        >>> from decimal import Decimal
        >>> from resolutionpricing._usage import normal_text
        >>> normal_text(Decimal("12000.0")), normal_text(Decimal("5E+3")), normal_text(Decimal("0.6670"))
        ('12000', '5000', '0.667')
    """
    with decimal.localcontext(ARITHMETIC):
        return format_decimal(value.normalize())


def _rate(part: int, whole: int | None) -> Decimal | None:
    if not whole:
        return None
    with decimal.localcontext(ARITHMETIC):
        return (Decimal(part) / whole).quantize(_RATE_PLACES, rounding=decimal.ROUND_HALF_UP)


def _count(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None and attribute.name != "escalated":
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidValueError(
            f"counts.{attribute.name}", f"{value!r} is not a whole number of 0 or more", "an int"
        )


def _units(value: object) -> Decimal:
    return to_decimal(value, "counts.units", minimum=_ZERO)


def _optional_units(value: object) -> Decimal | None:
    return None if value is None else to_decimal(value, "pilot_units", minimum=_ZERO)


def _channel_units(value: object) -> Mapping[str, Decimal] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise InvalidTypeError(
            "channel_units", f"{value!r} is not a mapping", 'a mapping such as {"voice": 120}'
        )
    checked: dict[str, Decimal] = {}
    for channel in sorted(value, key=str):
        if not isinstance(channel, str) or not channel:
            raise InvalidTypeError(
                "channel_units", f"{channel!r} is not a channel", "channel names (strings)"
            )
        checked[channel] = to_decimal(value[channel], f"channel_units.{channel}", minimum=_ZERO)
    return MappingProxyType(checked)


def _reasons(value: Mapping[str, int] | None) -> Mapping[str, int] | None:
    if value is None:
        return None
    given: object = value
    if not isinstance(given, Mapping):
        raise InvalidTypeError("counts.not_billable", f"{value!r} is not a mapping", "a mapping")
    for reason, number in given.items():
        if reason not in _REASONS:
            raise InvalidValueError(
                f"counts.not_billable.{reason}", "is not a reason", "one of " + ", ".join(_REASONS)
            )
        if not isinstance(number, int) or isinstance(number, bool) or number <= 0:
            raise InvalidValueError(
                f"counts.not_billable.{reason}", f"{number!r} is not a count above 0", "an int"
            )
    # In the order reasons are declared, so that equal usage prints alike.
    return MappingProxyType({reason: value[reason] for reason in _REASONS if reason in value})


@attrs.frozen(kw_only=True)
class Usage:
    """The figures behind one period's invoice: contacts, escalations, billable units.

    From a log (`calculate_invoice`, `bill`) every figure is known; a `quote`
    knows only what it was given, and the log-only figures are None.

    Attributes:
        billable_units: the billable resolution units, before caps.
        escalated: the escalated contacts.
        contacts: the period's contacts (None for a quote not given them).
        billable_interactions: contacts that bill (None for a quote).
        pending: contacts whose re-contact window is still open (None for a quote).
        not_billable_interactions: contacts that do not bill (None for a quote).
        not_billable: the not-billable contacts by reason value, in the order
            of `Reason`, reasons without contacts left out (None for a quote).
        overflow_units: the units a pause cap kept off the bill.
        pilot_units: of ``billable_units``, those of contacts that ended
            inside the contract's pilot (None: the contract has no pilot).
        channel_units: of ``billable_units`` outside the pilot, those of
            each channel with its own price (None: the contract has none).

    Examples:
        >>> from resolutionpricing import Usage
        >>> usage = Usage(billable_units=6, escalated=1, contacts=10, billable_interactions=6,
        ...               pending=0, not_billable_interactions=4, not_billable={"escalated": 1, "unresolved": 3})
        >>> usage.containment_rate, usage.resolution_rate
        (Decimal('0.9000'), Decimal('0.6000'))
    """

    billable_units: Decimal = attrs.field(converter=_units)
    escalated: int = attrs.field(validator=_count)
    contacts: int | None = attrs.field(default=None, validator=_count)
    billable_interactions: int | None = attrs.field(default=None, validator=_count)
    pending: int | None = attrs.field(default=None, validator=_count)
    not_billable_interactions: int | None = attrs.field(default=None, validator=_count)
    not_billable: Mapping[str, int] | None = attrs.field(default=None, converter=_reasons)
    overflow_units: Decimal = attrs.field(default=_ZERO, converter=_units)
    pilot_units: Decimal | None = attrs.field(default=None, converter=_optional_units)
    channel_units: Mapping[str, Decimal] | None = attrs.field(
        default=None, converter=_channel_units, hash=False
    )

    @classmethod
    def from_decisions(
        cls, pairs: Iterable[tuple[Interaction, Decision]], *, provisional: bool = False
    ) -> Usage:
        """Tally one period's contacts and their decisions.

        With ``provisional`` (``[billing] pending = "bill_provisionally"``),
        pending contacts add their provisional units to ``billable_units``;
        they are still counted in ``pending``.

        Examples:
            >>> from datetime import datetime, timezone
            >>> from resolutionpricing import Interaction, ResolutionRule, Usage, decide
            >>> at = datetime(2026, 10, 1, 9, tzinfo=timezone.utc)
            >>> contact = Interaction(id="c1", customer_id="u1", channel="chat", started_at=at,
            ...                       ended_at=at, topics=["billing"], resolved_topics=["billing"])
            >>> (decision,) = decide(ResolutionRule(recontact_window="0h"), [contact])
            >>> Usage.from_decisions([(contact, decision)]).billable_units
            Decimal('1')
        """
        contacts = escalated = 0
        statuses: Counter[DecisionStatus] = Counter()
        reasons: Counter[str] = Counter()
        units = _ZERO
        with decimal.localcontext(ARITHMETIC):
            for interaction, decision in pairs:
                contacts += 1
                escalated += interaction.escalated
                statuses[decision.status] += 1
                if decision.status is DecisionStatus.BILLABLE:
                    units += decision.units
                elif provisional and decision.status is DecisionStatus.PENDING:
                    units += decision.provisional_units
                elif decision.status is DecisionStatus.NOT_BILLABLE:
                    reasons.update(reason.value for reason in decision.reasons)
        return cls(
            billable_units=units,
            escalated=escalated,
            contacts=contacts,
            billable_interactions=statuses[DecisionStatus.BILLABLE],
            pending=statuses[DecisionStatus.PENDING],
            not_billable_interactions=statuses[DecisionStatus.NOT_BILLABLE],
            not_billable=dict(reasons),
        )

    @property
    def containment_rate(self) -> Decimal | None:
        """``(contacts - escalated) / contacts`` to 4 places, half-up; None without contacts."""
        if self.contacts is None:
            return None
        return _rate(self.contacts - self.escalated, self.contacts)

    @property
    def resolution_rate(self) -> Decimal | None:
        """``billable_interactions / contacts`` to 4 places, half-up; None without contacts."""
        if self.billable_interactions is None:
            return None
        return _rate(self.billable_interactions, self.contacts)

    def counts(self) -> dict[str, object]:
        """The figures as the invoice's ``counts`` mapping: only those known, rates included.

        Examples:
            >>> from resolutionpricing import Usage
            >>> Usage(billable_units=12000, escalated=3100).counts()
            {'billable_units': Decimal('12000'), 'escalated': 3100, 'overflow_units': Decimal('0')}
        """
        counts: dict[str, object] = {}
        if self.billable_interactions is None:
            # A quote: the keys it has always had, in its order.
            counts.update(billable_units=self.billable_units, escalated=self.escalated)
            if self.contacts is not None:
                counts.update(contacts=self.contacts, containment_rate=self.containment_rate)
        else:
            counts.update(
                contacts=self.contacts,
                escalated=self.escalated,
                billable_interactions=self.billable_interactions,
                billable_units=self.billable_units,
                pending=self.pending,
                not_billable_interactions=self.not_billable_interactions,
                not_billable=dict(self.not_billable or {}),
                containment_rate=self.containment_rate,
                resolution_rate=self.resolution_rate,
            )
        counts["overflow_units"] = self.overflow_units
        if self.pilot_units is not None:
            counts["pilot_units"] = self.pilot_units
        if self.channel_units is not None:
            counts["channel_units"] = dict(self.channel_units)
        return counts

    def to_dict(self) -> dict[str, object]:
        """The ``counts`` as JSON-safe data: units and rates as normal-form decimal strings.

        Examples:
            >>> from resolutionpricing import Usage
            >>> Usage(billable_units="12000.0", escalated=0).to_dict()
            {'billable_units': '12000', 'escalated': 0, 'overflow_units': '0'}
        """
        return {key: _json_value(value) for key, value in self.counts().items()}

    def to_rows(self) -> list[dict[str, object]]:
        """The counts as one flat row: each not-billable reason as ``not_billable_<reason>``.

        Units and rates are `Decimal`, counts `int`; only the figures known.

        Examples:
            >>> from resolutionpricing import Usage
            >>> Usage(billable_units=6, escalated=1, contacts=10, billable_interactions=6, pending=0,
            ...       not_billable_interactions=4, not_billable={"escalated": 1, "unresolved": 3}).to_rows()  # doctest: +NORMALIZE_WHITESPACE
            [{'contacts': 10, 'escalated': 1, 'billable_interactions': 6, 'billable_units': Decimal('6'),
              'pending': 0, 'not_billable_interactions': 4, 'not_billable_escalated': 1,
              'not_billable_unresolved': 3, 'containment_rate': Decimal('0.9000'),
              'resolution_rate': Decimal('0.6000'), 'overflow_units': Decimal('0')}]
        """
        from resolutionpricing._invoice_view import usage_rows  # noqa: PLC0415 -- it imports this module

        return usage_rows(self)

    def to_text(self) -> str:
        """The counts as a two-column table, figure and value.

        Examples:
            >>> from resolutionpricing import Usage
            >>> print(Usage(billable_units="12000", escalated=3100).to_text(), end="")
            figure          value
            billable_units  12000
            escalated        3100
            overflow_units      0
        """
        from resolutionpricing._invoice_view import usage_text  # noqa: PLC0415 -- it imports this module

        return usage_text(self)

    def _repr_html_(self) -> str:
        """The counts as an HTML table, for notebooks."""
        from resolutionpricing._invoice_view import usage_html  # noqa: PLC0415 -- it imports this module

        return usage_html(self)

    def to_pandas(self, *, exact: bool = True) -> Any:  # noqa: ANN401 -- a pandas.DataFrame
        """`to_rows` as a one-row `pandas.DataFrame` (extra ``resolutionpricing[pandas]``).

        Args:
            exact: keep units and rates as `Decimal` (default); False gives floats.

        Examples:
            >>> from resolutionpricing import Usage
            >>> Usage(billable_units="12000", escalated=3100).to_pandas()["billable_units"][0]
            Decimal('12000')
        """
        from resolutionpricing._frames import to_pandas  # noqa: PLC0415 -- beside the views

        rows = self.to_rows()
        return to_pandas(rows, list(rows[0]), exact=exact)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Usage:
        """Read `Usage.to_dict`'s data back; the rates must be those the figures give.

        Examples:
            >>> from resolutionpricing import Usage
            >>> Usage.from_dict({"billable_units": "5", "escalated": 1, "contacts": 2,
            ...                  "containment_rate": "0.9", "overflow_units": "0"})
            Traceback (most recent call last):
            ...
            resolutionpricing.InvalidValueError: counts.containment_rate: '0.9' is not what the counts give (0.5); the rate of the counts, to 4 places
        """
        if not isinstance(data, Mapping):
            raise InvalidTypeError("counts", f"{data!r} is not a mapping", "a mapping")
        fields = {field.name for field in attrs.fields(cls)}
        rates = {"containment_rate", "resolution_rate"}
        unknown = sorted(str(key) for key in data if key not in fields | rates)
        if unknown:
            raise InvalidValueError(f"counts.{unknown[0]}", "is not a known key", "the usage keys")
        for key in ("billable_units", "escalated", "overflow_units"):
            if key not in data:
                raise InvalidValueError(f"counts.{key}", "is missing", "this key is required")
        values: dict[str, Any] = {key: data[key] for key in fields if key in data}
        for key in ("billable_units", "overflow_units"):
            values[key] = to_decimal(values[key], f"counts.{key}", minimum=_ZERO)
        try:
            usage = cls(**values)
        except (InvalidValueError, InvalidTypeError) as error:
            raise error.at("counts") from None
        _check_rates(usage, data)
        return usage


def _check_rates(usage: Usage, data: Mapping[str, object]) -> None:
    """The rates read back must be those the counts give."""
    rates = {"containment_rate", "resolution_rate"}
    expected = usage.counts()
    for rate in rates:
        if (rate in data) != (rate in expected):
            raise InvalidValueError(f"counts.{rate}", "does not fit the other counts", "")
        if rate in data:
            given = data[rate]
            shown = expected[rate]
            if not (given is None and shown is None) and (
                given is None or shown is None or to_decimal(given, f"counts.{rate}") != shown
            ):
                raise InvalidValueError(
                    f"counts.{rate}",
                    f"{given!r} is not what the counts give ({_shown(shown)})",
                    "the rate of the counts, to 4 places",
                )


def _json_value(value: object) -> object:
    if isinstance(value, Decimal):
        return normal_text(value)
    if isinstance(value, dict):
        return {key: _json_value(item) for key, item in value.items()}
    return value


def _shown(value: object) -> str:
    return (
        "null"
        if value is None
        else normal_text(value)
        if isinstance(value, Decimal)
        else str(value)
    )
