"""Errors: one root, leaves that are also ValueError/TypeError, located messages, groups."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from pathlib import Path

import pytest

from resolutionpricing import (
    ContractError,
    InteractionLogError,
    InvalidTypeError,
    InvalidValueError,
    ResolutionPricingError,
    Tier,
    TierSchedule,
    load_contract,
    loads_contract,
)
from resolutionpricing._errors import parse_choice
from resolutionpricing._tiers import PricingMode

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "contract.toml"


def _contract_error() -> ContractError:
    """A ContractError with two problems, from a real file."""
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace('currency = "AED"', "currency = 784").replace(
        'mode = "graduated"', 'mode = "tiered"'
    )
    with pytest.raises(ContractError) as caught:
        loads_contract(text, source="gulf.toml")
    return caught.value


def _pickled(error: Exception) -> Exception:
    """``error`` through pickle, as a process pool would send it."""
    clone: Exception = pickle.loads(pickle.dumps(error))  # noqa: S301  (our own bytes)
    return clone


DUPLICATORS: list[Callable[[Exception], Exception]] = [copy.copy, copy.deepcopy, _pickled]


def test_hierarchy() -> None:
    """Leaves subclass the root and the stdlib error a caller would catch."""
    assert issubclass(InvalidValueError, ResolutionPricingError)
    assert issubclass(InvalidValueError, ValueError)
    assert issubclass(InvalidTypeError, ResolutionPricingError)
    assert issubclass(InvalidTypeError, TypeError)
    assert issubclass(ContractError, ResolutionPricingError)
    assert issubclass(ContractError, ExceptionGroup)
    assert issubclass(InteractionLogError, ResolutionPricingError)
    assert issubclass(InteractionLogError, ExceptionGroup)


def test_message_has_path_problem_and_allowed() -> None:
    """A message reads "path: problem; allowed", and keeps the parts as attributes."""
    error = InvalidValueError("pricing.tiers[1].up_to", "is 0", "must be above 0")
    assert str(error) == "pricing.tiers[1].up_to: is 0; must be above 0"
    assert (error.path, error.problem, error.allowed) == (
        "pricing.tiers[1].up_to",
        "is 0",
        "must be above 0",
    )


def test_message_without_path_or_allowed() -> None:
    """Without a path or an allowed part, the message is just what is given."""
    assert str(InvalidValueError("", "is wrong")) == "is wrong"
    assert str(InvalidValueError("x", "is wrong")) == "x: is wrong"
    assert str(InvalidTypeError("", "is wrong", "use y")) == "is wrong; use y"


@pytest.mark.parametrize(
    ("path", "prefix", "expected"),
    [
        ("up_to", "tiers[0]", "tiers[0].up_to"),
        ("[2].amount", "fees", "fees[2].amount"),
        ("", "pricing", "pricing"),
        ("up_to", "", "up_to"),
    ],
)
def test_at_relocates_under_a_prefix(path: str, prefix: str, expected: str) -> None:
    """``at`` puts an error under a prefix, joining keys with dots and indexes directly."""
    error = InvalidTypeError(path, "is bad", "be good").at(prefix)
    assert isinstance(error, InvalidTypeError)
    assert error.path == expected
    assert (error.problem, error.allowed) == ("is bad", "be good")


def test_parse_choice_lists_the_choices() -> None:
    """An unknown choice names the path and lists every allowed value."""
    assert parse_choice(PricingMode, "volume", "pricing.mode") is PricingMode.VOLUME
    assert parse_choice(PricingMode, PricingMode.GRADUATED, "x") is PricingMode.GRADUATED
    with pytest.raises(InvalidValueError) as caught:
        parse_choice(PricingMode, ["volume"], "pricing.mode")
    assert str(caught.value) == (
        'pricing.mode: [\'volume\'] is not allowed; one of "graduated", "volume", "package"'
    )


def test_the_root_catches_single_errors() -> None:
    """One ``except ResolutionPricingError`` catches a refused value."""
    with pytest.raises(ResolutionPricingError) as caught:
        Tier(up_to=5, unit_price="-1")
    assert str(caught.value) == "unit_price: -1 is negative; must be 0 or more"


def test_stdlib_errors_catch_leaves() -> None:
    """Callers who catch ValueError or TypeError catch the leaves too."""
    with pytest.raises(ValueError, match="is empty"):
        TierSchedule.graduated()
    with pytest.raises(TypeError, match="is a float"):
        Tier(up_to=5, unit_price=0.5)


def test_contract_error_message_lists_every_problem() -> None:
    """The group's message is a count, then one line per problem."""
    error = _contract_error()
    assert str(error) == (
        "gulf.toml has 2 problems:\n"
        '  - contract.currency: 784 is not a string; an ISO 4217 code such as "AED"\n'
        '  - pricing.mode: \'tiered\' is not allowed; one of "graduated", "volume", "package"'
    )
    assert error.problems == error.exceptions
    assert all(
        isinstance(problem, (InvalidValueError, InvalidTypeError)) for problem in error.problems
    )


def test_contract_error_is_caught_by_the_root() -> None:
    """A file's problems are caught with the root, like a single error."""
    with pytest.raises(ResolutionPricingError, match="cannot be read"):
        load_contract(EXAMPLE.with_name("absent.toml"))


def test_contract_error_split_and_subgroup() -> None:
    """``split`` and ``subgroup`` work by problem type, as on any ExceptionGroup."""
    error = _contract_error()
    types, values = error.split(InvalidTypeError)
    assert types is not None
    assert values is not None
    assert [str(problem) for problem in types.exceptions] == [
        'contract.currency: 784 is not a string; an ISO 4217 code such as "AED"'
    ]
    assert [type(problem) for problem in values.exceptions] == [InvalidValueError]
    assert error.subgroup(KeyError) is None


def test_except_star() -> None:
    """``except*`` handles the problems of each kind."""
    handled: list[str] = []
    try:
        raise _contract_error()
    except* InvalidTypeError as group:
        handled += [type(error).__name__ for error in group.exceptions]
    except* InvalidValueError as group:
        handled += [type(error).__name__ for error in group.exceptions]
    assert handled == ["InvalidTypeError", "InvalidValueError"]


@pytest.mark.parametrize("duplicate", DUPLICATORS)
def test_leaves_survive_pickle_and_copy(duplicate: Callable[[Exception], Exception]) -> None:
    """A leaf pickles and copies with its path, problem and allowed (for process pools)."""
    error = InvalidValueError("fees[1].code", "'x' is taken", "a code used by one fee only")
    error.add_note("while reading gulf.toml")
    clone = duplicate(error)
    assert isinstance(clone, InvalidValueError)
    assert type(clone) is InvalidValueError
    assert str(clone) == str(error)
    assert (clone.path, clone.problem, clone.allowed) == (error.path, error.problem, error.allowed)
    assert clone.__notes__ == ["while reading gulf.toml"]


@pytest.mark.parametrize("duplicate", DUPLICATORS)
def test_groups_survive_pickle_and_copy(duplicate: Callable[[Exception], Exception]) -> None:
    """A ContractError pickles and copies with the same message and problems."""
    error = _contract_error()
    clone = duplicate(error)
    assert isinstance(clone, ContractError)
    assert str(clone) == str(error)
    assert [str(problem) for problem in clone.problems] == [
        str(problem) for problem in error.problems
    ]
