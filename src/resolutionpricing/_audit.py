"""Audit rights: sample the billed resolutions, estimate the failure rate, turn it into a credit.

Sampling. The population is the period's billed decisions: ``billable`` ones
(and, once provisional billing exists, ``pending`` ones billed
provisionally). Each decision is ranked by the sha256 of the seed and its key
``(account_id, interaction_id)``; the sample is, in each stratum, the
decisions of smallest rank. So the same decisions and seed give the same
sample whatever their order, Python's hash randomisation plays no part, and a
contact added to or removed from the population changes at most one sampled
contact per stratum.

Allocation. A stratum h of N_h billed contacts (of N) gets n * N_h / N
contacts, rounded by largest remainder: each stratum first gets the whole
part of its quota, then the contacts left over go one each to the strata with
the largest fractional parts (ties: the larger stratum, then the name in
order). The sizes add up to n exactly. A stratum too small to get one is
recorded with size 0.

Estimates. A failure is a sampled contact that does not meet the written
definition on review; each counts once, whatever its units. Within a stratum
the rate is failures / size. The overall rate is sum_h W_h p_h with W_h =
N_h / N over the sampled strata (a stratum of size 0 cannot be estimated: its
weight is spread over the others). The interval (Wilson score, or
Clopper-Pearson exact) is computed on the effective sample size n_eff =
p (1 - p) / V, where V = sum_h W_h^2 p_h (1 - p_h) / n_h is the stratified
variance, capped at the sample size and equal to it when V is 0 (Korn and
Graubard, 1998): without strata n_eff is the sample size and the interval is
the textbook one. No finite-population correction is applied, so intervals
are, if anything, wide. Rates are rounded half-up to 6 places.
"""

from __future__ import annotations

import decimal
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from statistics import NormalDist
from typing import Any, Final, Literal

import attrs

from resolutionpricing._adjustment import Adjustment, AdjustmentLine
from resolutionpricing._audit_clause import AuditBasis
from resolutionpricing._billing_clause import PendingBilling
from resolutionpricing._contract import Contract
from resolutionpricing._decisions import Decision, DecisionStatus
from resolutionpricing._errors import (
    InvalidTypeError,
    InvalidValueError,
    ResolutionPricingError,
    parse_choice,
)
from resolutionpricing._frames import to_pandas
from resolutionpricing._interactions import Interaction
from resolutionpricing._invoice import Invoice
from resolutionpricing._money import ARITHMETIC, round_money, to_decimal
from resolutionpricing._result_view import (
    ESTIMATE_COLUMNS,
    SAMPLE_COLUMNS,
    estimate_html,
    estimate_rows,
    estimate_text,
    sample_html,
    sample_rows,
    sample_text,
)

__all__ = [
    "AuditEstimate",
    "AuditSample",
    "AuditStratum",
    "AuditStratumEstimate",
    "DecisionKey",
    "audit_credit",
    "audit_estimate",
    "audit_sample",
    "audit_sample_size",
    "strata_by",
]

DecisionKey = tuple[str | None, str]
"""A decision's key: ``(account_id, interaction_id)``."""

Method = Literal["wilson", "clopper_pearson"]

_RATE_PLACES: Final = Decimal("0.000001")
_ZERO: Final = Decimal(0)
_ONE: Final = Decimal(1)
_WHOLE: Final = "all"
"""The one stratum of a sample drawn without strata."""
_BLANK: Final = "(blank)"
"""The stratum of a contact whose column is empty."""
_FLOAT_NOISE: Final = Decimal("1e-9")


def _decision_key(decision: Decision) -> DecisionKey:
    return (decision.account_id, decision.interaction_id)


def _interaction_key(interaction: Interaction) -> DecisionKey:
    return (interaction.account_id, interaction.id)


def _order(key: DecisionKey) -> tuple[bool, str, str]:
    """Keys sort with the account-less ones first, then by account and id."""
    return (key[0] is not None, key[0] or "", key[1])


def _billed(decision: Decision, pending: PendingBilling) -> bool:
    """Billed on the invoice: billable, or pending and billed provisionally (with units to bill)."""
    if decision.status is DecisionStatus.BILLABLE:
        return True
    return (
        pending is PendingBilling.BILL_PROVISIONALLY
        and decision.status is DecisionStatus.PENDING
        and decision.provisional_units > 0
    )


def _rank(seed: int, key: DecisionKey) -> bytes:
    # JSON keeps None and "null" apart, and the seed apart from the key.
    return hashlib.sha256(json.dumps([seed, key[0], key[1]]).encode("utf-8")).digest()


def _rate(value: Decimal) -> Decimal:
    with decimal.localcontext(ARITHMETIC):
        clamped = min(max(value, _ZERO), _ONE)
        return clamped.quantize(_RATE_PLACES, rounding=decimal.ROUND_HALF_UP)


def _weight(value: object) -> Decimal:
    return to_decimal(value, "weight", minimum=_ZERO)


def _decisions(values: Iterable[Decision]) -> tuple[Decision, ...]:
    return tuple(values)


def _strata(values: Iterable[AuditStratum]) -> tuple[AuditStratum, ...]:
    return tuple(values)


@attrs.frozen(kw_only=True)
class AuditStratum:
    """One stratum of an audit sample: its billed contacts, its weight, how many were drawn.

    Attributes:
        name: the stratum (``"chat"``), or ``"all"`` for a sample without strata.
        population: N_h, its billed contacts.
        weight: N_h / N, rounded half-up to 6 places (estimates use the exact ratio).
        size: n_h, the contacts drawn from it.

    Examples:
        >>> from resolutionpricing import AuditStratum
        >>> AuditStratum(name="chat", population=600, weight="0.6", size=6).weight
        Decimal('0.6')
    """

    name: str
    population: int
    weight: Decimal = attrs.field(converter=_weight)
    size: int


@attrs.frozen(kw_only=True)
class AuditSample:
    """A reproducible sample of a period's billed decisions, to be reviewed against the definition.

    Attributes:
        seed: the seed it was drawn with.
        population: N, the billed contacts it was drawn from.
        decisions: the sampled decisions, sorted by key.
        strata: every stratum, sorted by name (one ``"all"`` stratum without strata).
        assignment: each sampled key's stratum.

    Examples:
        >>> from resolutionpricing import audit_sample, decide, load_contract, read_interactions
        >>> contract = load_contract("examples/contract.toml")
        >>> decisions = decide(contract.resolution, read_interactions("examples/interactions.csv"))
        >>> sample = audit_sample(decisions, 5, seed=1)
        >>> sample.size, sample.keys[0]
        (5, (None, 'c0001313'))
    """

    seed: int
    population: int
    decisions: tuple[Decision, ...] = attrs.field(converter=_decisions)
    strata: tuple[AuditStratum, ...] = attrs.field(converter=_strata)
    assignment: Mapping[DecisionKey, str]

    def __attrs_post_init__(self) -> None:
        if sum(stratum.size for stratum in self.strata) != len(self.decisions):
            raise InvalidValueError(
                "strata", "the strata's sizes do not add up to the sample", "sizes that add up"
            )
        if sum(stratum.population for stratum in self.strata) != self.population:
            raise InvalidValueError(
                "strata", "the strata's populations do not add up to N", "populations that add up"
            )
        missing = [key for key in self.keys if key not in self.assignment]
        if missing:
            raise InvalidValueError(
                "assignment", f"no stratum for {missing[:5]}", "a stratum for every sampled key"
            )

    @property
    def keys(self) -> tuple[DecisionKey, ...]:
        """The sampled decisions' keys ``(account_id, interaction_id)``, sorted."""
        return tuple(_decision_key(decision) for decision in self.decisions)

    @property
    def size(self) -> int:
        """The number of sampled contacts."""
        return len(self.decisions)

    def to_rows(self) -> list[dict[str, object]]:
        """One flat row per sampled decision: stratum, account_id, interaction_id, status, units, reasons (a list).

        Examples:
            >>> from resolutionpricing import audit_sample, decide, load_contract, read_interactions
            >>> decisions = decide(load_contract("examples/contract.toml").resolution, read_interactions("examples/interactions.csv"))
            >>> row = audit_sample(decisions, 5, seed=1).to_rows()[0]
            >>> row["stratum"], row["interaction_id"], row["status"]
            ('all', 'c0001313', 'billable')
        """
        return sample_rows(self)

    def to_text(self) -> str:
        """The sample's strata as a table: population, weight and size drawn.

        Examples:
            >>> from resolutionpricing import audit_sample, decide, load_contract, read_interactions
            >>> decisions = decide(load_contract("examples/contract.toml").resolution, read_interactions("examples/interactions.csv"))
            >>> print(audit_sample(decisions, 5, seed=1).to_text(), end="")  # doctest: +ELLIPSIS
            Audit sample: 5 of ... billed contacts, seed 1
            stratum  population  weight  size
            all      ...
        """
        return sample_text(self)

    def _repr_html_(self) -> str:
        """The strata and the sampled decisions as HTML tables, for notebooks."""
        return sample_html(self)

    def to_pandas(self, *, exact: bool = True) -> Any:  # noqa: ANN401 -- a pandas.DataFrame
        """`to_rows` as a `pandas.DataFrame` (extra ``resolutionpricing[pandas]``).

        Args:
            exact: keep money and rates as `Decimal` (default); False gives
                floats, for plotting only.
        """
        return to_pandas(self.to_rows(), SAMPLE_COLUMNS, exact=exact)


def _check_size(size: object) -> int:
    if isinstance(size, bool) or not isinstance(size, int):
        raise InvalidTypeError("size", f"{size!r} is not a whole number", "an int of 1 or more")
    if size < 1:
        raise InvalidValueError("size", f"{size} is below 1", "an int of 1 or more")
    return size


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InvalidTypeError("seed", f"{seed!r} is not an int", "an int such as 20261101")
    return seed


def _stratify(
    population: Sequence[DecisionKey], strata: Mapping[DecisionKey, str] | None
) -> dict[DecisionKey, str]:
    if strata is None:
        return dict.fromkeys(population, _WHOLE)
    if not isinstance(strata, Mapping):
        raise InvalidTypeError("strata", f"{strata!r} is not a mapping", "key -> stratum name")
    missing = [key for key in population if key not in strata]
    if missing:
        shown = ", ".join(repr(key) for key in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise InvalidValueError(
            "strata",
            f"no stratum for {len(missing)} billed contacts: {shown}{more}",
            "a stratum name for every billed decision's (account_id, interaction_id)",
        )
    named: dict[DecisionKey, str] = {}
    for key in population:
        name = strata[key]
        if not name or not isinstance(name, str):
            raise InvalidValueError(
                f"strata[{key!r}]", f"{name!r} is not a name", "a non-empty string"
            )
        named[key] = name
    return named


def _allocate(size: int, populations: Mapping[str, int]) -> dict[str, int]:
    """Largest-remainder allocation of ``size`` in proportion to ``populations`` (see the module)."""
    total = sum(populations.values())
    quotas = {name: Fraction(size * count, total) for name, count in populations.items()}
    sizes = {name: int(quota) for name, quota in quotas.items()}
    left = size - sum(sizes.values())
    by_remainder = sorted(
        populations, key=lambda name: (-(quotas[name] - sizes[name]), -populations[name], name)
    )
    for name in by_remainder[:left]:
        sizes[name] += 1
    return sizes


def audit_sample(
    decisions: Iterable[Decision],
    size: int,
    *,
    seed: int,
    strata: Mapping[DecisionKey, str] | None = None,
    pending: PendingBilling | str = PendingBilling.WAIT,
) -> AuditSample:
    """Draw a reproducible sample of the billed decisions, for review against the definition.

    Args:
        decisions: the period's decisions, in any order; only billed ones
            (``billable``, and ``pending`` ones when they are billed
            provisionally) are sampled, never a contact that was not billed.
        size: how many to draw (1 or more); the whole population when it is larger.
        seed: an int; the same decisions and seed give the same sample.
        strata: maps each billed decision's key ``(account_id,
            interaction_id)`` to its stratum (see `strata_by`); the size is
            allocated in proportion to each stratum's billed contacts.
        pending: the contract's ``[billing] pending`` (``contract.billing.pending``):
            with ``"bill_provisionally"`` pending contacts were billed and
            are in the population.

    Raises:
        InvalidValueError: a size below 1, or a billed decision without a stratum.
        InvalidTypeError: a seed or size that is not an int.

    Examples:
        >>> from resolutionpricing import audit_sample, decide, load_contract, read_interactions, strata_by
        >>> contract = load_contract("examples/contract.toml")
        >>> log = read_interactions("examples/interactions.csv")
        >>> sample = audit_sample(decide(contract.resolution, log), 10, seed=7, strata=strata_by(log, "channel"))
        >>> [(stratum.name, stratum.size) for stratum in sample.strata]
        [('chat', 5), ('email', 1), ('voice', 1), ('whatsapp', 3)]
    """
    wanted, seed = _check_size(size), _check_seed(seed)
    policy = parse_choice(PendingBilling, pending, "pending")
    billed = {
        _decision_key(decision): decision for decision in decisions if _billed(decision, policy)
    }
    keys = sorted(billed, key=_order)
    named = _stratify(keys, strata)
    members: dict[str, list[DecisionKey]] = {}
    for key in keys:
        members.setdefault(named[key], []).append(key)
    populations = {name: len(members[name]) for name in sorted(members)}
    sizes = _allocate(min(wanted, len(keys)), populations) if keys else {}
    chosen: list[DecisionKey] = []
    for name, group in members.items():
        group.sort(key=lambda key: (_rank(seed, key), _order(key)))
        chosen.extend(group[: sizes[name]])
    chosen.sort(key=_order)
    with decimal.localcontext(ARITHMETIC):
        rows = [
            AuditStratum(
                name=name,
                population=count,
                weight=(Decimal(count) / len(keys)).quantize(
                    _RATE_PLACES, rounding=decimal.ROUND_HALF_UP
                ),
                size=sizes[name],
            )
            for name, count in populations.items()
        ]
    return AuditSample(
        seed=seed,
        population=len(keys),
        decisions=[billed[key] for key in chosen],
        strata=rows,
        assignment={key: named[key] for key in chosen},
    )


def _column_value(interaction: Interaction, column: str) -> str:
    value = (
        interaction.attributes.get(column)
        if column in interaction.attributes or not hasattr(interaction, column)
        else getattr(interaction, column)
    )
    if value is None or value == "":
        return _BLANK
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, frozenset):
        return ";".join(sorted(value))
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def strata_by(interactions: Iterable[Interaction], column: str) -> dict[DecisionKey, str]:
    """A strata mapping for `audit_sample`: each contact's key to its value of ``column``.

    ``column`` is a field of `Interaction` (``channel``, ``escalated``,
    ``csat``...) or one of its attributes (any other log column, such as
    ``region``). Empty values are the stratum ``"(blank)"``; booleans are
    ``"true"`` / ``"false"``; topics are joined with ``;``.

    Raises:
        InvalidValueError: for a column that no contact has.

    Examples:
        >>> from resolutionpricing import read_interactions, strata_by
        >>> strata = strata_by(read_interactions("examples/interactions.csv"), "region")
        >>> strata[(None, "c0000001")]
        'KSA'
        >>> strata_by(read_interactions("examples/interactions.csv"), "colour")
        Traceback (most recent call last):
        ...
        resolutionpricing.InvalidValueError: strata: 'colour' is not a column of the log; a field of Interaction (account_id, channel, confirmed, conversation_id, csat, customer_id, ended_at, escalated, id, logged_at, resolved_topics, started_at, topics) or an attribute of the log (region)
    """
    rows = list(interactions)
    fields = sorted(field.name for field in attrs.fields(Interaction) if field.name != "attributes")
    attributes = sorted({name for row in rows for name in row.attributes})
    if column not in fields and column not in attributes:
        raise InvalidValueError(
            "strata",
            f"{column!r} is not a column of the log",
            f"a field of Interaction ({', '.join(fields)}) or an attribute of the log "
            f"({', '.join(attributes) or 'none'})",
        )
    return {_interaction_key(row): _column_value(row, column) for row in rows}


def _unit_interval(value: object, path: str) -> Decimal:
    number = to_decimal(value, path)
    if not _ZERO < number < _ONE:
        raise InvalidValueError(
            path, f"{number} is not between 0 and 1", 'a fraction such as "0.95"'
        )
    return number


def _z(confidence: Decimal) -> Decimal:
    """The two-sided normal quantile, from `statistics.NormalDist`, as an exact Decimal."""
    with decimal.localcontext(ARITHMETIC):
        tail = float(_ONE - (_ONE - confidence) / 2)
    return Decimal(NormalDist().inv_cdf(tail))


def _check_population(population: object) -> None:
    if isinstance(population, bool) or not isinstance(population, int) or population < 1:
        raise InvalidValueError(
            "population", f"{population!r} is not a count", "an int of 1 or more"
        )


def audit_sample_size(
    margin: Decimal | str,
    confidence: Decimal | str,
    *,
    expected_rate: Decimal | str = Decimal("0.5"),
    population: int | None = None,
) -> int:
    """The sample size to estimate a rate within ``margin`` at ``confidence``.

    n0 = z^2 p (1 - p) / e^2, with z the two-sided normal quantile
    (`statistics.NormalDist`); with a population N, the finite-population
    correction n = n0 / (1 + (n0 - 1) / N) is applied to the unrounded n0
    (Krejcie and Morgan, 1970). The result is rounded up; figures within
    1e-9 of a whole number are taken as that number, so that the float
    quantile's last bits never add a contact.

    Args:
        margin: the half-width wanted, a fraction (``"0.05"`` for ±5 points).
        confidence: the confidence level (``"0.95"``).
        expected_rate: the rate expected; 0.5 (the default) is the largest size.
        population: N, the billed contacts, if known.

    Examples:
        >>> from resolutionpricing import audit_sample_size
        >>> audit_sample_size("0.05", "0.95"), audit_sample_size("0.05", "0.95", population=1000)
        (385, 278)
    """
    error = _unit_interval(margin, "margin")
    level = _unit_interval(confidence, "confidence")
    rate = to_decimal(expected_rate, "expected_rate", minimum=_ZERO)
    if rate > _ONE:
        raise InvalidValueError("expected_rate", f"{rate} is above 1", "a fraction from 0 to 1")
    if population is not None:
        _check_population(population)
    z = _z(level)
    with decimal.localcontext(ARITHMETIC):
        needed = z * z * rate * (_ONE - rate) / (error * error)
        if population is not None:
            needed /= _ONE + (needed - _ONE) / population
        rounded = needed.quantize(_FLOAT_NOISE, rounding=decimal.ROUND_HALF_EVEN)
        size = int(rounded.to_integral_value(rounding=decimal.ROUND_CEILING))
    return max(size, 1)


@attrs.frozen(kw_only=True)
class AuditStratumEstimate:
    """The failure rate of one stratum, with its interval.

    Attributes:
        name: the stratum.
        population: N_h.
        weight: N_h / N, rounded to 6 places.
        size: n_h, the contacts reviewed.
        failures: how many of them fail the definition.
        rate: failures / size, or None for a stratum with no contact drawn.
        lower: the interval's lower bound, or None.
        upper: the interval's upper bound, or None.

    Examples:
        >>> from resolutionpricing import AuditStratumEstimate
        >>> from decimal import Decimal
        >>> AuditStratumEstimate(name="chat", population=10, weight=Decimal(1), size=0,
        ...     failures=0, rate=None, lower=None, upper=None).rate is None
        True
    """

    name: str
    population: int
    weight: Decimal
    size: int
    failures: int
    rate: Decimal | None
    lower: Decimal | None
    upper: Decimal | None


@attrs.frozen(kw_only=True)
class AuditEstimate:
    """What an audit sample found: the failure rate, its interval, and what it means in money.

    Attributes:
        method: ``"wilson"`` or ``"clopper_pearson"``.
        confidence: the interval's confidence level.
        size: the contacts reviewed.
        failures: how many fail the definition.
        rate: the estimated failure rate (weighted by stratum).
        lower: the interval's lower bound.
        upper: the interval's upper bound.
        effective_size: the sample size the interval is computed on (the
            size itself without strata), rounded to 6 places.
        strata: the estimate of every stratum.
        period: the invoice's period label, when an invoice was given.
        currency: the invoice's currency, when given.
        charge: the period's resolution charge after caps, when given.
        over_billing: ``rate * charge``, rounded to the currency.
        over_billing_lower: ``lower * charge``, rounded.
        over_billing_upper: ``upper * charge``, rounded.
        invoice_fingerprint: the fingerprint of the invoice projected on.

    Examples:
        >>> from resolutionpricing import AuditEstimate
        >>> from decimal import Decimal
        >>> AuditEstimate(method="wilson", confidence=Decimal("0.95"), size=20, failures=2,
        ...     rate=Decimal("0.1"), lower=Decimal("0.027866"), upper=Decimal("0.301034"),
        ...     effective_size=Decimal(20), strata=()).over_billing is None
        True
    """

    method: str
    confidence: Decimal
    size: int
    failures: int
    rate: Decimal
    lower: Decimal
    upper: Decimal
    effective_size: Decimal
    strata: tuple[AuditStratumEstimate, ...]
    period: str | None = None
    currency: str | None = None
    charge: Decimal | None = None
    over_billing: Decimal | None = None
    over_billing_lower: Decimal | None = None
    over_billing_upper: Decimal | None = None
    invoice_fingerprint: str | None = None

    def to_rows(self) -> list[dict[str, object]]:
        """One flat row per stratum: stratum, population, weight, size, failures, rate, lower, upper.

        Examples:
            >>> from resolutionpricing import AuditEstimate, AuditStratumEstimate
            >>> from decimal import Decimal
            >>> stratum = AuditStratumEstimate(name="all", population=100, weight=Decimal(1), size=20,
            ...     failures=2, rate=Decimal("0.1"), lower=Decimal("0.027866"), upper=Decimal("0.301034"))
            >>> AuditEstimate(method="wilson", confidence=Decimal("0.95"), size=20, failures=2,
            ...     rate=Decimal("0.1"), lower=Decimal("0.027866"), upper=Decimal("0.301034"),
            ...     effective_size=Decimal(20), strata=(stratum,)).to_rows()[0]["rate"]
            Decimal('0.1')
        """
        return estimate_rows(self)

    def to_text(self) -> str:
        """The estimate's figures (and money, with an invoice), then one line per stratum.

        Examples:
            >>> from resolutionpricing import AuditEstimate
            >>> from decimal import Decimal
            >>> print(AuditEstimate(method="wilson", confidence=Decimal("0.95"), size=20, failures=2,
            ...     rate=Decimal("0.1"), lower=Decimal("0.027866"), upper=Decimal("0.301034"),
            ...     effective_size=Decimal(20), strata=()).to_text(), end="")  # doctest: +ELLIPSIS
            Audit estimate
            figure         value
            method        wilson
            confidence      0.95
            size              20
            failures           2
            rate             0.1
            lower       0.027866
            upper       0.301034
            ...
        """
        return estimate_text(self)

    def _repr_html_(self) -> str:
        """The tables of `AuditEstimate.to_text` as HTML, for notebooks."""
        return estimate_html(self)

    def to_pandas(self, *, exact: bool = True) -> Any:  # noqa: ANN401 -- a pandas.DataFrame
        """`to_rows` as a `pandas.DataFrame` (extra ``resolutionpricing[pandas]``).

        Args:
            exact: keep money and rates as `Decimal` (default); False gives
                floats, for plotting only.
        """
        return to_pandas(self.to_rows(), ESTIMATE_COLUMNS, exact=exact)

    def figure(self, basis: AuditBasis | str) -> Decimal:
        """The rate a credit on ``basis`` uses: the point estimate, or a bound.

        Examples:
            >>> from decimal import Decimal
            >>> from resolutionpricing import AuditEstimate
            >>> estimate = AuditEstimate(method="wilson", confidence=Decimal("0.95"), size=10, failures=1,
            ...     rate=Decimal("0.1"), lower=Decimal("0.017875"), upper=Decimal("0.404150"),
            ...     effective_size=Decimal(10), strata=())
            >>> estimate.figure("upper")
            Decimal('0.404150')
        """
        chosen = basis if isinstance(basis, AuditBasis) else AuditBasis(basis)
        return {AuditBasis.POINT: self.rate, AuditBasis.LOWER: self.lower}.get(chosen, self.upper)


def _findings(sample: AuditSample, findings: Mapping[DecisionKey, bool]) -> dict[DecisionKey, bool]:
    if not isinstance(findings, Mapping):
        raise InvalidTypeError("findings", f"{findings!r} is not a mapping", "key -> True or False")
    sampled = set(sample.keys)
    missing = [key for key in sample.keys if key not in findings]
    if missing:
        raise InvalidValueError(
            "findings",
            f"no finding for {len(missing)} sampled contacts: "
            + ", ".join(repr(key) for key in missing[:10])
            + (" ..." if len(missing) > 10 else ""),
            "True (meets the definition) or False for every sampled contact",
        )
    extra = sorted((key for key in findings if key not in sampled), key=repr)
    if extra:
        raise InvalidValueError(
            "findings",
            "findings for contacts not in the sample: "
            + ", ".join(repr(key) for key in extra[:10]),
            "findings only for the sampled contacts",
        )
    for key, value in findings.items():
        if not isinstance(value, bool):
            raise InvalidTypeError(
                f"findings[{key!r}]", f"{value!r} is not a bool", "True or False"
            )
    return dict(findings)


def _wilson(failures: Decimal, size: Decimal, z: Decimal) -> tuple[Decimal, Decimal]:
    with decimal.localcontext(ARITHMETIC):
        share = failures / size
        z2 = z * z
        centre = share + z2 / (2 * size)
        spread = z * (share * (_ONE - share) / size + z2 / (4 * size * size)).sqrt()
        scale = _ONE + z2 / size
        return (centre - spread) / scale, (centre + spread) / scale


def _clopper_pearson(
    failures: Decimal, size: Decimal, confidence: Decimal
) -> tuple[Decimal, Decimal]:
    try:
        from scipy.stats import beta  # noqa: PLC0415  (an optional extra, imported when asked)
    except ImportError:
        raise ResolutionPricingError(
            'method="clopper_pearson" needs scipy: pip install "resolutionpricing[stats]"'
        ) from None
    with decimal.localcontext(ARITHMETIC):
        tail = float((_ONE - confidence) / 2)
        passes = size - failures
    events, others = float(failures), float(passes)
    lower = _ZERO if failures == 0 else Decimal(float(beta.ppf(tail, events, others + 1)))
    upper = _ONE if passes == 0 else Decimal(float(beta.ppf(1 - tail, events + 1, others)))
    return lower, upper


def _interval(
    failures: Decimal, size: Decimal, confidence: Decimal, method: Method
) -> tuple[Decimal, Decimal]:
    if method == "wilson":
        return _wilson(failures, size, _z(confidence))
    return _clopper_pearson(failures, size, confidence)


def _check_method(method: object) -> Method:
    if method == "wilson":
        return "wilson"
    if method == "clopper_pearson":
        return "clopper_pearson"
    raise InvalidValueError(
        "method", f"{method!r} is not allowed", 'one of "wilson", "clopper_pearson"'
    )


def _strata_estimates(
    sample: AuditSample, failed: Counter[str], confidence: Decimal, method: Method
) -> tuple[AuditStratumEstimate, ...]:
    rows = []
    for stratum in sample.strata:
        bounds: tuple[Decimal | None, Decimal | None] = (None, None)
        rate = None
        if stratum.size:
            with decimal.localcontext(ARITHMETIC):
                rate = _rate(Decimal(failed[stratum.name]) / stratum.size)
            low, high = _interval(
                Decimal(failed[stratum.name]), Decimal(stratum.size), confidence, method
            )
            bounds = (_rate(low), _rate(high))
        rows.append(
            AuditStratumEstimate(
                name=stratum.name,
                population=stratum.population,
                weight=stratum.weight,
                size=stratum.size,
                failures=failed[stratum.name],
                rate=rate,
                lower=bounds[0],
                upper=bounds[1],
            )
        )
    return tuple(rows)


def _weighted(sample: AuditSample, failed: Counter[str]) -> tuple[Decimal, Decimal, Decimal]:
    """The weighted rate, and the failures and size of the effective sample (see the module)."""
    drawn = [stratum for stratum in sample.strata if stratum.size]
    size = Decimal(sample.size)
    if len(drawn) == 1:
        failures = Decimal(failed[drawn[0].name])
        with decimal.localcontext(ARITHMETIC):
            return failures / size, failures, size
    with decimal.localcontext(ARITHMETIC):
        covered = Decimal(sum(stratum.population for stratum in drawn))
        rate = variance = _ZERO
        for stratum in drawn:
            weight = stratum.population / covered
            share = Decimal(failed[stratum.name]) / stratum.size
            rate += weight * share
            variance += weight * weight * share * (_ONE - share) / stratum.size
        effective = size if variance == 0 else min(size, rate * (_ONE - rate) / variance)
        return rate, rate * effective, effective


def _resolution_charge(invoice: Invoice) -> Decimal:
    """The period's resolution charge after caps: the resolutions and spend_cap lines."""
    amounts = [line.amount for key in ("resolutions", "spend_cap") if (line := invoice.line(key))]
    with decimal.localcontext(ARITHMETIC):
        return sum(amounts, start=round_money(_ZERO, invoice.currency, invoice.rounding))


def _project(rate: Decimal, invoice: Invoice) -> Decimal:
    with decimal.localcontext(ARITHMETIC):
        return round_money(
            rate * _resolution_charge(invoice),
            invoice.currency,
            invoice.rounding,
            invoice.rounding_increment,
        )


def audit_estimate(
    sample: AuditSample,
    findings: Mapping[DecisionKey, bool],
    *,
    confidence: Decimal | str = Decimal("0.95"),
    method: Method = "wilson",
    invoice: Invoice | None = None,
) -> AuditEstimate:
    """Estimate the failure rate of the billed resolutions from a reviewed sample.

    Args:
        sample: the sample drawn by `audit_sample`.
        findings: each sampled key ``(account_id, interaction_id)`` to True
            (meets the written definition on review) or False (fails it).
        confidence: the interval's confidence level (default 0.95).
        method: ``"wilson"`` (the score interval, the default) or
            ``"clopper_pearson"`` (exact; needs ``resolutionpricing[stats]``).
        invoice: the period's invoice, to project the over-billing in money:
            the rate times the resolution charge after caps (the
            ``resolutions`` and ``spend_cap`` lines), rounded to the currency
            with the invoice's rounding.

    Raises:
        InvalidValueError: a sampled contact without a finding, or a finding
            for a contact that was not sampled.

    Examples:
        >>> from resolutionpricing import audit_estimate, audit_sample, decide, load_contract, read_interactions
        >>> contract = load_contract("examples/contract.toml")
        >>> sample = audit_sample(decide(contract.resolution, read_interactions("examples/interactions.csv")), 20, seed=3)
        >>> findings = {key: index % 10 != 0 for index, key in enumerate(sample.keys)}
        >>> estimate = audit_estimate(sample, findings)
        >>> estimate.failures, estimate.rate, estimate.lower, estimate.upper
        (2, Decimal('0.100000'), Decimal('0.027866'), Decimal('0.301034'))
    """
    reviewed = _findings(sample, findings)
    level = _unit_interval(confidence, "confidence")
    chosen = _check_method(method)
    if not sample.size:
        raise InvalidValueError("sample", "is empty", "a sample of at least one billed contact")
    failed = Counter(sample.assignment[key] for key, meets in reviewed.items() if not meets)
    rate, failures, effective = _weighted(sample, failed)
    low, high = _interval(failures, effective, level, chosen)
    estimate = AuditEstimate(
        method=chosen,
        confidence=level,
        size=sample.size,
        failures=sum(failed.values()),
        rate=_rate(rate),
        lower=min(_rate(low), _rate(rate)),
        upper=max(_rate(high), _rate(rate)),
        effective_size=effective.quantize(_RATE_PLACES, rounding=decimal.ROUND_HALF_UP),
        strata=_strata_estimates(sample, failed, level, chosen),
    )
    if invoice is None:
        return estimate
    return attrs.evolve(
        estimate,
        period=invoice.period.label,
        currency=invoice.currency,
        charge=_resolution_charge(invoice),
        over_billing=_project(estimate.rate, invoice),
        over_billing_lower=_project(estimate.lower, invoice),
        over_billing_upper=_project(estimate.upper, invoice),
        invoice_fingerprint=invoice.fingerprint,
    )


def _ids(contract: Contract, invoice: Invoice) -> tuple[str | None, str | None]:
    return invoice.account_id, contract.id


def _check_credit_inputs(contract: Contract, estimate: AuditEstimate, invoice: Invoice) -> None:
    if invoice.currency != contract.currency or invoice.contract != contract.name:
        raise InvalidValueError(
            "invoice",
            f"is {invoice.contract!r} in {invoice.currency}, not of this contract",
            f"an invoice of {contract.name!r} in {contract.currency}",
        )
    if estimate.period is not None and estimate.period != invoice.period.label:
        raise InvalidValueError(
            "estimate",
            f"was projected on {estimate.period}, not {invoice.period.label}",
            "the estimate of the invoice's period",
        )
    if estimate.invoice_fingerprint not in {None, invoice.fingerprint}:
        raise InvalidValueError(
            "estimate", "was projected on another invoice", "the same invoice, or none"
        )


def audit_credit(contract: Contract, estimate: AuditEstimate, invoice: Invoice) -> Adjustment:
    """The credit the contract's ``[audit]`` clause owes for an audited period.

    The rate is the clause's ``basis`` figure of the estimate. At or below the
    ``tolerance`` nothing is owed (an empty adjustment, kind ``"none"``).
    Above it the credit is the whole rate times the period's resolution
    charge after caps, rounded with the contract's rounding: one line
    ``audit_credit:<period>`` (issued: the charge; recomputed: the charge
    less the credit), and the contract's tax rate applied to the credit,
    rounded the same way.

    Raises:
        InvalidValueError: a contract without ``[audit]``, an invoice of another
            contract, or an estimate projected on another period or invoice.

    Examples:
        >>> from decimal import Decimal
        >>> from resolutionpricing import AuditClause, AuditEstimate, audit_credit, load_contract, quote
        >>> import attrs
        >>> contract = attrs.evolve(load_contract("examples/contract.toml"), audit=AuditClause(basis="point", tolerance="0.02"))
        >>> invoice = quote(contract, "2026-10", resolutions=12000)
        >>> estimate = AuditEstimate(method="wilson", confidence=Decimal("0.95"), size=400, failures=20,
        ...     rate=Decimal("0.05"), lower=Decimal("0.032655"), upper=Decimal("0.075694"),
        ...     effective_size=Decimal(400), strata=())
        >>> credit = audit_credit(contract, estimate, invoice)
        >>> credit.lines[0].key, credit.lines[0].difference, credit.tax_difference, credit.total_difference
        ('audit_credit:2026-10', Decimal('-1837.50'), Decimal('-91.88'), Decimal('-1929.38'))
    """
    clause = contract.audit
    if clause is None:
        raise InvalidValueError(
            "contract.audit",
            "is missing",
            'an [audit] table such as basis = "point", tolerance = "0.02"',
        )
    _check_credit_inputs(contract, estimate, invoice)
    account, contract_id = _ids(contract, invoice)
    period = invoice.period.label
    rate = estimate.figure(clause.basis)
    charge = _resolution_charge(invoice)
    with decimal.localcontext(ARITHMETIC):
        credit = contract.round(rate * charge) if rate > clause.tolerance else contract.round(_ZERO)
        lines: tuple[AdjustmentLine, ...] = ()
        tax = contract.round(_ZERO)
        if credit:
            lines = (
                AdjustmentLine(
                    key=f"audit_credit:{period}", issued=charge, recomputed=charge - credit
                ),
            )
            tax = contract.round(-credit * contract.tax_rate)
        return Adjustment(
            account_id=account,
            contract_id=contract_id,
            currency=contract.currency,
            period=period,
            lines=lines,
            tax_difference=tax,
            total_difference=-credit + tax,
            issued_fingerprint=invoice.fingerprint,
        )
