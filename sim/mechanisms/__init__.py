"""Mechanisms no single role owns: violence, truces, conditions and the agreed exchange itself.

As in the roles (:mod:`sim.agents`), each rule's array form, ``<rule>_over_runs``, sits directly
below it, for the ensemble engine; a rule of pure arithmetic serves over arrays as it is.
"""
