"""Reconcile: what an issued invoice should have been, as an `Adjustment`.

`reconcile` compares an issued invoice with the same period recomputed
(from a log that has since grown or been corrected), line key by line key,
and, given the decisions behind both, names each contact whose decision
changed and why. `Invoice.apply` is its inverse: ``issued.apply(reconcile(
issued, recomputed))`` has ``recomputed``'s line amounts, tax and total.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable
from decimal import Decimal

from resolutionpricing._adjustment import Adjustment, AdjustmentLine, ChangeReason, ContactChange
from resolutionpricing._decisions import Decision
from resolutionpricing._errors import InvalidValueError
from resolutionpricing._invoice import Invoice
from resolutionpricing._money import ARITHMETIC

__all__ = ["reconcile"]

_Key = tuple[str | None, str]


def reconcile(
    issued: Invoice,
    recomputed: Invoice,
    *,
    issued_decisions: Iterable[Decision] | None = None,
    recomputed_decisions: Iterable[Decision] | None = None,
) -> Adjustment:
    """The adjustment that turns ``issued`` into ``recomputed``: one line per changed line key.

    A line key that only one invoice has counts as 0 on the other. The tax
    and total differences are ``recomputed``'s minus ``issued``'s, so the
    adjustment's total is the difference of the totals to the minor unit.

    Args:
        issued: the invoice sent.
        recomputed: the same account, contract and period priced again.
        issued_decisions: the decisions behind ``issued`` (a `BillingRun`'s
            decisions: when any carries a period, only those of the
            invoice's period are compared).
        recomputed_decisions: the decisions behind ``recomputed``. With
            both, the adjustment lists every contact whose status or units
            changed (`ContactChange`).

    Raises:
        InvalidValueError: invoices of different accounts, contract ids,
            periods or currencies, or only one of the two decision lists.

    Examples:
        >>> from resolutionpricing import load_contract, quote, reconcile
        >>> contract = load_contract("examples/contract.toml")
        >>> issued, recomputed = (quote(contract, "2026-10", resolutions=n) for n in (12000, 11999))
        >>> adjustment = reconcile(issued, recomputed)
        >>> [(line.key, line.difference) for line in adjustment.lines], adjustment.total_difference, adjustment.kind
        ([('resolutions', Decimal('-2.75'))], Decimal('-2.89'), 'credit')
        >>> reconcile(issued, issued).kind, reconcile(issued, issued).is_empty
        ('none', True)
    """
    _check_same(issued, recomputed)
    if (issued_decisions is None) != (recomputed_decisions is None):
        raise InvalidValueError(
            "issued_decisions",
            "only one of issued_decisions and recomputed_decisions is given",
            "both, or neither",
        )
    changes: list[ContactChange] = []
    if issued_decisions is not None and recomputed_decisions is not None:
        label = issued.period.label
        changes = _changes(_by_key(issued_decisions, label), _by_key(recomputed_decisions, label))
    with decimal.localcontext(ARITHMETIC):
        return Adjustment(
            account_id=issued.account_id,
            contract_id=issued.contract_id,
            currency=issued.currency,
            period=issued.period.label,
            lines=_changed_lines(issued, recomputed),
            tax_difference=recomputed.tax - issued.tax,
            total_difference=recomputed.total - issued.total,
            issued_fingerprint=issued.fingerprint,
            recomputed_fingerprint=recomputed.fingerprint,
            changes=changes,
        )


def _check_same(issued: Invoice, recomputed: Invoice) -> None:
    pairs = (
        ("account_id", issued.account_id, recomputed.account_id),
        ("contract_id", issued.contract_id, recomputed.contract_id),
        ("period", issued.period.label, recomputed.period.label),
        ("currency", issued.currency, recomputed.currency),
    )
    for key, first, second in pairs:
        if first != second:
            raise InvalidValueError(
                f"recomputed.{key}",
                f"{second!r} is not the issued invoice's {first!r}",
                "two invoices of one account, contract id and period",
            )


def _changed_lines(issued: Invoice, recomputed: Invoice) -> list[AdjustmentLine]:
    before = {line.key: line.amount for line in issued.lines}
    after = {line.key: line.amount for line in recomputed.lines}
    keys = list(before) + [key for key in after if key not in before]
    zero = Decimal(0)
    return [
        AdjustmentLine(key=key, issued=before.get(key, zero), recomputed=after.get(key, zero))
        for key in keys
        if before.get(key, zero) != after.get(key, zero)
    ]


def _by_key(decisions: Iterable[Decision], label: str) -> dict[_Key, Decision]:
    """The period's decisions by (account, id).

    A run's decisions carry their period: only the period's are kept. Without
    any period (decided by `decide` alone), all of them are the period's.
    """
    given = list(decisions)
    placed = any(decision.period is not None for decision in given)
    return {
        (decision.account_id, decision.interaction_id): decision
        for decision in given
        if not placed or decision.period == label
    }


def _changes(before: dict[_Key, Decision], after: dict[_Key, Decision]) -> list[ContactChange]:
    keys = sorted(
        set(before) | set(after), key=lambda key: (key[0] is not None, key[0] or "", key[1])
    )
    changes = []
    for key in keys:
        old, new = before.get(key), after.get(key)
        if (
            old is not None
            and new is not None
            and (old.status, old.units) == (new.status, new.units)
        ):
            continue
        changes.append(
            ContactChange(
                account_id=key[0],
                interaction_id=key[1],
                why=_why(old, new),
                issued=old,
                recomputed=new,
            )
        )
    return changes


def _why(old: Decision | None, new: Decision | None) -> ChangeReason:
    if old is None:
        return "new_row"
    if new is None:
        return "removed_row"
    if set(new.recontacted_by) - set(old.recontacted_by):
        return "late_recontact"
    return "corrected_row"
