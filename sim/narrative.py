"""One plain sentence for each event, made from what the event recorded.

The model records each event's kind, actor and figures; the sentence is made here, so that a
new kind of event is one function below and the model holds no prose.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sim.events import Actor, EventKind
from sim.scenario import Sides

Phrase = Callable[[dict[str, Any], Sides], str]


def _named(count: int, text: str) -> str:
    return f", {count} of them named" if count else text


def _shock(d: dict, n: Sides) -> str:
    kind = d["shock"].replace("_", " ")
    return d["label"] or f"{'an' if kind[:1] in 'aeiou' else 'a'} {kind} shock."


def _resumption(d: dict, n: Sides) -> str:
    if d.get("opened"):
        return f"talks between the {n.government} and the {n.insurgent} open."
    return f"the {n.insurgent} return to the talks."


def _airstrike(d: dict, n: Sides) -> str:
    return (f"the {n.mediator} strikes the {n.insurgent} after {d['attacks_recent']:.0f} "
            "attacks a day.")


def _agreement(d: dict, n: Sides) -> str:
    days = d["verify_days"]
    when = "at once" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
    return (f"the sides agree on a round of {d['size']} prisoners{_named(d['named'], '')}, to be "
            f"verified {when}.")


def _demand(d: dict, n: Sides) -> str:
    named = f", including the {d['named']} named senior commanders" if d["named"] else ""
    return f"the {n.insurgent} demand a round of {d['size']}{named}."


def _offer(d: dict, n: Sides) -> str:
    without = ", without the named commanders" if d["demanded_named"] else ""
    return f"the {n.government} offer {d['size']} prisoners{_named(d['named'], without)}."


def _bridge(d: dict, n: Sides) -> str:
    return f"the {n.mediator} propose {d['size']} with {d['named']} named."


def _government_release(d: dict, n: Sides) -> str:
    how = "in the swap" if d["mode"] == "swap" else "under the agreed mechanism"
    return f"the {n.government} release {d['size']} prisoners {how}{_named(d['named'], '')}."


def _insurgent_release(d: dict, n: Sides) -> str:
    if d.get("mode") == "swap":
        return f"the {n.insurgent} free {d['size']} prisoners in the swap."
    if d.get("mode") == "first":
        return f"the {n.insurgent} free {d['size']} prisoners, their share of the agreed round."
    why = ("in return for the agreed round" if d["goodwill"] == 0 else
           "as goodwill" if d["reciprocal"] == 0 else
           "in return for the agreed round and as goodwill")
    return f"the {n.insurgent} free {d['size']} prisoners {why}."


def _walkout(d: dict, n: Sides) -> str:
    return (f"the {n.insurgent} walk out of the talks, accusing the {n.government} of wasting "
            f"time after {d['days_without_agreement']} days without agreement.")


def _unilateral(d: dict, n: Sides) -> str:
    sworn = ", each under oath not to return to the battlefield" if d["oath"] else ""
    reaction = "welcome it" if d["welcomed"] else "call it not according to the agreed mechanism"
    return (f"the {n.government} release {d['size']} prisoners unilaterally, chosen by health, "
            f"age and remaining sentence{sworn}; the {n.insurgent} {reaction}.")


def _statement(d: dict, n: Sides) -> str:
    if d["rejects"]:
        return (f"the {n.insurgent}: \"not according to the agreed mechanism\"; the exchange "
                "stays halted.")
    return f"the {n.insurgent}: the release is welcomed."


def _completion(d: dict, n: Sides) -> str:
    return (f"the exchange is complete: {d['gov']} and {d['ins']} prisoners freed; the next "
            "phase of talks can begin.")


def _collapse(d: dict, n: Sides) -> str:
    return f"the process collapses after {d['failing_days']} days of failing talks and violence."


def _side(n: Sides, side: str) -> str:
    return getattr(n, side)


def _truce(d: dict, n: Sides) -> str:
    calm = "violence stops" if d["violence"] == 0 else f"violence falls to {d['violence']:.0%}"
    tied = (f", one more day for every {d['per_prisoners']} prisoners the "
            f"{_side(n, d['tied_to'])} free" if d["tied_to"] else "")
    return f"a truce begins: {calm} for {d['days']} days{tied}."


def _lapse(d: dict, n: Sides) -> str:
    why = (f", the {_side(n, d['tied_to'])} having stopped freeing prisoners"
           if d["tied_to"] else "")
    return f"the truce lapses after {d['held']} days{why}."


def _condition(d: dict, n: Sides) -> str:
    holder, other = _side(n, d["holder"]), _side(n, d["other"])
    of = f" {d['categories']}" if d["categories"] else " prisoners"
    return f"the {holder} halt their releases until the {other} free {d['frees']}{of}."


def _condition_met(d: dict, n: Sides) -> str:
    return f"the condition is met: the {_side(n, d['holder'])} resume their releases."


def _waiver(d: dict, n: Sides) -> str:
    return f"the {_side(n, d['holder'])} waive their condition and resume their releases."


def _recognition(d: dict, n: Sides) -> str:
    if d["backlog"]:
        return (f"the team of the {n.insurgent} begins verifying releases made outside the "
                f"agreed mechanism ({d['verified']} so far); verified, they count as compliant.")
    return (f"the team of the {n.insurgent} has verified every release made outside the agreed "
            f"mechanism so far ({d['verified']}): they now count as compliant.")


def _shortfall(d: dict, n: Sides) -> str:
    return (f"the {_side(n, d['side'])} cannot deliver {d['short']} of the {d['wanted']} "
            f"prisoners due: they hold no more {d['categories']} they may free.")


PHRASES: dict[tuple[EventKind, Actor | None], Phrase] = {
    (EventKind.SHOCK, None): _shock,
    (EventKind.RESUMPTION, None): _resumption,
    (EventKind.AIRSTRIKE, None): _airstrike,
    (EventKind.AGREEMENT, None): _agreement,
    (EventKind.DEMAND, None): _demand,
    (EventKind.OFFER, None): _offer,
    (EventKind.BRIDGE, None): _bridge,
    (EventKind.RELEASE, Actor.GOVERNMENT): _government_release,
    (EventKind.RELEASE, Actor.INSURGENT): _insurgent_release,
    (EventKind.WALKOUT, None): _walkout,
    (EventKind.UNILATERAL_RELEASE, None): _unilateral,
    (EventKind.STATEMENT, None): _statement,
    (EventKind.COMPLETION, None): _completion,
    (EventKind.COLLAPSE, None): _collapse,
    (EventKind.TRUCE, None): _truce,
    (EventKind.LAPSE, None): _lapse,
    (EventKind.CONDITION, None): _condition,
    (EventKind.CONDITION_MET, None): _condition_met,
    (EventKind.WAIVER, None): _waiver,
    (EventKind.RECOGNITION, None): _recognition,
    (EventKind.SHORTFALL, None): _shortfall,
}


def sentence(kind: EventKind, actor: Actor, details: dict[str, Any], names: Sides) -> str:
    """The plain sentence for an event, with the scenario's names for the sides."""
    phrase = PHRASES.get((kind, actor)) or PHRASES[(kind, None)]
    return phrase(details, names)
