"""Decisions: the written definition of a resolution applied to a log, contact by contact."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from resolutionpricing import (
    Decision,
    DecisionStatus,
    Interaction,
    InvalidTypeError,
    InvalidValueError,
    PartialPolicy,
    Reason,
    RecontactScope,
    ResolutionRule,
    calculate_invoice,
    decide,
    load_contract,
)

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
LATER = T0 + timedelta(days=30)
"""An ``as_of`` by which every example window has closed."""

ZERO, ONE = Decimal(0), Decimal(1)
BILLABLE = DecisionStatus.BILLABLE
NOT_BILLABLE = DecisionStatus.NOT_BILLABLE
PENDING = DecisionStatus.PENDING


def at(hours: float = 0, *, seconds: int = 0) -> datetime:
    """The instant ``hours`` (and ``seconds``) after T0."""
    return T0 + timedelta(hours=hours, seconds=seconds)


def contact(
    identifier: str,
    start: datetime = T0,
    *,
    minutes: int = 10,
    customer: str = "u1",
    channel: str = "chat",
    conversation: str | None = None,
    topics: tuple[str, ...] = ("billing",),
    resolved: tuple[str, ...] | None = None,
    escalated: bool = False,
    confirmed: bool | None = None,
    csat: int | None = None,
) -> Interaction:
    """A contact lasting ``minutes``, resolving all its topics unless told otherwise."""
    return Interaction(
        id=identifier,
        customer_id=customer,
        channel=channel,
        conversation_id=conversation or identifier,
        started_at=start,
        ended_at=start + timedelta(minutes=minutes),
        topics=topics,
        resolved_topics=topics if resolved is None else resolved,
        escalated=escalated,
        confirmed=confirmed,
        csat=csat,
    )


def by_id(decisions: tuple[Decision, ...]) -> dict[str, Decision]:
    """The decisions keyed by interaction id."""
    return {decision.interaction_id: decision for decision in decisions}


def only(rule: ResolutionRule, interaction: Interaction) -> Decision:
    """The decision on a log of one contact, once its window has closed."""
    (decision,) = decide(rule, [interaction], as_of=LATER)
    return decision


# --- a contact on its own: every veto -------------------------------------------------


def test_a_resolved_contact_with_a_closed_window_bills_one_unit() -> None:
    """A resolved, silent, unescalated contact bills 1 unit with no reasons."""
    decision = only(ResolutionRule(), contact("c1"))
    assert decision == Decision(
        interaction_id="c1",
        status=BILLABLE,
        units=Decimal(1),
        provisional_units=Decimal(1),
        reasons=(),
        recontacted_by=(),
        voided_topics=frozenset(),
    )


def test_an_escalated_contact_does_not_bill() -> None:
    """An escalated contact is not billable, for the reason ``escalated``."""
    decision = only(ResolutionRule(), contact("c1", escalated=True))
    assert decision.status is NOT_BILLABLE
    assert decision.reasons == (Reason.ESCALATED,)
    assert decision.units == decision.provisional_units == 0


def test_an_escalated_contact_bills_when_the_rule_allows_it() -> None:
    """With ``exclude_escalated = false`` an escalated resolution bills."""
    decision = only(ResolutionRule(exclude_escalated=False), contact("c1", escalated=True))
    assert (decision.status, decision.units, decision.reasons) == (BILLABLE, ONE, ())


def test_negative_feedback_does_not_bill() -> None:
    """A contact the customer said did not help is not billable (``negative_feedback``)."""
    decision = only(ResolutionRule(), contact("c1", confirmed=False))
    assert (decision.status, decision.reasons) == (NOT_BILLABLE, (Reason.NEGATIVE_FEEDBACK,))


def test_a_silent_contact_bills_unless_confirmation_is_required() -> None:
    """Silence is an assumed resolution, unless the rule requires confirmation."""
    silent = contact("c1", confirmed=None)
    assert only(ResolutionRule(), silent).status is BILLABLE
    required = only(ResolutionRule(require_confirmation=True), silent)
    assert (required.status, required.reasons) == (NOT_BILLABLE, (Reason.UNCONFIRMED,))
    confirmed = only(ResolutionRule(require_confirmation=True), contact("c1", confirmed=True))
    assert confirmed.status is BILLABLE


def test_a_rating_below_min_csat_does_not_bill_and_one_at_it_does() -> None:
    """CSAT 3 under ``min_csat = 4`` is ``low_csat``; CSAT 4 bills; no rating bills."""
    rule = ResolutionRule(min_csat=4)
    low = only(rule, contact("c1", csat=3))
    assert (low.status, low.reasons) == (NOT_BILLABLE, (Reason.LOW_CSAT,))
    assert only(rule, contact("c1", csat=4)).status is BILLABLE
    assert only(rule, contact("c1", csat=None)).status is BILLABLE


def test_a_low_rating_bills_without_a_csat_veto() -> None:
    """Without ``min_csat`` a rating of 1 does not matter."""
    assert only(ResolutionRule(), contact("c1", csat=1)).status is BILLABLE


def test_a_contact_that_resolved_nothing_does_not_bill() -> None:
    """No resolved topic: not billable for the reason ``unresolved`` (and not ``partial``)."""
    decision = only(ResolutionRule(), contact("c1", topics=("a", "b"), resolved=()))
    assert (decision.status, decision.reasons) == (NOT_BILLABLE, (Reason.UNRESOLVED,))


def test_every_applicable_reason_is_listed_in_the_fixed_order() -> None:
    """Escalated, negative, low-rated and unresolved: all four reasons, in order."""
    rule = ResolutionRule(min_csat=3)
    interaction = contact("c1", escalated=True, confirmed=False, csat=1, resolved=())
    assert only(rule, interaction).reasons == (
        Reason.ESCALATED,
        Reason.NEGATIVE_FEEDBACK,
        Reason.LOW_CSAT,
        Reason.UNRESOLVED,
    )


def test_reasons_after_a_veto_still_list_recontact_and_partial() -> None:
    """An unconfirmed, partly re-contacted contact lists unconfirmed, recontacted, partial."""
    rule = ResolutionRule(require_confirmation=True)
    log = [
        contact("c1", at(0), topics=("a", "b", "c"), resolved=("a", "b")),
        contact("c2", at(1), topics=("a",), confirmed=True),
    ]
    decision = by_id(decide(rule, log, as_of=LATER))["c1"]
    assert decision.status is NOT_BILLABLE
    assert decision.reasons == (Reason.UNCONFIRMED, Reason.RECONTACTED, Reason.PARTIAL)
    assert decision.voided_topics == {"a"}


# --- re-contact scopes ----------------------------------------------------------------


def test_a_recontact_on_the_same_topic_voids_the_resolution() -> None:
    """Same customer, same topic, 30 h later in a 48 h window: the first contact is void."""
    log = [contact("c1", at(0)), contact("c2", at(30))]
    decisions = by_id(decide(ResolutionRule(recontact_window="48h"), log, as_of=LATER))
    first = decisions["c1"]
    assert (first.status, first.units, first.reasons) == (NOT_BILLABLE, ZERO, (Reason.RECONTACTED,))
    assert first.recontacted_by == ("c2",)
    assert first.voided_topics == {"billing"}
    assert decisions["c2"].status is BILLABLE


def test_same_topic_voids_only_the_shared_topics() -> None:
    """Back about ``refund`` only: ``billing`` stays resolved and bills per topic."""
    log = [
        contact("c1", at(0), topics=("billing", "refund")),
        contact("c2", at(5), topics=("refund", "shipping"), resolved=("shipping",)),
    ]
    rule = ResolutionRule(partial="per_topic")
    first = by_id(decide(rule, log, as_of=LATER))["c1"]
    assert first.voided_topics == {"refund"}
    assert first.reasons == (Reason.RECONTACTED, Reason.PARTIAL)
    assert (first.status, first.units) == (BILLABLE, ONE)


def test_a_different_topic_is_a_new_issue_under_same_topic() -> None:
    """Coming back about another topic does not void the first contact."""
    log = [contact("c1", at(0), topics=("billing",)), contact("c2", at(1), topics=("login",))]
    assert by_id(decide(ResolutionRule(), log, as_of=LATER))["c1"].status is BILLABLE


def test_another_customer_never_recontacts() -> None:
    """A contact by another customer about the same topic changes nothing."""
    log = [contact("c1", at(0)), contact("c2", at(1), customer="u2")]
    assert by_id(decide(ResolutionRule(), log, as_of=LATER))["c1"].status is BILLABLE


def test_same_conversation_counts_only_a_return_to_that_conversation() -> None:
    """Under ``same_conversation`` only a later contact in the same conversation voids."""
    rule = ResolutionRule(recontact_scope="same_conversation")
    log = [
        contact("c1", at(0), conversation="k1", topics=("a", "b")),
        contact("c2", at(1), conversation="k2", topics=("a",)),
        contact("c3", at(2), conversation="k1", topics=("zzz",)),
    ]
    decisions = by_id(decide(rule, log, as_of=LATER))
    assert decisions["c1"].recontacted_by == ("c3",)
    assert decisions["c1"].voided_topics == {"a", "b"}
    assert decisions["c1"].status is NOT_BILLABLE
    assert decisions["c2"].status is BILLABLE


def test_any_topic_counts_any_later_contact_by_the_customer() -> None:
    """Under ``any_topic`` a contact about anything voids all of the earlier one."""
    rule = ResolutionRule(recontact_scope="any_topic")
    log = [contact("c1", at(0), topics=("a", "b")), contact("c2", at(1), topics=("zzz",))]
    first = by_id(decide(rule, log, as_of=LATER))["c1"]
    assert (first.status, first.voided_topics) == (NOT_BILLABLE, frozenset({"a", "b"}))
    assert first.recontacted_by == ("c2",)


@pytest.mark.parametrize("scope", list(RecontactScope))
def test_without_cross_channel_only_the_same_channel_recontacts(scope: RecontactScope) -> None:
    """With ``cross_channel = false`` a return by email does not void a chat."""
    log = [
        contact("c1", at(0), channel="chat", conversation="k1"),
        contact("c2", at(1), channel="email", conversation="k1"),
    ]
    same_channel = ResolutionRule(recontact_scope=scope, cross_channel=False)
    assert by_id(decide(same_channel, log, as_of=LATER))["c1"].status is BILLABLE
    any_channel = ResolutionRule(recontact_scope=scope, cross_channel=True)
    assert by_id(decide(any_channel, log, as_of=LATER))["c1"].recontacted_by == ("c2",)


def test_without_cross_channel_the_same_channel_still_recontacts() -> None:
    """With ``cross_channel = false`` a return on the same channel still voids."""
    rule = ResolutionRule(cross_channel=False)
    log = [contact("c1", at(0), channel="email"), contact("c2", at(1), channel="email")]
    assert by_id(decide(rule, log, as_of=LATER))["c1"].status is NOT_BILLABLE


def test_an_escalated_or_unresolved_contact_can_recontact() -> None:
    """A re-contact voids whatever its own status: escalated and unresolved ones too."""
    log = [
        contact("c1", at(0)),
        contact("c2", at(1), escalated=True, resolved=()),
    ]
    assert by_id(decide(ResolutionRule(), log, as_of=LATER))["c1"].recontacted_by == ("c2",)


def test_a_contact_that_resolved_nothing_is_not_marked_recontacted() -> None:
    """With nothing resolved nothing can be voided: reason ``unresolved`` only."""
    rule = ResolutionRule(recontact_scope="any_topic")
    log = [contact("c1", at(0), resolved=()), contact("c2", at(1))]
    first = by_id(decide(rule, log, as_of=LATER))["c1"]
    assert (first.reasons, first.recontacted_by) == ((Reason.UNRESOLVED,), ())


def test_recontacted_by_lists_the_first_recontact_of_each_voided_topic() -> None:
    """Each voided topic names its first re-contact only, listed by (started_at, id)."""
    log = [
        contact("c1", at(0), topics=("a", "b")),
        contact("z", at(2), topics=("b",)),
        contact("y", at(2), topics=("a",)),
        contact("x", at(3), topics=("a",)),
    ]
    first = by_id(decide(ResolutionRule(), log, as_of=LATER))["c1"]
    assert first.recontacted_by == ("y", "z")


def test_many_recontacts_of_one_topic_record_only_the_first() -> None:
    """A thousand re-contacts inside one window: each decision names one id, the next contact."""
    log = [contact(f"c{n:04d}", at(0) + timedelta(seconds=n), topics=("a",)) for n in range(1000)]
    decisions = by_id(decide(ResolutionRule(), log, as_of=LATER))
    assert decisions["c0000"].recontacted_by == ("c0001",)
    assert decisions["c0998"].recontacted_by == ("c0999",)
    assert decisions["c0999"].recontacted_by == ()
    assert all(len(decision.recontacted_by) <= 1 for decision in decisions.values())


# --- the window's boundaries ------------------------------------------------------------


def test_a_recontact_exactly_at_the_window_end_counts() -> None:
    """The window is inclusive: a return at ended_at + window voids."""
    first = contact("c1", at(0), minutes=10)
    back = contact("c2", first.ended_at + timedelta(hours=48))
    decision = by_id(decide(ResolutionRule(recontact_window="48h"), [first, back]))["c1"]
    assert decision.recontacted_by == ("c2",)


def test_a_recontact_one_second_after_the_window_end_does_not_count() -> None:
    """A return one second after ended_at + window is a new contact."""
    first = contact("c1", at(0), minutes=10)
    back = contact("c2", first.ended_at + timedelta(hours=48, seconds=1))
    decision = by_id(decide(ResolutionRule(recontact_window="48h"), [first, back]))["c1"]
    assert (decision.status, decision.recontacted_by) == (BILLABLE, ())


def test_a_return_during_the_contact_counts() -> None:
    """A contact starting after A starts, but before A ends, is a re-contact."""
    log = [contact("c1", at(0), minutes=60), contact("c2", at(0.5))]
    assert by_id(decide(ResolutionRule(), log, as_of=LATER))["c1"].recontacted_by == ("c2",)


def test_contacts_starting_at_the_same_instant_do_not_recontact_each_other() -> None:
    """A start tie: neither contact is a re-contact of the other."""
    log = [contact("c1", at(0)), contact("c2", at(0))]
    decisions = decide(ResolutionRule(recontact_scope="any_topic"), log, as_of=LATER)
    assert [(d.interaction_id, d.status) for d in decisions] == [
        ("c1", BILLABLE),
        ("c2", BILLABLE),
    ]


def test_an_earlier_contact_is_never_a_recontact() -> None:
    """Only later contacts re-contact: the later one is not voided by the earlier one."""
    log = [contact("c1", at(0)), contact("c2", at(1))]
    assert by_id(decide(ResolutionRule(), log, as_of=LATER))["c2"].status is BILLABLE


def test_a_zero_window_still_counts_a_return_during_the_contact() -> None:
    """With a 0 window a return before the contact ends still voids it."""
    log = [contact("c1", at(0), minutes=60), contact("c2", at(1))]
    rule = ResolutionRule(recontact_window=timedelta(0))
    assert by_id(decide(rule, log, as_of=LATER))["c1"].recontacted_by == ("c2",)


def test_the_window_counts_instants_whatever_the_time_zone() -> None:
    """A re-contact logged at +04:00 is compared with a UTC contact as an instant."""
    dubai = timezone(timedelta(hours=4))
    first = contact("c1", at(0), minutes=0)
    # 11:00 in Dubai is 07:00 UTC the next day: 46 h after, within 48 h.
    back = contact("c2", datetime(2026, 10, 3, 11, 0, tzinfo=dubai))
    rule = ResolutionRule(recontact_window="48h")
    assert by_id(decide(rule, [first, back], as_of=LATER))["c1"].recontacted_by == ("c2",)
    # 14:00 in Dubai is 10:00 UTC: 49 h after, outside the window.
    late = contact("c2", datetime(2026, 10, 3, 14, 0, tzinfo=dubai))
    assert by_id(decide(rule, [first, late], as_of=LATER))["c1"].status is BILLABLE


def test_the_window_is_elapsed_time_across_a_daylight_saving_change() -> None:
    """A 24 h window from 12:00 CEST ends at 11:00 CET the next day, not at 12:00."""
    try:
        berlin = ZoneInfo("Europe/Berlin")
    except ZoneInfoNotFoundError:  # pragma: no cover - only without time-zone data
        pytest.skip("no time-zone data for Europe/Berlin")
    # Clocks go back from 03:00 CEST to 02:00 CET on 25 October 2026.
    first = contact("c1", datetime(2026, 10, 24, 12, 0, tzinfo=berlin), minutes=0)
    rule = ResolutionRule(recontact_window="24h")
    inside = contact("c2", datetime(2026, 10, 25, 11, 0, tzinfo=berlin))
    assert by_id(decide(rule, [first, inside], as_of=LATER))["c1"].recontacted_by == ("c2",)
    outside = contact("c2", datetime(2026, 10, 25, 11, 30, tzinfo=berlin))
    assert by_id(decide(rule, [first, outside], as_of=LATER))["c1"].status is BILLABLE


# --- partial policies -------------------------------------------------------------------

TWO_OF_THREE = contact("c1", topics=("a", "b", "c"), resolved=("a", "b"))


def test_all_or_nothing_bills_nothing_for_two_of_three() -> None:
    """``all_or_nothing``: two of three topics is not a resolution."""
    decision = only(ResolutionRule(partial="all_or_nothing"), TWO_OF_THREE)
    assert (decision.status, decision.units, decision.reasons) == (
        NOT_BILLABLE,
        ZERO,
        (Reason.PARTIAL,),
    )


def test_per_topic_bills_two_for_two_of_three() -> None:
    """``per_topic``: two resolved topics bill 2 units, marked partial."""
    decision = only(ResolutionRule(partial="per_topic"), TWO_OF_THREE)
    assert (decision.status, decision.units, decision.reasons) == (
        BILLABLE,
        Decimal(2),
        (Reason.PARTIAL,),
    )


def test_pro_rata_bills_two_thirds_to_four_places() -> None:
    """``pro_rata``: 2/3 bills 0.6667 units."""
    decision = only(ResolutionRule(partial="pro_rata"), TWO_OF_THREE)
    assert (decision.status, decision.units) == (BILLABLE, Decimal("0.6667"))
    assert str(decision.units) == "0.6667"
    assert decision.to_dict()["units"] == "0.6667"


def test_pro_rata_rounds_half_up() -> None:
    """``pro_rata``: 1/32 = 0.03125 rounds half-up to 0.0313 (half-even would give 0.0312)."""
    topics = tuple(f"t{number:02}" for number in range(32))
    decision = only(
        ResolutionRule(partial="pro_rata"), contact("c1", topics=topics, resolved=("t00",))
    )
    assert decision.units == Decimal("0.0313")


def test_any_bills_one_for_two_of_three() -> None:
    """``any``: any resolved topic bills 1 unit, marked partial."""
    decision = only(ResolutionRule(partial="any"), TWO_OF_THREE)
    assert (decision.status, decision.units, decision.reasons) == (
        BILLABLE,
        ONE,
        (Reason.PARTIAL,),
    )


@pytest.mark.parametrize(
    ("policy", "units"),
    [("all_or_nothing", "1"), ("per_topic", "3"), ("pro_rata", "1"), ("any", "1")],
)
def test_a_fully_resolved_contact_is_not_partial(policy: str, units: str) -> None:
    """Every topic resolved: no ``partial`` reason, and the policy's full units."""
    interaction = contact("c1", topics=("a", "b", "c"))
    decision = only(ResolutionRule(partial=policy), interaction)
    assert (decision.status, decision.reasons, decision.units) == (BILLABLE, (), Decimal(units))
    assert decision.to_dict()["units"] == units


# --- as_of, pending and final -----------------------------------------------------------


def test_a_contact_is_pending_until_its_window_ends_and_final_at_the_end() -> None:
    """One second before ended_at + window: pending; exactly at it: billable."""
    interaction = contact("c1", at(0), minutes=10)
    rule = ResolutionRule(recontact_window="48h")
    closes = interaction.ended_at + timedelta(hours=48)
    (pending,) = decide(rule, [interaction], as_of=closes - timedelta(seconds=1))
    assert (pending.status, pending.units, pending.provisional_units) == (PENDING, ZERO, ONE)
    assert pending.reasons == (Reason.WINDOW_OPEN,)
    (final,) = decide(rule, [interaction], as_of=closes)
    assert (final.status, final.units, final.provisional_units, final.reasons) == (
        BILLABLE,
        ONE,
        ONE,
        (),
    )


def test_a_pending_contact_also_lists_partial_and_recontacted() -> None:
    """A partly re-contacted contact in its window: recontacted, partial, window_open."""
    log = [contact("c1", at(0), topics=("a", "b")), contact("c2", at(1), topics=("a",))]
    rule = ResolutionRule(partial="pro_rata", recontact_window="48h")
    first = by_id(decide(rule, log, as_of=at(2)))["c1"]
    assert first.status is PENDING
    assert first.reasons == (Reason.RECONTACTED, Reason.PARTIAL, Reason.WINDOW_OPEN)
    assert (first.units, first.provisional_units) == (ZERO, Decimal("0.5"))


def test_a_contact_that_would_not_bill_is_never_pending() -> None:
    """An unresolved contact, or all_or_nothing two of three, is final at once."""
    rule = ResolutionRule(recontact_window="48h")
    unresolved = contact("c1", resolved=())
    (decision,) = decide(rule, [unresolved], as_of=at(1))
    assert (decision.status, decision.reasons) == (NOT_BILLABLE, (Reason.UNRESOLVED,))
    (partial,) = decide(rule, [TWO_OF_THREE], as_of=at(1))
    assert (partial.status, partial.reasons) == (NOT_BILLABLE, (Reason.PARTIAL,))


def test_contacts_starting_after_as_of_are_ignored() -> None:
    """A contact starting after as_of gets no decision and re-contacts nothing."""
    log = [contact("c1", at(0)), contact("c2", at(30))]
    rule = ResolutionRule(recontact_window="48h")
    (decision,) = decide(rule, log, as_of=at(20))
    assert decision.interaction_id == "c1"
    assert (decision.status, decision.recontacted_by) == (PENDING, ())


def test_a_contact_starting_exactly_at_as_of_is_known() -> None:
    """A contact starting at as_of is known: it gets a decision and re-contacts."""
    log = [contact("c1", at(0)), contact("c2", at(30))]
    decisions = by_id(decide(ResolutionRule(), log, as_of=at(30)))
    assert set(decisions) == {"c1", "c2"}
    assert decisions["c1"].recontacted_by == ("c2",)


def test_as_of_defaults_to_the_latest_timestamp_in_the_log() -> None:
    """Without as_of, a lone contact is judged at its own end: pending in a 48 h window."""
    interaction = contact("c1", at(0))
    (decision,) = decide(ResolutionRule(recontact_window="48h"), [interaction])
    assert decision.status is PENDING
    (instant,) = decide(ResolutionRule(recontact_window=timedelta(0)), [interaction])
    assert instant.status is BILLABLE


def test_as_of_defaults_to_an_end_later_than_every_start() -> None:
    """The default as_of is the latest of all starts and ends, not only of starts."""
    log = [contact("c1", at(0), minutes=60 * 50), contact("c2", at(1))]
    decisions = by_id(decide(ResolutionRule(recontact_window="48h"), log))
    # as_of is c1's end (50 h): c2's window (to 49 h 10 m) is closed.
    assert decisions["c2"].status is BILLABLE


def test_an_empty_log_gives_no_decisions() -> None:
    """No contacts, no decisions."""
    assert decide(ResolutionRule(), []) == ()
    assert decide(ResolutionRule(), [], as_of=T0) == ()


def test_decisions_are_sorted_by_start_then_id() -> None:
    """Whatever the input order, decisions come by (started_at, id)."""
    log = [contact("b", at(1)), contact("c", at(0)), contact("a", at(1), customer="u2")]
    ids = [decision.interaction_id for decision in decide(ResolutionRule(), log, as_of=LATER)]
    assert ids == ["c", "a", "b"]


# --- errors ----------------------------------------------------------------------------


def test_a_naive_as_of_is_refused() -> None:
    """A naive as_of raises InvalidValueError at path ``as_of``."""
    with pytest.raises(InvalidValueError) as caught:
        decide(ResolutionRule(), [contact("c1")], as_of=datetime(2026, 10, 1))  # noqa: DTZ001
    assert caught.value.path == "as_of"


def test_an_as_of_that_is_not_a_datetime_is_refused() -> None:
    """A string as_of raises InvalidTypeError at path ``as_of``."""
    with pytest.raises(InvalidTypeError) as caught:
        decide(ResolutionRule(), [contact("c1")], as_of="2026-10-01")  # type: ignore[arg-type]
    assert caught.value.path == "as_of"


def test_duplicate_ids_are_refused_by_name() -> None:
    """Two rows with id ``c1`` raise InvalidValueError at ``interactions``, naming c1."""
    with pytest.raises(InvalidValueError) as caught:
        decide(ResolutionRule(), [contact("c1", at(0)), contact("c2"), contact("c1", at(5))])
    assert caught.value.path == "interactions"
    assert "'c1'" in caught.value.problem
    assert "'c2'" not in caught.value.problem


def test_a_row_that_is_not_an_interaction_is_refused() -> None:
    """A dict among the rows raises InvalidTypeError naming its position."""
    rows: list[object] = [contact("c1"), {"id": "c2"}]
    with pytest.raises(InvalidTypeError) as caught:
        decide(ResolutionRule(), rows)  # type: ignore[arg-type]
    assert caught.value.path == "interactions[1]"


# --- to_dict ---------------------------------------------------------------------------


def test_to_dict_is_json_safe() -> None:
    """to_dict gives strings and lists only, so json.dumps accepts it."""
    log = [contact("c1", at(0), topics=("b", "a")), contact("c2", at(1), topics=("a", "b"))]
    rule = ResolutionRule(recontact_scope="any_topic")
    data = by_id(decide(rule, log, as_of=LATER))["c1"].to_dict()
    assert data == {
        "interaction_id": "c1",
        "account_id": None,
        "period": None,
        "status": "not_billable",
        "units": "0",
        "provisional_units": "0",
        "reasons": ["recontacted"],
        "recontacted_by": ["c2"],
        "voided_topics": ["a", "b"],
    }
    assert json.loads(json.dumps(data)) == data


# --- properties ------------------------------------------------------------------------

CUSTOMERS = ("u1", "u2")
CHANNELS = ("chat", "email")
TOPICS = ("a", "b", "c")
CONVERSATIONS = ("k1", "k2", "k3")
ZONES = (UTC, timezone(timedelta(hours=4)), timezone(timedelta(hours=-5, minutes=-30)))
STEP = timedelta(minutes=30)
"""Every time in the generated logs is on a half-hour grid, so that start ties
and re-contacts exactly at a window's end happen often."""
WINDOWS = tuple(STEP * steps for steps in (0, 1, 2, 4, 48, 96))


@st.composite
def interactions(draw: st.DrawFn, identifier: str) -> Interaction:
    """One contact within four days of T0, among few customers, channels and topics."""
    start = T0 + STEP * draw(st.integers(0, 4 * 48))
    topics = draw(st.frozensets(st.sampled_from(TOPICS), min_size=1))
    zone = draw(st.sampled_from(ZONES))
    return Interaction(
        id=identifier,
        customer_id=draw(st.sampled_from(CUSTOMERS)),
        channel=draw(st.sampled_from(CHANNELS)),
        conversation_id=draw(st.sampled_from(CONVERSATIONS)),
        started_at=start.astimezone(zone),
        ended_at=(start + STEP * draw(st.integers(0, 4))).astimezone(zone),
        topics=topics,
        resolved_topics=draw(st.frozensets(st.sampled_from(sorted(topics)))),
        escalated=draw(st.booleans()),
        confirmed=draw(st.sampled_from((None, None, True, False))),
        csat=draw(st.none() | st.integers(1, 5)),
    )


@st.composite
def logs(draw: st.DrawFn, max_size: int = 12) -> list[Interaction]:
    """A small log: ids are unique; ids sort differently from start times."""
    size = draw(st.integers(0, max_size))
    identifiers = draw(st.permutations([f"i{number:02}" for number in range(size)]))
    return [draw(interactions(identifier)) for identifier in identifiers]


rules = st.builds(
    ResolutionRule,
    recontact_window=st.sampled_from(WINDOWS),
    recontact_scope=st.sampled_from(RecontactScope),
    cross_channel=st.booleans(),
    exclude_escalated=st.booleans(),
    require_confirmation=st.booleans(),
    min_csat=st.none() | st.integers(1, 5),
    partial=st.sampled_from(PartialPolicy),
)
as_ofs = st.none() | st.builds(
    lambda steps, zone: (T0 + STEP * steps).astimezone(zone),
    st.integers(-2, 5 * 48),
    st.sampled_from(ZONES),
)


def reference_recontacts(
    rule: ResolutionRule, a: Interaction, known: list[Interaction]
) -> tuple[set[str], list[Interaction]]:
    """The topics of ``a`` voided by re-contacts, and the first re-contact of each: every pair compared."""
    voided: set[str] = set()
    recontacts = []
    for b in known:
        if b.customer_id != a.customer_id:
            continue
        if not a.started_at < b.started_at <= a.ended_at + rule.recontact_window:
            continue
        if not rule.cross_channel and b.channel != a.channel:
            continue
        if rule.recontact_scope is RecontactScope.SAME_CONVERSATION:
            hit = a.resolved_topics if b.conversation_id == a.conversation_id else frozenset()
        elif rule.recontact_scope is RecontactScope.SAME_TOPIC:
            hit = a.resolved_topics & b.topics
        else:
            hit = a.resolved_topics
        # ``known`` is in (started_at, id) order: the first b to hit a topic is its first re-contact.
        if hit - voided:
            voided |= hit
            recontacts.append(b)
    recontacts.sort(key=lambda row: (row.started_at, row.id))
    return voided, recontacts


def reference_vetoes(rule: ResolutionRule, a: Interaction) -> list[Reason]:
    """The reasons that disqualify ``a`` whatever re-contacts it."""
    reasons = []
    if a.escalated and rule.exclude_escalated:
        reasons.append(Reason.ESCALATED)
    if a.confirmed is False:
        reasons.append(Reason.NEGATIVE_FEEDBACK)
    if a.confirmed is None and rule.require_confirmation:
        reasons.append(Reason.UNCONFIRMED)
    if a.csat is not None and rule.min_csat is not None and a.csat < rule.min_csat:
        reasons.append(Reason.LOW_CSAT)
    if not a.resolved_topics:
        reasons.append(Reason.UNRESOLVED)
    return reasons


def reference_units(policy: PartialPolicy, left: frozenset[str], topics: frozenset[str]) -> Decimal:
    """What ``left`` of ``topics`` bills under ``policy``."""
    return {
        PartialPolicy.ALL_OR_NOTHING: Decimal(left == topics),
        PartialPolicy.PER_TOPIC: Decimal(len(left)),
        PartialPolicy.PRO_RATA: (Decimal(len(left)) / Decimal(len(topics))).quantize(
            Decimal("0.0001"), rounding="ROUND_HALF_UP"
        ),
        PartialPolicy.ANY: Decimal(bool(left)),
    }[policy]


def reference(
    rule: ResolutionRule, log: list[Interaction], as_of: datetime | None = None
) -> tuple[Decision, ...]:
    """The semantics written out naively: every pair of contacts compared, O(n²)."""
    if not log:
        return ()
    if as_of is None:
        as_of = max([row.started_at for row in log] + [row.ended_at for row in log])
    known = sorted(
        (row for row in log if row.started_at <= as_of), key=lambda row: (row.started_at, row.id)
    )
    decisions = []
    for a in known:
        voided, recontacts = reference_recontacts(rule, a, known)
        left = a.resolved_topics - voided
        reasons = reference_vetoes(rule, a)
        vetoed = bool(reasons) or not left
        if voided:
            reasons.append(Reason.RECONTACTED)
        if left and left != a.topics:
            reasons.append(Reason.PARTIAL)
        units = reference_units(rule.partial, left, a.topics)
        if vetoed or units == 0:
            status, now, provisional = NOT_BILLABLE, ZERO, ZERO
        elif as_of < a.ended_at + rule.recontact_window:
            reasons.append(Reason.WINDOW_OPEN)
            status, now, provisional = PENDING, ZERO, units
        else:
            status, now, provisional = BILLABLE, units, units
        decisions.append(
            Decision(
                interaction_id=a.id,
                status=status,
                units=now,
                provisional_units=provisional,
                reasons=tuple(reasons),
                recontacted_by=tuple(row.id for row in recontacts),
                voided_topics=frozenset(voided),
            )
        )
    return tuple(decisions)


def billed(decisions: tuple[Decision, ...]) -> Decimal:
    """The total units billable now."""
    return sum((d.units for d in decisions if d.status is BILLABLE), Decimal(0))


@given(rule=rules, log=logs(), as_of=as_ofs)
def test_decide_agrees_with_the_naive_reference(
    rule: ResolutionRule, log: list[Interaction], as_of: datetime | None
) -> None:
    """On random small logs, decide gives exactly what the O(n²) reference gives."""
    assert decide(rule, log, as_of=as_of) == reference(rule, log, as_of)


@given(rule=rules, log=logs(), as_of=as_ofs, data=st.data())
def test_a_longer_window_never_bills_more(
    rule: ResolutionRule, log: list[Interaction], as_of: datetime | None, data: st.DataObject
) -> None:
    """Lengthening the window never raises any contact's units, nor the total."""
    longer = data.draw(st.sampled_from([w for w in WINDOWS if w >= rule.recontact_window]))
    short = decide(rule, log, as_of=as_of)
    long = decide(attrs.evolve(rule, recontact_window=longer), log, as_of=as_of)
    assert billed(long) <= billed(short)
    for before, after in zip(short, long, strict=True):
        assert after.units <= before.units
        assert after.provisional_units <= before.provisional_units


@given(rule=rules, log=logs(), late=interactions("late"), data=st.data())
def test_a_later_contact_never_raises_the_units_of_earlier_ones(
    rule: ResolutionRule, log: list[Interaction], late: Interaction, data: st.DataObject
) -> None:
    """Adding a contact that starts after all others never raises an earlier one's units."""
    latest = max((row.started_at for row in log), default=T0)
    late = attrs.evolve(
        late,
        started_at=latest + STEP,
        ended_at=latest + STEP + (late.ended_at - late.started_at),
    )
    as_of = late.started_at + STEP * data.draw(st.integers(0, 200))
    without = by_id(decide(rule, log, as_of=as_of))
    with_late = by_id(decide(rule, [*log, late], as_of=as_of))
    for identifier, before in without.items():
        after = with_late[identifier]
        assert after.units <= before.units
        assert after.provisional_units <= before.provisional_units


@given(rule=rules, log=logs(), as_of=as_ofs)
def test_an_escalated_contact_never_bills_when_escalations_are_excluded(
    rule: ResolutionRule, log: list[Interaction], as_of: datetime | None
) -> None:
    """With exclude_escalated every escalated contact is not billable, reason escalated."""
    rule = attrs.evolve(rule, exclude_escalated=True)
    rows = by_id(tuple(decide(rule, log, as_of=as_of)))
    for interaction in log:
        if interaction.escalated and interaction.id in rows:
            decision = rows[interaction.id]
            assert decision.status is NOT_BILLABLE
            assert decision.reasons[0] is Reason.ESCALATED


@given(rule=rules, log=logs(), as_of=as_ofs)
def test_every_known_contact_gets_exactly_one_decision(
    rule: ResolutionRule, log: list[Interaction], as_of: datetime | None
) -> None:
    """Exactly the contacts starting no later than as_of get one decision each."""
    decisions = decide(rule, log, as_of=as_of)
    cutoff = as_of or max([r.started_at for r in log] + [r.ended_at for r in log], default=T0)
    known = sorted(r.id for r in log if r.started_at <= cutoff)
    assert sorted(d.interaction_id for d in decisions) == known


@given(rule=rules, log=logs(), as_of=as_ofs, data=st.data())
def test_the_order_of_the_rows_does_not_matter(
    rule: ResolutionRule, log: list[Interaction], as_of: datetime | None, data: st.DataObject
) -> None:
    """Shuffling the log gives identical decisions, in the same order."""
    shuffled = data.draw(st.permutations(log))
    assert decide(rule, shuffled, as_of=as_of) == decide(rule, log, as_of=as_of)


@given(rule=rules, log=logs(), as_of=as_ofs)
def test_decisions_are_consistent_with_their_status(
    rule: ResolutionRule, log: list[Interaction], as_of: datetime | None
) -> None:
    """Units never exceed the topic count; status, units and reasons agree."""
    topics = {interaction.id: len(interaction.topics) for interaction in log}
    order = list(Reason)
    for decision in decide(rule, log, as_of=as_of):
        assert 0 <= decision.units <= decision.provisional_units <= topics[decision.interaction_id]
        positions = [order.index(reason) for reason in decision.reasons]
        assert positions == sorted(set(positions))
        assert bool(decision.recontacted_by) == (Reason.RECONTACTED in decision.reasons)
        if decision.status is BILLABLE:
            assert decision.units == decision.provisional_units > 0
        elif decision.status is PENDING:
            assert decision.units == 0 < decision.provisional_units
            assert decision.reasons[-1] is Reason.WINDOW_OPEN
        else:
            assert decision.units == decision.provisional_units == 0
            assert decision.reasons
            assert Reason.WINDOW_OPEN not in decision.reasons
        assert json.loads(json.dumps(decision.to_dict())) == decision.to_dict()


def test_a_contract_passed_as_the_rule_says_what_to_pass() -> None:
    """decide(contract, log) is a natural mistake: the error says to pass contract.resolution."""
    contract = load_contract("examples/contract.toml")
    with pytest.raises(InvalidTypeError, match=r"pass contract\.resolution"):
        decide(contract, [])  # type: ignore[arg-type]


def test_a_path_passed_as_the_log_says_to_read_it() -> None:
    """calculate_invoice(contract, "log.csv", ...) says to call read_interactions first."""
    contract = load_contract("examples/contract.toml")
    with pytest.raises(InvalidTypeError, match=r"read_interactions\(path\) first"):
        calculate_invoice(contract, "examples/interactions.csv", "2026-10")  # type: ignore[arg-type]


def test_worst_case_recontacts_record_one_id_each() -> None:
    """3,000 contacts of one customer and topic inside one window: n-1 ids in all, not n^2/2."""
    log = [contact(f"c{n:05d}", at(0) + timedelta(seconds=n), topics=("a",)) for n in range(3000)]
    decisions = decide(ResolutionRule(recontact_window="30d"), log, as_of=LATER)
    assert sum(len(decision.recontacted_by) for decision in decisions) == 2999


def test_a_row_logged_after_as_of_does_not_shift_the_order_of_ties() -> None:
    """Three contacts at one instant, the first row logged late: the other two still come in id order."""
    late = attrs.evolve(contact("c2"), logged_at=at(5))
    log = [late, contact("c3"), contact("c1")]
    decided = decide(ResolutionRule(recontact_window="1h"), log, as_of=at(2))
    assert [decision.interaction_id for decision in decided] == ["c1", "c3"]
