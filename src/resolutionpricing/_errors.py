"""The exceptions of resolutionpricing, all under one root.

Every error says what was wrong, where (a path such as ``pricing.tiers[1].up_to``
or a line of a file), and what is allowed. Single problems raise a leaf that
also subclasses the stdlib error a caller would catch (`ValueError` or
`TypeError`); loaders that can see many problems at once raise an
`ExceptionGroup` subclass holding every one of them.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Sequence
from typing import Final, Self, TypeVar, cast

__all__ = [
    "ContractError",
    "InteractionLogError",
    "InvalidTypeError",
    "InvalidValueError",
    "ResolutionPricingError",
    "ScenarioError",
]

_E = TypeVar("_E", bound=enum.Enum)

_SHOWN_LENGTH: Final = 200
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
TEXT_ALLOWED: Final = "text without lone surrogates (valid Unicode that UTF-8 can encode)"


def shown(value: object, length: int = _SHOWN_LENGTH) -> str:
    """The value as a message quotes it: its repr, cut short if long, never failing.

    ``repr`` of an int of more than 4,300 digits (or of a list holding one)
    raises ValueError; a message must not.

    Examples:
        >>> from resolutionpricing._errors import shown
        >>> shown("a"), shown(10**5000), shown("x" * 300, 10)
        ("'a'", 'an integer of 5001 digits', "'xxxxxx...")
    """
    try:
        text = repr(value)
    except ValueError:
        if isinstance(value, int):
            return f"an integer of {digits(value)} digits"
        return f"a {type(value).__name__} holding a very large integer"
    return text if len(text) <= length else text[: length - 3] + "..."


def digits(value: int) -> int:
    """How many decimal digits ``value`` has, without converting it to text."""
    size = abs(value)
    if size < 10:
        return 1
    count = int(size.bit_length() * math.log10(2))
    # The estimate is off by at most one: compare with a power of ten to settle it.
    return count + 1 if size >= 10**count else count


def has_surrogate(text: str) -> bool:
    r"""Whether ``text`` holds a lone surrogate, which UTF-8 cannot encode.

    Examples:
        >>> from resolutionpricing._errors import has_surrogate
        >>> has_surrogate("caf\u00e9"), has_surrogate("\ud800")
        (False, True)
    """
    return not text.isascii() and _SURROGATE.search(text) is not None


class ResolutionPricingError(Exception):
    """The root of every error this library raises on purpose.

    Catch it to handle any problem with a contract, a log or a period.

    Examples:
        >>> from resolutionpricing import ResolutionPricingError, Tier
        >>> try:
        ...     Tier(up_to=5, unit_price="-1")
        ... except ResolutionPricingError as error:
        ...     print(error)
        unit_price: -1 is negative; must be 0 or more
    """


def _message(path: str, problem: str, allowed: str) -> str:
    text = f"{path}: {problem}" if path else problem
    return f"{text}; {allowed}" if allowed else text


class _LocatedError(ResolutionPricingError):
    """Shared by the leaves: where the problem is, what it is, what is allowed."""

    path: str
    problem: str
    allowed: str

    def __init__(self, path: str, problem: str, allowed: str = "") -> None:
        self.path = path
        self.problem = problem
        self.allowed = allowed
        super().__init__(_message(path, problem, allowed))

    def __reduce__(self) -> tuple[type[Self], tuple[str, str, str], dict[str, object]]:
        # ``args`` holds only the built message; pickle and copy need the parts.
        return (type(self), (self.path, self.problem, self.allowed), self.__dict__)

    def at(self, prefix: str) -> Self:
        """Return the same error, located under ``prefix``.

        Examples:
            >>> from resolutionpricing import InvalidValueError
            >>> str(InvalidValueError("up_to", "is 0", "must be above 0").at("tiers[0]"))
            'tiers[0].up_to: is 0; must be above 0'
        """
        if not prefix:
            return self
        if not self.path:
            path = prefix
        elif self.path.startswith("["):
            path = prefix + self.path
        else:
            path = f"{prefix}.{self.path}"
        return type(self)(path, self.problem, self.allowed)


class InvalidValueError(_LocatedError, ValueError):
    """A value is of the right type but not allowed here.

    Attributes:
        path: where the value is (``pricing.tiers[1].up_to``, ``line 7, csat``).
        problem: what is wrong with it.
        allowed: what would be accepted instead.

    Examples:
        >>> from resolutionpricing import InvalidValueError, TierSchedule
        >>> try:
        ...     TierSchedule.graduated()
        ... except InvalidValueError as error:
        ...     print(error.path, "|", error.problem)
        tiers | is empty
    """


class InvalidTypeError(_LocatedError, TypeError):
    """A value is of a type that is refused, such as a float for money.

    Attributes:
        path: where the value is.
        problem: what is wrong with it.
        allowed: what would be accepted instead.

    Examples:
        >>> from resolutionpricing import InvalidTypeError, Tier
        >>> try:
        ...     Tier(up_to=5, unit_price=0.99)
        ... except InvalidTypeError as error:
        ...     print(error)
        unit_price: 0.99 is a float, which cannot hold money exactly; use a Decimal, an int or a decimal string such as "0.99"
    """


Problem = InvalidValueError | InvalidTypeError


class _ProblemGroupError(ResolutionPricingError, ExceptionGroup):
    """An `ExceptionGroup` of located problems, listed in its message."""

    def __new__(cls, message: str, exceptions: Sequence[Problem]) -> Self:
        listed = "\n".join(f"  - {error}" for error in exceptions)
        return super().__new__(cls, f"{message}:\n{listed}", exceptions)

    def __init__(self, message: str, exceptions: Sequence[Problem]) -> None:
        listed = "\n".join(f"  - {error}" for error in exceptions)
        super().__init__(f"{message}:\n{listed}", exceptions)
        self._summary = message

    def __reduce__(self) -> tuple[type[Self], tuple[str, list[Problem]], dict[str, object]]:
        # ``args`` holds the message with the list already appended: rebuild from the parts.
        return (type(self), (self._summary, list(self.problems)), self.__dict__)

    @property
    def problems(self) -> tuple[Problem, ...]:
        """The problems, each an `InvalidValueError` or `InvalidTypeError` with its path."""
        return cast("tuple[Problem, ...]", self.exceptions)

    def derive(self, excs: Sequence[Exception]) -> ExceptionGroup[Exception]:  # type: ignore[override]
        return ExceptionGroup(self.message, excs)

    def __str__(self) -> str:
        return self.message


class ContractError(_ProblemGroupError):
    """A contract (a file or a mapping) has one or more problems; all are listed.

    Each of ``exceptions`` is an `InvalidValueError` or `InvalidTypeError`
    whose ``path`` names the key, such as ``pricing.tiers[1].up_to``.

    Examples:
        >>> from datetime import date
        >>> from resolutionpricing import ContractError, contract_from_dict
        >>> head = {"currency": "XAU", "timezone": "Asia/Dubai", "starts_on": date(2026, 7, 1)}
        >>> try:
        ...     contract_from_dict({"contract": head})
        ... except ContractError as error:
        ...     print(error)
        contract has 3 problems:
          - contract.name: is missing; a string naming the contract is required
          - contract.currency: 'XAU' is a precious metal, fund or testing code, not a currency; an ISO 4217 currency code such as AED, SAR, KWD, EUR or USD
          - pricing: is missing; a [pricing] table with mode and tiers is required
    """


class InteractionLogError(_ProblemGroupError):
    """An interaction log has one or more bad rows; every problem is listed.

    Each of ``exceptions`` is an `InvalidValueError` or `InvalidTypeError`
    whose ``path`` names the line (or record) and the column.

    Examples:
        >>> from resolutionpricing import InteractionLogError, interactions_from_records
        >>> try:
        ...     interactions_from_records([{"id": "a"}])
        ... except InteractionLogError as error:
        ...     print(error.exceptions[0])
        record 1, customer_id: is missing; a non-empty string is required
    """


class ScenarioError(_ProblemGroupError):
    r"""A business-case scenario file has one or more problems; all are listed.

    Each of ``exceptions`` is an `InvalidValueError` or `InvalidTypeError`
    whose ``path`` names the key, such as ``ramp.rate``.

    Examples:
        >>> import pathlib, tempfile
        >>> from resolutionpricing import ScenarioError
        >>> from resolutionpricing.business_case import load_scenario
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     scenario = pathlib.Path(folder, "scenario.toml")
        ...     _ = scenario.write_text("[scenario]\nstart = 2026\n", encoding="utf-8")
        ...     try:
        ...         load_scenario(scenario)
        ...     except ScenarioError as error:
        ...         print(*(problem.path for problem in error.problems))
        scenario.contract baseline ramp forecast
    """


def parse_choice(choices: type[_E], value: object, path: str) -> _E:
    """Convert ``value`` to a member of ``choices``, or raise a located error listing them.

    Examples:
        >>> from resolutionpricing import PricingMode
        >>> parse_choice(PricingMode, "tiered", "pricing.mode")
        Traceback (most recent call last):
        ...
        resolutionpricing.InvalidValueError: pricing.mode: 'tiered' is not allowed; one of "graduated", "volume", "package"
    """
    if isinstance(value, choices):
        return value
    try:
        return choices(value)
    except ValueError:
        allowed = ", ".join(f'"{member.value}"' for member in choices)
        raise InvalidValueError(path, f"{value!r} is not allowed", f"one of {allowed}") from None
