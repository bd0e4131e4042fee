"""The public API: every exported name exists, is documented with an example, and errors share a root."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys

import pytest

import resolutionpricing
from resolutionpricing import ResolutionPricingError

# Names whose objects cannot carry their own docstring: type aliases (Union
# objects, whose __doc__ is that of types.UnionType) and the version string.
NO_OWN_DOCSTRING = frozenset({"Cap", "Fee", "LineDetails", "PricingSchedule", "__version__"})


def test_all_is_unique() -> None:
    """No name is exported twice."""
    assert len(resolutionpricing.__all__) == len(set(resolutionpricing.__all__))


@pytest.mark.parametrize("name", resolutionpricing.__all__)
def test_every_exported_name_exists(name: str) -> None:
    """Each name in ``__all__`` is an attribute of the package."""
    assert hasattr(resolutionpricing, name)


@pytest.mark.parametrize("name", sorted(set(resolutionpricing.__all__) - NO_OWN_DOCSTRING))
def test_every_exported_name_has_an_example(name: str) -> None:
    """Each exported class and function has a docstring with a ``>>>`` example."""
    docstring = inspect.getdoc(getattr(resolutionpricing, name)) or ""
    assert ">>>" in docstring, f"{name} has no example in its docstring"


def test_allow_list_is_current() -> None:
    """Every name on the allow-list is still exported."""
    assert set(resolutionpricing.__all__) >= NO_OWN_DOCSTRING


def test_version_is_a_string() -> None:
    """``__version__`` is a non-empty string."""
    assert isinstance(resolutionpricing.__version__, str)
    assert resolutionpricing.__version__


def test_type_aliases_are_unions_of_exported_classes() -> None:
    """``Cap``, ``Fee``, ``LineDetails`` and ``PricingSchedule`` are unions of exported classes."""
    for alias in (
        resolutionpricing.Cap,
        resolutionpricing.Fee,
        resolutionpricing.LineDetails,
        resolutionpricing.PricingSchedule,
    ):
        for member in alias.__args__:
            assert getattr(resolutionpricing, member.__name__) is member


EXCEPTIONS = [
    name
    for name in resolutionpricing.__all__
    if inspect.isclass(getattr(resolutionpricing, name))
    and issubclass(getattr(resolutionpricing, name), BaseException)
]


def test_the_error_classes_are_exported() -> None:
    """The root, the two leaves and the three groups are public."""
    assert set(EXCEPTIONS) == {
        "ResolutionPricingError",
        "InvalidValueError",
        "InvalidTypeError",
        "ContractError",
        "ScenarioError",
        "InteractionLogError",
    }


@pytest.mark.parametrize("name", EXCEPTIONS)
def test_every_exception_has_the_root(name: str) -> None:
    """Every exported exception class subclasses ResolutionPricingError."""
    assert issubclass(getattr(resolutionpricing, name), ResolutionPricingError)


def test_strategies_module_names_have_examples_if_it_exists() -> None:
    """``resolutionpricing.strategies``, when present, meets the same rule as the package."""
    if importlib.util.find_spec("resolutionpricing.strategies") is None:
        pytest.skip("resolutionpricing.strategies does not exist yet")
    module = importlib.import_module("resolutionpricing.strategies")
    assert module.__doc__
    names = getattr(module, "__all__", None)
    assert names, "resolutionpricing.strategies has no __all__"
    missing = [name for name in names if not hasattr(module, name)]
    assert missing == []
    undocumented = [
        name for name in names if ">>>" not in (inspect.getdoc(getattr(module, name)) or "")
    ]
    assert undocumented == []


def test_public_names_show_their_public_module() -> None:
    """Tracebacks and reprs say resolutionpricing.InvalidValueError, not a private module."""
    for name in resolutionpricing.__all__:
        value = getattr(resolutionpricing, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert value.__module__ == "resolutionpricing", name


def test_strategies_without_hypothesis_name_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Import resolutionpricing.strategies without hypothesis says to install the extra."""
    monkeypatch.setitem(sys.modules, "hypothesis", None)
    monkeypatch.delitem(sys.modules, "resolutionpricing.strategies", raising=False)
    with pytest.raises(ImportError, match=r"pip install 'resolutionpricing\[strategies\]'"):
        importlib.import_module("resolutionpricing.strategies")
