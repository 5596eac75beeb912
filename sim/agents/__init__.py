"""The three roles, one module each: decisions as pure functions, then the Mesa agent.

Each rule's array form, ``<rule>_over_runs``, sits directly below it, for the ensemble engine
(see :mod:`sim.agents.base`); a rule of pure arithmetic serves over arrays as it is. So do the
rules of the shared mechanisms (:mod:`sim.mechanisms`).
"""
