"""Parley: an agent-based model of negotiated prisoner exchanges, on Mesa.

The names below are loaded when first used (PEP 562), so that a command that needs none of
them (``parley --version``, a sweep with nothing left to do) starts without numpy and pydantic.
"""

from typing import Any

__all__ = ["ParleyError", "Scenario", "ScenarioError", "__version__", "fork", "load_scenario"]


def _version() -> str:
    """The installed distribution's version, or a marker for an uninstalled source tree."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("parley")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0.0.0+source"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value = _version()
    elif name in ("ParleyError", "ScenarioError"):
        from sim import errors

        value = getattr(errors, name)
    elif name == "fork":  # sim.forks.fork: it needs scipy
        from sim.forks import fork

        value = fork
    elif name in ("Scenario", "load_scenario"):
        from sim import scenario

        value = getattr(scenario, name)
    else:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    globals()[name] = value
    return value
