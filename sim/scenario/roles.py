"""Parameters of the three roles and of the conflict around them."""

from __future__ import annotations

from pydantic import model_validator

from sim.scenario.base import Frozen, P, rule


class Negotiator(Frozen):
    """What both conflict parties share: a time-dependent concession (Faratin et al. 1998).

    Aspiration falls from ``aspiration_max`` when talks open to ``aspiration_min`` at the
    horizon, and by ``pressure_concession`` per unit of the pressure the side feels.
    """

    aspiration_max: float = P(1.0, "utility", "utility the side asks for when talks open",
                              ge=0, le=1)
    aspiration_min: float = P(0.5, "utility", "utility the side settles for at the horizon",
                              ge=0, le=1)
    concession_beta: float = P(1.0, "ratio",
                               "Faratin concession exponent (<1 holds out, >1 concedes early)",
                               gt=0, le=20)
    horizon_days: int = P(60, "days", "days of talks over which aspiration falls to its minimum",
                          ge=1, le=3650)
    pressure_concession: float = P(0.2, "utility/pressure",
                                   "aspiration given up per unit of the pressure the side feels",
                                   ge=0, le=2)
    barred: list[str] = P([], "names", "categories of its prisoners it will not free until a "
                          "decision (a shock) lifts the bar")
    frees_first: list[str] = P([], "names", "categories of its prisoners it frees before the "
                               "others, in this order")

    @model_validator(mode="after")
    def _aspiration_order(self) -> Negotiator:
        if self.aspiration_min > self.aspiration_max:
            raise rule("aspiration_min", f"({self.aspiration_min}) exceeds aspiration_max "
                       f"({self.aspiration_max})", f"a value <= {self.aspiration_max}")
        return self


class Government(Negotiator):
    """Parameters of the government: offers, acceptance, unilateral releases."""

    size_cost: float = P(0.3, "utility/round",
                         "utility lost per agreed round of prisoners released", ge=0, le=5)
    named_cost: float = P(0.6, "utility",
                          "utility lost (security cost) if every named senior is released",
                          ge=0, le=5)
    mediator_weight: float = P(1.0, "1", "weight of mediator pressure in felt pressure", ge=0, le=5)
    humanitarian_weight: float = P(1.0, "1", "weight of humanitarian pressure in felt pressure",
                                   ge=0, le=5)
    domestic_weight: float = P(1.0, "1",
                               "weight of domestic opposition, which counts against releasing",
                               ge=0, le=5)
    goodwill_threshold: float = P(1.0, "pressure",
                                  "felt pressure above which the government releases on its own",
                                  ge=0, le=10)
    stall_days: int = P(3, "days",
                        "days in session without agreement before talks count as stalled",
                        ge=0, le=365)
    unilateral_batch: int = P(100, "prisoners", "size of a unilateral release", ge=1, le=1_000_000)
    unilateral_cooldown: int = P(1, "days", "minimum days between two unilateral releases",
                                 ge=1, le=365)
    programme: int | None = P(None, "prisoners", "most prisoners it may free on its own in all, "
                              "as its decrees and pledges allow (none: no limit)", ge=0,
                              le=5_000_000)
    oath: bool = P(True, "flag", "prisoners released unilaterally must take an oath not to fight")
    domestic_violence_gain: float = P(0.02, "pressure/day",
                                      "domestic opposition added per day at reference violence",
                                      ge=0, le=1)
    domestic_senior_gain: float = P(0.05, "pressure/senior",
                                    "domestic opposition added per senior prisoner released",
                                    ge=0, le=1)
    domestic_decay: float = P(0.05, "1/day", "share of domestic opposition that fades each day",
                              ge=0, le=1)
    humanitarian_decay: float = P(0.02, "1/day",
                                  "share of humanitarian pressure that fades each day", ge=0, le=1)


class Insurgent(Negotiator):
    """Parameters of the insurgent: demands, patience, trust, releases and violence."""

    demand_named: bool = P(True, "flag", "demands that the first round include the named seniors")
    named_weight: float = P(0.5, "utility",
                            "share of a proposal's value that lies in the named seniors",
                            ge=0, le=1)
    all_at_once: bool = P(False, "flag", "demands every committed prisoner in one round")
    patience: float = P(3.0, "frustration", "frustration at which the insurgent walks out",
                        gt=0, le=1000)
    frustration_rate: float = P(0.5, "frustration/day",
                                "frustration added per day in session at a full gap", ge=0, le=50)
    delay_frustration: float = P(0.05, "frustration/day",
                                 "frustration added per day past the deadline before talks",
                                 ge=0, le=50)
    frustration_decay: float = P(0.02, "1/day", "share of frustration that fades each day",
                                 ge=0, le=1)
    frustration_noise: float = P(0.3, "log-sd", "day-to-day noise on frustration increments",
                                 ge=0, le=3)
    walkout_sharpness: float = P(8.0, "1",
                                 "how sharply walkout odds rise as frustration nears patience",
                                 gt=0, le=1000)
    trust_initial: float = P(0.3, "trust", "trust in the government on day 0", ge=0, le=1)
    signal_gain: float = P(0.05, "trust/100 prisoners",
                           "trust gained per 100 prisoners released (a costly signal)", ge=0, le=1)
    trust_decay: float = P(0.0, "1/day", "share of trust lost each day", ge=0, le=1)
    resume_trust: float = P(0.6, "trust", "trust needed before it returns to talks", ge=0, le=1)
    resume_rate: float = P(0.1, "1/day",
                           "daily chance of returning once trust and the mediator's push suffice",
                           ge=0, le=1)
    resume_push: float = P(0.2, "pressure",
                           "mediator pressure on it needed before it returns to talks", ge=0, le=10)
    verification_rate: float = P(0.0, "prisoners/day",
                                 "releases made outside the agreed mechanism that its own team "
                                 "verifies each day; once verified they count as compliant "
                                 "(0: it never recognises them)", ge=0, le=1_000_000)
    release_lead_days: int = P(0, "days", "days between deciding to free prisoners and handing "
                               "them over", ge=0, le=365)
    noncompliance_discount: float = P(0.4, "1",
                                      "value of a release outside the agreed mechanism, "
                                      "relative to a compliant one", ge=0, le=1)
    welcome_trust: float = P(0.9, "trust",
                             "trust above which it welcomes a release outside the mechanism",
                             ge=0, le=1)
    goodwill_trust: float = P(0.5, "trust",
                              "trust above which it pays the (discounted) credit of releases "
                              "outside the mechanism; agreed rounds are repaid regardless",
                              ge=0, le=1)
    release_min_batch: int = P(20, "prisoners", "smallest group it releases at once",
                               ge=1, le=100_000)
    attacks_base: float = P(20.0, "attacks/day", "attacks a day at full capacity with no grievance",
                            ge=0, le=10_000)
    attack_frustration_gain: float = P(0.1, "1/frustration",
                                       "relative rise in attacks per unit of frustration",
                                       ge=0, le=10)
    attack_suspension_gain: float = P(0.2, "1",
                                      "relative rise in attacks while talks are suspended",
                                      ge=0, le=10)
    attack_dispersion: float = P(10.0, "1",
                                 "negative-binomial shape of daily attacks (large = Poisson)",
                                 gt=0, le=1e6)
    casualties_per_attack: float = P(0.5, "people/attack", "mean casualties per attack",
                                     ge=0, le=100)
    strike_grievance: float = P(0.2, "frustration", "frustration added by each airstrike",
                                ge=0, le=100)
    strike_trust_cost: float = P(0.02, "trust", "trust lost by each airstrike", ge=0, le=1)


class Mediator(Frozen):
    """Parameters of the mediator: pressure, bridging, verification, airstrikes."""

    leverage: float = P(1.0, "1", "multiplier on every pressure the mediator applies", ge=0, le=10)
    credibility: float = P(1.0, "1", "share of its pressure the sides take seriously", ge=0, le=1)
    deadline_pressure: float = P(0.01, "pressure/day",
                                 "pressure on the government per day past the deadline",
                                 ge=0, le=10)
    violence_pressure: float = P(0.005, "pressure/day",
                                 "pressure on the government per day at reference violence",
                                 ge=0, le=10)
    walkout_pressure: float = P(0.3, "pressure",
                                "pressure on the government when the insurgent walks out",
                                ge=0, le=10)
    suspension_pressure: float = P(0.0, "pressure/day",
                                   "pressure on the government per day the talks are suspended",
                                   ge=0, le=10)
    release_relief: float = P(0.2, "pressure/100 prisoners",
                              "pressure lifted from the government per 100 it releases",
                              ge=0, le=10)
    pressure_decay: float = P(0.02, "1/day", "share of mediator pressure that fades each day",
                              ge=0, le=1)
    insurgent_pressure: float = P(0.01, "pressure/day",
                                  "pressure on the insurgent per day at reference violence",
                                  ge=0, le=10)
    violence_reference: float = P(20.0, "attacks/day", "violence the mediator treats as normal",
                                  gt=0, le=10_000)
    bridge_named_share: float = P(0.5, "1", "share of named seniors its bridging proposal keeps",
                                  ge=0, le=1)
    verification_days: int = P(2, "days", "days to verify an agreed batch before release",
                               ge=0, le=365)
    strike_threshold: float = P(40.0, "attacks/day",
                                "3-day mean attacks above which it may strike", ge=0, le=10_000)
    strike_probability: float = P(0.3, "1/day", "daily chance of a strike above the threshold",
                                  ge=0, le=1)
    strike_effect: float = P(0.05, "1", "share of insurgent capacity a strike destroys",
                             ge=0, le=1)
    disengage_rate: float = P(0.01, "1/day",
                              "disengagement added per day suspended at reference violence",
                              ge=0, le=10)
    disengage_recovery: float = P(0.02, "1/day", "disengagement lost per day talks are in session",
                                  ge=0, le=10)
    disengage_limit: float = P(1.0, "1", "disengagement beyond which the mediator gives up",
                               gt=0, le=100)


class Conflict(Frozen):
    """Fighting capacity, return to fight and the collapse rule."""

    capacity_recovery: float = P(0.05, "1/day",
                                 "share of strike damage to capacity repaired each day", ge=0, le=1)
    fighters_per_capacity: float = P(1000.0, "fighters",
                                     "returned fighters that add one unit of capacity",
                                     gt=0, le=1e9)
    return_base: float = P(0.1, "probability",
                           "chance that a freed prisoner in full health, not young, not senior "
                           "and not under oath returns (scaled by health)", ge=0, le=1)
    young_age: float = P(30.0, "years", "age under which a prisoner counts as young", ge=0, le=100)
    young_factor: float = P(1.5, "1", "multiplier on return for the young", ge=0, le=10)
    senior_factor: float = P(2.0, "1", "multiplier on return for seniors", ge=0, le=10)
    oath_factor: float = P(0.5, "1", "multiplier on return for those under oath", ge=0, le=1)
    return_delay_days: float = P(30.0, "days", "mean delay before a returning prisoner fights",
                                 ge=1, le=3650)
    collapse_violence: float = P(200.0, "attacks/day",
                                 "7-day mean attacks above which the process is failing",
                                 gt=0, le=1e6)
    collapse_days: int = P(30, "days", "consecutive failing days before the process collapses",
                           ge=1, le=3650)
