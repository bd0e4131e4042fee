"""resolutionpricing: exact, auditable per-resolution pricing of AI customer service.

Everything public is imported here; the modules behind it are private.
"""

from resolutionpricing._adjustment import Adjustment, AdjustmentLine, ContactChange
from resolutionpricing._audit import (
    AuditEstimate,
    AuditSample,
    AuditStratum,
    AuditStratumEstimate,
    audit_credit,
    audit_estimate,
    audit_sample,
    audit_sample_size,
    strata_by,
)
from resolutionpricing._audit_clause import AuditBasis, AuditClause
from resolutionpricing._automation import AutomationBand
from resolutionpricing._billing import BillingRun, bill, calculate_invoice
from resolutionpricing._billing_clause import BillingClause, PendingBilling
from resolutionpricing._calculator import quote
from resolutionpricing._caps import Cap, PauseCap, SpendCap, StepDownCap
from resolutionpricing._clauses import ClauseFigures, ClauseReport, ClauseRow, compare_clauses
from resolutionpricing._contract import Contract
from resolutionpricing._contract_year import Accumulate, AllowancePer, Balances, IncludedAllowance
from resolutionpricing._decisions import Decision, DecisionStatus, Reason, decide
from resolutionpricing._errors import (
    ContractError,
    InteractionLogError,
    InvalidTypeError,
    InvalidValueError,
    ResolutionPricingError,
    ScenarioError,
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
from resolutionpricing._files import (
    contract_from_dict,
    contract_to_dict,
    dump_contract,
    load_contract,
    loads_contract,
)
from resolutionpricing._interactions import (
    Interaction,
    ReadReport,
    RejectedRow,
    interactions_from_records,
    iter_interactions,
    read_interactions,
)
from resolutionpricing._invoice import (
    AutomationDetails,
    CarriedAdjustmentDetails,
    CommitmentDetails,
    CumulativeDetails,
    ImplementationDetails,
    Invoice,
    LineDetails,
    LineItem,
    MinimumCommitmentDetails,
    OneTimeFeeDetails,
    PauseDetails,
    ResolutionDetails,
    SpendCapDetails,
    StepDownDetails,
    VolumeTrueUpDetails,
)
from resolutionpricing._money import Rounding, minor_unit, round_money, to_decimal
from resolutionpricing._offers import OfferFigures, OfferReport, OfferRow, compare_offers
from resolutionpricing._periods import BillingPeriod, Cadence
from resolutionpricing._pilot_clause import Pilot
from resolutionpricing._reconcile import reconcile
from resolutionpricing._rules import (
    PartialPolicy,
    RecontactScope,
    ResolutionRule,
    format_window,
    parse_window,
)
from resolutionpricing._statement import Statement
from resolutionpricing._tiers import (
    PackagePricing,
    PricingMode,
    PricingSchedule,
    Tier,
    TierPart,
    TierSchedule,
)
from resolutionpricing._usage import Usage
from resolutionpricing._version import __version__

__all__ = [
    # contracts and rules
    "Contract",
    "ResolutionRule",
    "RecontactScope",
    "PartialPolicy",
    "parse_window",
    "format_window",
    "BillingPeriod",
    "Cadence",
    # tiers and caps
    "Tier",
    "TierSchedule",
    "TierPart",
    "PricingMode",
    "PackagePricing",
    "PricingSchedule",
    "Cap",
    "PauseCap",
    "StepDownCap",
    "SpendCap",
    "AutomationBand",
    # fees
    "Fee",
    "ImplementationFee",
    "Milestone",
    "RecurringFee",
    "PerEscalationFee",
    "OneTimeFee",
    "MinimumCommitment",
    "PrepaidCommitment",
    # contract years
    "Accumulate",
    "AllowancePer",
    "IncludedAllowance",
    "Balances",
    "Statement",
    "Pilot",
    # money
    "Rounding",
    "minor_unit",
    "round_money",
    "to_decimal",
    # files
    "load_contract",
    "loads_contract",
    "contract_from_dict",
    "contract_to_dict",
    "dump_contract",
    # interactions and decisions
    "Interaction",
    "read_interactions",
    "iter_interactions",
    "interactions_from_records",
    "ReadReport",
    "RejectedRow",
    "decide",
    "Decision",
    "DecisionStatus",
    "Reason",
    # invoices
    "Invoice",
    "LineItem",
    "LineDetails",
    "ResolutionDetails",
    "PauseDetails",
    "StepDownDetails",
    "SpendCapDetails",
    "MinimumCommitmentDetails",
    "ImplementationDetails",
    "OneTimeFeeDetails",
    "AutomationDetails",
    "CarriedAdjustmentDetails",
    "CumulativeDetails",
    "VolumeTrueUpDetails",
    "CommitmentDetails",
    "Usage",
    "quote",
    "calculate_invoice",
    # audit
    "audit_sample",
    "audit_sample_size",
    "audit_estimate",
    "audit_credit",
    "strata_by",
    "AuditSample",
    "AuditStratum",
    "AuditEstimate",
    "AuditStratumEstimate",
    "AuditClause",
    "AuditBasis",
    "Adjustment",
    "AdjustmentLine",
    # negotiation
    "compare_clauses",
    "ClauseReport",
    "ClauseRow",
    "ClauseFigures",
    "compare_offers",
    "OfferReport",
    "OfferRow",
    "OfferFigures",
    # billing runs
    "bill",
    "BillingRun",
    "BillingClause",
    "PendingBilling",
    # late data
    "reconcile",
    "ContactChange",
    # errors
    "ResolutionPricingError",
    "InvalidValueError",
    "InvalidTypeError",
    "ContractError",
    "InteractionLogError",
    "ScenarioError",
    "__version__",
]


def _show_public_home() -> None:
    """Give every public class and function its public module, ``resolutionpricing``.

    Tracebacks, reprs and doctests then show ``resolutionpricing.InvalidValueError``,
    not the private module that defines it; pickle still finds each name here.
    """
    for name in __all__:
        value = globals()[name]
        if getattr(value, "__module__", "").startswith("resolutionpricing._"):
            value.__module__ = __name__


_show_public_home()
