"""Audit sampling, the [audit] clause, audit credits and the Adjustment they are."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from resolutionpricing import (
    Adjustment,
    AdjustmentLine,
    AuditBasis,
    AuditClause,
    AuditEstimate,
    AuditSample,
    ContractError,
    Decision,
    DecisionStatus,
    InvalidTypeError,
    InvalidValueError,
    audit_credit,
    audit_estimate,
    audit_sample,
    dump_contract,
    load_contract,
    loads_contract,
    quote,
    read_interactions,
    strata_by,
)
from resolutionpricing._audit import DecisionKey, _allocate

CONTRACT = load_contract("examples/contract.toml")
STATUSES = list(DecisionStatus)


def _decision(identifier: str, status: DecisionStatus) -> Decision:
    units = Decimal(1) if status is DecisionStatus.BILLABLE else Decimal(0)
    provisional = Decimal(0) if status is DecisionStatus.NOT_BILLABLE else Decimal(1)
    return Decision(
        interaction_id=identifier, status=status, units=units, provisional_units=provisional
    )


decisions_st = st.lists(
    st.tuples(st.integers(0, 10_000), st.sampled_from(STATUSES)),
    max_size=60,
    unique_by=lambda pair: pair[0],
).map(lambda pairs: [_decision(f"c{number}", status) for number, status in pairs])


@given(decisions=decisions_st, size=st.integers(1, 70), seed=st.integers(), data=st.data())
def test_sample_is_permutation_invariant_sized_and_billed(
    decisions: list[Decision], size: int, seed: int, data: st.DataObject
) -> None:
    """Any order of the same decisions gives the same sample, of min(size, N) billed contacts."""
    shuffled = data.draw(st.permutations(decisions))
    sample = audit_sample(decisions, size, seed=seed)
    assert audit_sample(shuffled, size, seed=seed) == sample
    billed = [d for d in decisions if d.status is DecisionStatus.BILLABLE]
    assert sample.population == len(billed)
    assert sample.size == min(size, len(billed))
    assert all(d.status is DecisionStatus.BILLABLE for d in sample.decisions)
    assert len(set(sample.keys)) == sample.size


@given(decisions=decisions_st, size=st.integers(1, 70), seed=st.integers(), data=st.data())
def test_stratified_sample_allocates_in_proportion(
    decisions: list[Decision], size: int, seed: int, data: st.DataObject
) -> None:
    """Stratum sizes add up to the sample, each within one of n N_h / N, and never above N_h."""
    names = data.draw(
        st.lists(st.sampled_from("abc"), min_size=len(decisions), max_size=len(decisions))
    )
    strata: dict[DecisionKey, str] = {
        (None, d.interaction_id): name for d, name in zip(decisions, names, strict=True)
    }
    sample = audit_sample(decisions, size, seed=seed, strata=strata)
    drawn = min(size, sample.population)
    assert sum(stratum.size for stratum in sample.strata) == sample.size == drawn
    for stratum in sample.strata:
        quota = Decimal(drawn * stratum.population) / sample.population
        assert abs(stratum.size - quota) < 1
        assert stratum.size <= stratum.population
        assert sum(1 for name in sample.assignment.values() if name == stratum.name) == stratum.size


def test_largest_remainder_rounding() -> None:
    """10 over 55/30/15 has quotas 5.5/3/1.5: the tie of remainders goes to the larger stratum."""
    assert _allocate(10, {"a": 55, "b": 30, "c": 15}) == {"a": 6, "b": 3, "c": 1}
    assert _allocate(3, {"a": 1, "b": 1, "c": 1}) == {"a": 1, "b": 1, "c": 1}
    assert _allocate(1, {"b": 1, "a": 1}) == {"a": 1, "b": 0}


def test_sample_records_strata_weights() -> None:
    """Each stratum records N_h and N_h / N (6 places), on the example log by channel."""
    log = read_interactions("examples/interactions.csv")
    from resolutionpricing import decide  # noqa: PLC0415

    sample = audit_sample(
        decide(CONTRACT.resolution, log), 100, seed=5, strata=strata_by(log, "channel")
    )
    assert sum(s.population for s in sample.strata) == sample.population
    chat = next(s for s in sample.strata if s.name == "chat")
    assert chat.weight == (Decimal(chat.population) / sample.population).quantize(
        Decimal("0.000001")
    )


def test_sample_changes_little_when_one_contact_is_added() -> None:
    """Ranking by sha256(seed, key) keeps all but at most one sampled contact when N grows by one."""
    decisions = [_decision(f"c{number}", DecisionStatus.BILLABLE) for number in range(200)]
    before = set(audit_sample(decisions, 20, seed=9).keys)
    after = set(
        audit_sample([*decisions, _decision("new", DecisionStatus.BILLABLE)], 20, seed=9).keys
    )
    assert len(before - after) <= 1


def test_sample_validation() -> None:
    """A size below 1, a seed that is not an int, or a billed contact without a stratum are errors."""
    decisions = [_decision("c1", DecisionStatus.BILLABLE)]
    with pytest.raises(InvalidValueError, match="size"):
        audit_sample(decisions, 0, seed=1)
    with pytest.raises(InvalidTypeError, match="seed"):
        audit_sample(decisions, 1, seed="1")  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError, match="seed"):
        audit_sample(decisions, 1, seed=True)
    with pytest.raises(
        InvalidValueError, match=r"no stratum for 1 billed contacts: \(None, 'c1'\)"
    ):
        audit_sample(decisions, 1, seed=1, strata={(None, "other"): "x"})


def test_strata_by_fields_attributes_and_unknown_columns() -> None:
    """strata_by reads an Interaction field or an attribute; an unknown column lists what exists."""
    log = read_interactions("examples/interactions.csv")
    assert strata_by(log, "escalated")[(None, "c0000002")] == "true"
    assert strata_by(log, "region")[(None, "c0000001")] == "KSA"
    with pytest.raises(InvalidValueError, match="'colour' is not a column of the log"):
        strata_by(log, "colour")


def _sample_and_findings(failures: int, size: int = 100) -> tuple[AuditEstimate, AuditSample]:
    decisions = [_decision(f"c{number:03d}", DecisionStatus.BILLABLE) for number in range(size)]
    sample = audit_sample(decisions, size, seed=1)
    findings = {key: index >= failures for index, key in enumerate(sample.keys)}
    return audit_estimate(sample, findings), sample


def test_findings_must_cover_the_sample_exactly() -> None:
    """A sampled contact without a finding, or a finding for another contact, is a clear error."""
    estimate, sample = _sample_and_findings(0, 3)
    assert estimate.failures == 0
    keys = sample.keys
    with pytest.raises(
        InvalidValueError, match=r"no finding for 1 sampled contacts: \(None, 'c002'\)"
    ):
        audit_estimate(sample, {keys[0]: True, keys[1]: True})
    with pytest.raises(InvalidValueError, match="not in the sample"):
        audit_estimate(sample, {**dict.fromkeys(keys, True), (None, "zz"): True})
    with pytest.raises(InvalidTypeError, match="bool"):
        audit_estimate(sample, dict.fromkeys(keys, 1))  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="method"):
        audit_estimate(sample, dict.fromkeys(keys, True), method="wald")  # type: ignore[arg-type]


def test_stratified_estimate_weights_the_strata() -> None:
    """Strata of 900 and 100 contacts, 10 % and 50 % failing: overall 0.9 * 0.1 + 0.1 * 0.5 = 0.14."""
    decisions = [_decision(f"c{number:04d}", DecisionStatus.BILLABLE) for number in range(1000)]
    strata: dict[DecisionKey, str] = {
        (None, d.interaction_id): "big" if index < 900 else "small"
        for index, d in enumerate(decisions)
    }
    sample = audit_sample(decisions, 100, seed=4, strata=strata)
    assert [(s.name, s.size) for s in sample.strata] == [("big", 90), ("small", 10)]
    seen: dict[str, int] = {}
    findings = {}
    for key in sample.keys:
        name = sample.assignment[key]
        seen[name] = seen.get(name, 0) + 1
        failing = 9 if name == "big" else 5
        findings[key] = seen[name] > failing
    estimate = audit_estimate(sample, findings)
    assert estimate.rate == Decimal("0.140000")
    assert [s.rate for s in estimate.strata] == [Decimal("0.100000"), Decimal("0.500000")]
    assert estimate.lower < estimate.rate < estimate.upper
    assert estimate.effective_size <= 100


def test_projected_over_billing_uses_the_charge_after_caps() -> None:
    """Over the 90,000 spend cap the charge is the cap: 10 % of 90,000.00 is 9,000.00."""
    invoice = quote(CONTRACT, "2026-10", resolutions=40000)
    assert invoice.line("spend_cap") is not None
    estimate, sample = _sample_and_findings(10)
    projected = audit_estimate(
        sample, {key: i >= 10 for i, key in enumerate(sample.keys)}, invoice=invoice
    )
    assert projected.charge == Decimal("90000.00")
    assert projected.over_billing == Decimal("9000.00")
    assert projected.over_billing_lower == (projected.lower * 90000).quantize(Decimal("0.01"))
    assert projected.period == "2026-10"
    assert estimate.over_billing is None


CLAUSE_CONTRACT = attrs.evolve(CONTRACT, audit=AuditClause(basis="point", tolerance="0.02"))
INVOICE = quote(CLAUSE_CONTRACT, "2026-10", resolutions=12000)  # resolutions line 36,750.00


def _estimate(rate: str, lower: str, upper: str) -> AuditEstimate:
    return AuditEstimate(
        method="wilson",
        confidence=Decimal("0.95"),
        size=400,
        failures=0,
        rate=Decimal(rate),
        lower=Decimal(lower),
        upper=Decimal(upper),
        effective_size=Decimal(400),
        strata=(),
    )


@pytest.mark.parametrize(
    ("basis", "credit", "tax"),
    [
        ("point", "-1837.50", "-91.88"),
        ("lower", "-1102.50", "-55.13"),
        ("upper", "-2940.00", "-147.00"),
    ],
)
def test_credit_under_each_basis(basis: str, credit: str, tax: str) -> None:
    """Rates 0.05 / 0.03 / 0.08 of 36,750.00: credits 1,837.50 / 1,102.50 / 2,940.00, 5 % VAT each."""
    contract = attrs.evolve(CLAUSE_CONTRACT, audit=AuditClause(basis=basis, tolerance="0.02"))
    adjustment = audit_credit(contract, _estimate("0.05", "0.03", "0.08"), INVOICE)
    (line,) = adjustment.lines
    assert line.key == "audit_credit:2026-10"
    assert (line.issued, line.difference) == (Decimal("36750.00"), Decimal(credit))
    assert line.recomputed == Decimal("36750.00") + Decimal(credit)
    assert adjustment.tax_difference == Decimal(tax)
    assert adjustment.total_difference == Decimal(credit) + Decimal(tax)
    assert adjustment.kind == "credit"
    assert adjustment.issued_fingerprint == INVOICE.fingerprint


def test_no_credit_at_or_below_tolerance() -> None:
    """A rate of exactly the 0.02 tolerance owes nothing; 0.020001 owes the whole rate."""
    at = audit_credit(CLAUSE_CONTRACT, _estimate("0.02", "0.01", "0.03"), INVOICE)
    assert (at.kind, at.is_empty, at.lines, at.total_difference) == (
        "none",
        True,
        (),
        Decimal("0.00"),
    )
    above = audit_credit(CLAUSE_CONTRACT, _estimate("0.020001", "0.01", "0.03"), INVOICE)
    assert above.lines[0].difference == Decimal("-735.04")  # 0.020001 * 36,750 = 735.03675
    assert above.kind == "credit"


def test_credit_errors() -> None:
    """No [audit] clause, another contract's invoice, or an estimate of another period are errors."""
    with pytest.raises(InvalidValueError, match=r"contract\.audit: is missing"):
        audit_credit(attrs.evolve(CONTRACT, audit=None), _estimate("0.05", "0.03", "0.08"), INVOICE)
    other = quote(attrs.evolve(CLAUSE_CONTRACT, name="Other"), "2026-10", resolutions=1)
    with pytest.raises(InvalidValueError, match="not of this contract"):
        audit_credit(CLAUSE_CONTRACT, _estimate("0.05", "0.03", "0.08"), other)
    moved = attrs.evolve(_estimate("0.05", "0.03", "0.08"), period="2026-09")
    with pytest.raises(InvalidValueError, match="projected on 2026-09"):
        audit_credit(CLAUSE_CONTRACT, moved, INVOICE)


def test_audit_clause_round_trips_through_toml() -> None:
    """[audit] basis and tolerance load, dump and load back to an equal contract."""
    assert CONTRACT.audit == AuditClause(basis=AuditBasis.POINT, tolerance=Decimal("0.02"))
    changed = attrs.evolve(CONTRACT, audit=AuditClause(basis="upper", tolerance="0.005"))
    assert loads_contract(dump_contract(changed)) == changed
    bare = attrs.evolve(CONTRACT, audit=None)
    assert "[audit]" not in dump_contract(bare)
    assert loads_contract(dump_contract(bare)).audit is None


def test_audit_clause_errors_are_located() -> None:
    """A bad basis, a tolerance of 1 or more, or an unknown key are reported at audit.<key>."""
    text = dump_contract(attrs.evolve(CONTRACT, audit=None))
    with pytest.raises(ContractError) as caught:
        loads_contract(text + '\n[audit]\nbasis = "middle"\ntolerance = "1"\ncolour = 1\n')
    paths = sorted(problem.path for problem in caught.value.problems)
    assert paths == ["audit.basis", "audit.colour", "audit.tolerance"]


def test_adjustment_round_trips_and_checks_its_figures() -> None:
    """to_json / from_json is exact; figures that do not add up are refused."""
    adjustment = audit_credit(CLAUSE_CONTRACT, _estimate("0.05", "0.03", "0.08"), INVOICE)
    assert Adjustment.from_json(adjustment.to_json()) == adjustment
    assert Adjustment.from_dict(adjustment.to_dict()).to_json() == adjustment.to_json()
    data = adjustment.to_dict()
    data["total_difference"] = "-1.00"
    with pytest.raises(InvalidValueError, match="total_difference"):
        Adjustment.from_dict(data)
    with pytest.raises(InvalidValueError, match="difference"):
        AdjustmentLine(key="x", issued=Decimal(1), recomputed=Decimal(2), difference=Decimal(3))
    data = adjustment.to_dict()
    data["kind"] = "debit"
    with pytest.raises(InvalidValueError, match="kind"):
        Adjustment.from_dict(data)
