"""Parley: an agent-based model of negotiated prisoner exchanges, on Mesa."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("parley")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"

from sim.errors import ParleyError, ScenarioError

__all__ = ["ParleyError", "Scenario", "ScenarioError", "__version__", "load_scenario"]


def __getattr__(name: str):
    # Scenario and load_scenario load pydantic and numpy (a second): only when asked for, so
    # that the command line starts, and can be interrupted, before it needs them.
    if name in ("Scenario", "load_scenario"):
        import sim.scenario

        return getattr(sim.scenario, name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
