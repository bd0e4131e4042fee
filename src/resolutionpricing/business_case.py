"""The buyer's arithmetic: business case, automation ramp, spike test, pilot verdict, quarterly review.

Every name here is importable from this module (they are not in the
package's top-level namespace):

- `CostBaseline`: today's fully loaded cost per contact;
- `AutomationRamp` and `VolumeForecast`: the rate and the contacts by month;
- `BusinessCase` and its `BusinessCaseResult` (`BusinessCaseMonth` rows and
  a `BusinessCaseSummary`), and `spread`, the amortization of one fee;
- `spike_test` and its `SpikeTest`;
- `PilotCriteria`, `evaluate_pilot` and its `PilotReport` (`CriterionResult`);
- `quarterly_review` and its `ReviewReport` (`ReviewQuarter`);
- `load_scenario`: a scenario file (``resolutionpricing business-case``).

Every figure is a `Decimal`; every result has ``to_rows()`` (flat dicts, for
``pandas.DataFrame``), ``to_text()`` and an HTML table in Jupyter.

Examples:
    >>> from resolutionpricing.business_case import AutomationRamp
    >>> AutomationRamp.seed("low").rate(9)
    Decimal('0.80')
"""

from resolutionpricing._business_case import (
    AutomationRamp,
    BusinessCase,
    BusinessCaseMonth,
    BusinessCaseResult,
    BusinessCaseSummary,
    CostBaseline,
    SpikeRow,
    SpikeTest,
    VolumeForecast,
    spike_test,
    spread,
)
from resolutionpricing._pilot import (
    CriterionResult,
    PilotCriteria,
    PilotReport,
    ReviewQuarter,
    ReviewReport,
    evaluate_pilot,
    quarterly_review,
)
from resolutionpricing._scenario import load_scenario

__all__ = [
    # the business case
    "CostBaseline",
    "AutomationRamp",
    "VolumeForecast",
    "BusinessCase",
    "BusinessCaseResult",
    "BusinessCaseMonth",
    "BusinessCaseSummary",
    "spread",
    "load_scenario",
    # spike months
    "spike_test",
    "SpikeTest",
    "SpikeRow",
    # pilot and review
    "PilotCriteria",
    "evaluate_pilot",
    "PilotReport",
    "CriterionResult",
    "quarterly_review",
    "ReviewReport",
    "ReviewQuarter",
]
