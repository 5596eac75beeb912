"""Parley: an agent-based model of negotiated prisoner exchanges, on Mesa."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("parley")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"

from sim.errors import ParleyError, ScenarioError
from sim.scenario import Scenario, load_scenario

__all__ = ["ParleyError", "Scenario", "ScenarioError", "__version__", "fork", "load_scenario"]


def __getattr__(name: str):
    """``sim.fork``, loaded on first use (:func:`sim.forks.fork`; it needs scipy)."""
    if name == "fork":
        from sim.forks import fork

        return fork
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
