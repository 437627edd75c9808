"""The praktijkverklaring lifecycle as data (docs/decisions.md, Praktijkverklaring). Pure Python:
no Flask, no database
(:mod:`rmt.enums` is plain Python too).

```
aangevraagd → werkprocessen_vastgesteld → overeenkomst_getekend → in_leren →
beoordeeld → vastgesteld → uitgereikt;  any open state → afgebroken
```

The service feeds :func:`check` plain facts about a trajectory and gets back the problems that
block a move (empty: allowed). Codes and values are English/Dutch domain terms; messages Dutch.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import ClassVar

from rmt.enums import LabelledEnum


class PvStatus(LabelledEnum):
    """A trajectory's status; ``label`` is its Dutch name, ``action_label`` the button text of
    the step into it."""

    __titles__ = {
        "aangevraagd": "Aangevraagd",
        "werkprocessen_vastgesteld": "Werkprocessen vastgesteld",
        "overeenkomst_getekend": "Praktijkovereenkomst getekend",
        "in_leren": "Leren in de praktijk",
        "beoordeeld": "Beoordeeld",
        "vastgesteld": "Vastgesteld door de school",
        "uitgereikt": "Uitgereikt",
        "afgebroken": "Afgebroken",
    }
    __actions__: ClassVar[dict[str, str]] = {
        "werkprocessen_vastgesteld": "Werkprocessen vaststellen",
        "overeenkomst_getekend": "Praktijkovereenkomst is getekend",
        "in_leren": "Start leren in de praktijk",
        "beoordeeld": "Beoordeling afronden",
        "vastgesteld": "Vastgesteld door de school",
        "uitgereikt": "Uitreiken en registreren",
        "afgebroken": "Traject afbreken",
    }

    AANGEVRAAGD = "aangevraagd"
    WERKPROCESSEN_VASTGESTELD = "werkprocessen_vastgesteld"
    OVEREENKOMST_GETEKEND = "overeenkomst_getekend"
    IN_LEREN = "in_leren"
    BEOORDEELD = "beoordeeld"
    VASTGESTELD = "vastgesteld"
    UITGEREIKT = "uitgereikt"
    AFGEBROKEN = "afgebroken"


    @property
    def action_label(self) -> str:
        """Dutch button text of the step into this status."""
        return type(self).__actions__.get(self.value, f"Naar {self.label.lower()}")


class AssessmentResult(LabelledEnum):
    __titles__ = {"aangetoond": "Aangetoond", "nog_niet_aangetoond": "Nog niet aangetoond"}

    AANGETOOND = "aangetoond"
    NOG_NIET_AANGETOOND = "nog_niet_aangetoond"


#: The main line, in order.
MAIN_LINE: tuple[PvStatus, ...] = (
    PvStatus.AANGEVRAAGD,
    PvStatus.WERKPROCESSEN_VASTGESTELD,
    PvStatus.OVEREENKOMST_GETEKEND,
    PvStatus.IN_LEREN,
    PvStatus.BEOORDEELD,
    PvStatus.VASTGESTELD,
    PvStatus.UITGEREIKT,
)

FINAL_STATES: frozenset[PvStatus] = frozenset({PvStatus.UITGEREIKT, PvStatus.AFGEBROKEN})
OPEN_STATES: frozenset[PvStatus] = frozenset(PvStatus) - FINAL_STATES
#: Closing the case: a request without a signed praktijkovereenkomst is broken off with the
#: reason "traject afgesloten"; from the signed agreement on, closing waits until it is issued
#: or broken off by hand (the school and the leerbedrijf are involved by then).
BROKEN_OFF_ON_CASE_CLOSE: frozenset[PvStatus] = frozenset({
    PvStatus.AANGEVRAAGD, PvStatus.WERKPROCESSEN_VASTGESTELD})


class PvTransitionKind(enum.StrEnum):
    FORWARD = "forward"
    ABORT = "abort"


@dataclass(frozen=True)
class PvTransition:
    source: PvStatus
    target: PvStatus
    kind: PvTransitionKind

    @property
    def label(self) -> str:
        """Dutch button label."""
        return self.target.action_label


#: Every allowed move: the main line forward, and any open state to afgebroken.
TRANSITIONS: tuple[PvTransition, ...] = (
    *(PvTransition(s, t, PvTransitionKind.FORWARD) for s, t in pairwise(MAIN_LINE)),
    *(PvTransition(s, PvStatus.AFGEBROKEN, PvTransitionKind.ABORT)
      for s in MAIN_LINE if s in OPEN_STATES),
)


@dataclass(frozen=True)
class PvFacts:
    """What the lifecycle needs to know about a trajectory to judge a move."""

    status: PvStatus
    work_process_count: int = 0
    assessed_count: int = 0
    demonstrated_count: int = 0
    has_leerbedrijf: bool = False
    has_praktijkopleider: bool = False
    #: The chosen leerbedrijf still has an SBB recognition number (checked again at issuance).
    leerbedrijf_recognised: bool = False


@dataclass(frozen=True)
class Guard:
    """A condition for entering ``target``; ``holds(facts, reason)`` must be true."""

    target: PvStatus
    code: str
    field: str | None
    message: str
    holds: Callable[[PvFacts, str | None], bool]


#: The guards, as data. The two of the agreed lifecycle (beoordeeld, uitgereikt) plus the obvious
#: preconditions of the steps before them and a recognised leerbedrijf on the certificate
#: (see docs/decisions.md).
GUARDS: tuple[Guard, ...] = (
    Guard(PvStatus.WERKPROCESSEN_VASTGESTELD, "no_work_processes", "work_processes",
          "Kies eerst minstens één werkproces.",
          lambda f, _r: f.work_process_count >= 1),
    Guard(PvStatus.OVEREENKOMST_GETEKEND, "no_leerbedrijf", "employer_id",
          "Kies eerst een SBB-erkend leerbedrijf.",
          lambda f, _r: f.has_leerbedrijf),
    Guard(PvStatus.OVEREENKOMST_GETEKEND, "no_praktijkopleider", "praktijkopleider",
          "Vul eerst de naam van de praktijkopleider in.",
          lambda f, _r: f.has_praktijkopleider),
    Guard(PvStatus.BEOORDEELD, "not_all_assessed", "work_processes",
          "Beoordeel eerst alle gekozen werkprocessen.",
          lambda f, _r: f.work_process_count >= 1 and f.assessed_count == f.work_process_count),
    Guard(PvStatus.UITGEREIKT, "nothing_demonstrated", "work_processes",
          "Een praktijkverklaring kan alleen worden uitgereikt als minstens één werkproces is "
          "aangetoond.",
          lambda f, _r: f.demonstrated_count >= 1),
    Guard(PvStatus.UITGEREIKT, "leerbedrijf_not_recognised", "employer_id",
          "Het leerbedrijf heeft geen SBB-erkenningsnummer (meer). Vul de erkenning aan in het "
          "werkgeversregister voordat de praktijkverklaring wordt uitgereikt.",
          lambda f, _r: f.leerbedrijf_recognised),
    Guard(PvStatus.AFGEBROKEN, "reason_required", "reason",
          "Geef een reden waarom het traject wordt afgebroken.",
          lambda _f, r: bool((r or "").strip())),
)


def as_status(value: object) -> PvStatus | None:
    if isinstance(value, PvStatus):
        return value
    if isinstance(value, str):
        try:
            return PvStatus(value.strip())
        except ValueError:
            return None
    return None


def allowed_transitions(status: PvStatus | str) -> list[PvTransition]:
    """Structurally allowed moves from ``status`` (guards not applied); forward first."""
    source = as_status(status)
    return [t for t in TRANSITIONS if t.source is source]


def find_transition(source: PvStatus | str, target: PvStatus | str) -> PvTransition | None:
    wanted = as_status(target)
    return next((t for t in allowed_transitions(source) if t.target is wanted), None)


@dataclass(frozen=True)
class Problem:
    code: str
    field: str | None
    message: str


def check(facts: PvFacts, to: PvStatus | str, *, reason: str | None = None) -> list[Problem]:
    """Problems blocking the move of ``facts.status`` to ``to``; empty means allowed.

    Never raises: an unknown or structurally impossible target gives ``not_allowed``.
    """
    source = as_status(facts.status)
    transition = find_transition(source, to) if source is not None else None
    if transition is None:
        shown = source.label.lower() if source is not None else str(facts.status)
        return [Problem("not_allowed", "to", f"Deze stap is vanuit '{shown}' niet toegestaan.")]
    return [Problem(g.code, g.field, g.message) for g in GUARDS
            if g.target is transition.target and not g.holds(facts, reason)]
