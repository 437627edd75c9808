"""Harmonised process engine for RMT cases.

Pure Python (stdlib only): no Flask, no SQLAlchemy, no database, no other rmt
module. The rest of the application feeds it plain facts about a case and gets
back the structurally allowed moves (:func:`allowed_transitions`) or the problems
blocking a move (:func:`check`). Codes and enum values are English; user-facing
text is Dutch; the Dutch labels of states and exit reasons live on the enums.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from itertools import pairwise
from typing import ClassVar


class LabelledEnum(enum.StrEnum):
    """A string enum whose members carry their Dutch label (``__titles__``, by value).

    The same contract as :class:`rmt.enums.LabelledEnum` (``.label``, ``.choices()``; so
    :func:`rmt.enums.label_of` shows it), spelled out here because the engine imports nothing
    outside the standard library (the tests check that).
    """

    __titles__: ClassVar[dict[str, str]] = {}

    @property
    def label(self) -> str:
        return type(self).__titles__.get(self.value, self.value)

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(value, label) pairs for a select, in definition order."""
        return [(member.value, member.label) for member in cls]


class CaseState(LabelledEnum):
    """Process state of a case."""

    __titles__ = {
        "aangemeld": "Aangemeld",
        "intake": "Intake",
        "diagnose": "Diagnose",
        "plan": "Trajectplan",
        "uitvoering": "Uitvoering",
        "bemiddeling": "Bemiddeling",
        "geplaatst": "Geplaatst",
        "nazorg": "Nazorg",
        "afgesloten": "Afgesloten",
        "gepauzeerd": "Gepauzeerd",
    }

    AANGEMELD = "aangemeld"
    INTAKE = "intake"
    DIAGNOSE = "diagnose"
    PLAN = "plan"
    UITVOERING = "uitvoering"
    BEMIDDELING = "bemiddeling"
    GEPLAATST = "geplaatst"
    NAZORG = "nazorg"
    AFGESLOTEN = "afgesloten"
    GEPAUZEERD = "gepauzeerd"


class ExitReason(LabelledEnum):
    """Reason a case was closed (uitstroomreden)."""

    __titles__ = {
        "werk_loondienst": "Werk in loondienst",
        "werk_zelfstandig": "Werk als zelfstandige",
        "behoud_werk": "Behoud van werk",
        "scholing_regulier": "Reguliere scholing",
        "doorverwezen": "Doorverwezen",
        "uitval_eigen_keuze": "Uitval: eigen keuze",
        "uitval_onbereikbaar": "Uitval: onbereikbaar",
        "verhuisd_buiten_regio": "Verhuisd buiten de regio",
        "overig": "Overig",
    }

    WERK_LOONDIENST = "werk_loondienst"
    WERK_ZELFSTANDIG = "werk_zelfstandig"
    BEHOUD_WERK = "behoud_werk"
    SCHOLING_REGULIER = "scholing_regulier"
    DOORVERWEZEN = "doorverwezen"
    UITVAL_EIGEN_KEUZE = "uitval_eigen_keuze"
    UITVAL_ONBEREIKBAAR = "uitval_onbereikbaar"
    VERHUISD_BUITEN_REGIO = "verhuisd_buiten_regio"
    OVERIG = "overig"


class TransitionKind(enum.StrEnum):
    """Kind of move between two states."""

    FORWARD = "forward"
    SKIP = "skip"
    BACK = "back"
    PAUSE = "pause"
    RESUME = "resume"
    CLOSE = "close"


#: Derived views of the labels on the enums, for modules that look labels up by member.

#: The main line, in order. ``nazorg -> afgesloten`` is a close, not a forward step.
MAIN_LINE: tuple[CaseState, ...] = (
    CaseState.AANGEMELD,
    CaseState.INTAKE,
    CaseState.DIAGNOSE,
    CaseState.PLAN,
    CaseState.UITVOERING,
    CaseState.BEMIDDELING,
    CaseState.GEPLAATST,
    CaseState.NAZORG,
    CaseState.AFGESLOTEN,
)

#: States in which work on the case is running: everything except afgesloten and
#: gepauzeerd. Only these can be paused; these plus gepauzeerd can be closed.
OPEN_STATES: frozenset[CaseState] = frozenset(CaseState) - {
    CaseState.AFGESLOTEN,
    CaseState.GEPAUZEERD,
}

#: Main-line skips: no training needed, and straight from training to placed.
SKIPS: tuple[tuple[CaseState, CaseState], ...] = (
    (CaseState.PLAN, CaseState.BEMIDDELING),
    (CaseState.UITVOERING, CaseState.GEPLAATST),
)

_KIND_ORDER: dict[TransitionKind, int] = {
    TransitionKind.FORWARD: 0,
    TransitionKind.SKIP: 1,
    TransitionKind.BACK: 2,
    TransitionKind.RESUME: 3,
    TransitionKind.PAUSE: 4,
    TransitionKind.CLOSE: 5,
}


@dataclass(frozen=True)
class Transition:
    """A move from ``source`` to ``target``."""

    source: CaseState
    target: CaseState
    kind: TransitionKind

    @property
    def label(self) -> str:
        """Dutch button/menu label, e.g. ``"Naar diagnose"``."""
        target = self.target.label.lower()
        match self.kind:
            case TransitionKind.FORWARD:
                return f"Naar {target}"
            case TransitionKind.SKIP:
                return f"Overslaan naar {target}"
            case TransitionKind.BACK:
                return f"Terug naar {target}"
            case TransitionKind.PAUSE:
                return "Pauzeren"
            case TransitionKind.RESUME:
                return "Hervatten"
            case _:
                return "Afsluiten"


def _build_table() -> tuple[Transition, ...]:
    rows: list[Transition] = []
    steps = list(pairwise(MAIN_LINE))
    for source, target in steps:
        if target is not CaseState.AFGESLOTEN:
            rows.append(Transition(source, target, TransitionKind.FORWARD))
    rows.extend(Transition(s, t, TransitionKind.SKIP) for s, t in SKIPS)
    for earlier, later in steps:
        if later is not CaseState.AFGESLOTEN:
            rows.append(Transition(later, earlier, TransitionKind.BACK))
    for state in MAIN_LINE:
        if state in OPEN_STATES:
            rows.append(Transition(state, CaseState.GEPAUZEERD, TransitionKind.PAUSE))
    for state in (*MAIN_LINE, CaseState.GEPAUZEERD):
        if state is not CaseState.AFGESLOTEN:
            rows.append(Transition(state, CaseState.AFGESLOTEN, TransitionKind.CLOSE))
    return tuple(rows)


#: Every transition that does not depend on the pre-pause state. Resuming
#: (gepauzeerd -> paused_from) is added dynamically by :func:`allowed_transitions`.
TRANSITIONS: tuple[Transition, ...] = _build_table()


def _as_state(value: object) -> CaseState | None:
    """Coerce ``value`` to a :class:`CaseState`, or ``None`` if it is not one."""
    if isinstance(value, CaseState):
        return value
    if isinstance(value, str):
        try:
            return CaseState(value)
        except ValueError:
            return None
    return None


def _as_exit_reason(value: object) -> ExitReason | None:
    if isinstance(value, ExitReason):
        return value
    if isinstance(value, str):
        try:
            return ExitReason(value.strip())
        except ValueError:
            return None
    return None


def _filled(text: object) -> bool:
    return isinstance(text, str) and bool(text.strip())


def allowed_transitions(
    state: CaseState | str, paused_from: CaseState | str | None = None
) -> list[Transition]:
    """Structurally allowed moves from ``state`` (guards not applied).

    Ordered forward, skip, back, resume, pause, close. From gepauzeerd, resume is
    offered only if ``paused_from`` is an open state. Unknown states yield ``[]``.
    """
    source = _as_state(state)
    if source is None:
        return []
    result = [t for t in TRANSITIONS if t.source is source]
    if source is CaseState.GEPAUZEERD:
        previous = _as_state(paused_from)
        if previous in OPEN_STATES:
            result.append(Transition(source, previous, TransitionKind.RESUME))
    result.sort(key=lambda t: _KIND_ORDER[t.kind])
    return result


def find_transition(
    source: CaseState | str,
    target: CaseState | str,
    paused_from: CaseState | str | None = None,
) -> Transition | None:
    """The allowed transition from ``source`` to ``target``, or ``None``."""
    wanted = _as_state(target)
    if wanted is None:
        return None
    for transition in allowed_transitions(source, paused_from):
        if transition.target is wanted:
            return transition
    return None


@dataclass(frozen=True)
class CaseFacts:
    """What the engine needs to know about a case to judge a move."""

    state: CaseState
    paused_from: CaseState | None = None
    intake_completed: bool = False
    plan_activity_count: int = 0
    has_active_placement: bool = False


@dataclass(frozen=True)
class Problem:
    """Why a move is blocked. ``field`` names the offending form field, if any."""

    code: str
    field: str | None
    message: str


def _has_activities(count: object) -> bool:
    return isinstance(count, int) and count >= 1


def check(
    facts: CaseFacts,
    to: CaseState | str,
    *,
    reason: str | None = None,
    exit_reason: ExitReason | str | None = None,
    exit_reason_text: str | None = None,
) -> list[Problem]:
    """Problems blocking the move of ``facts.state`` to ``to``; empty means allowed.

    Never raises on bad input: unknown states give ``not_allowed`` and unknown
    exit reasons give ``exit_reason_invalid``.
    """
    raw_state = facts.state
    source = _as_state(raw_state)
    transition = None
    if source is not None:
        transition = find_transition(source, to, facts.paused_from)
    if transition is None:
        shown = source.label.lower() if source is not None else raw_state
        return [Problem("not_allowed", "to", f"Deze stap is vanuit '{shown}' niet toegestaan.")]

    problems: list[Problem] = []
    kind = transition.kind
    moves_on = kind in (TransitionKind.FORWARD, TransitionKind.SKIP)

    if moves_on and source is CaseState.INTAKE and not facts.intake_completed:
        problems.append(Problem("intake_incomplete", None, "Vul eerst het intakeformulier in."))
    if (
        moves_on
        and source is CaseState.PLAN
        and transition.target is CaseState.UITVOERING
        and not _has_activities(facts.plan_activity_count)
    ):
        problems.append(
            Problem(
                "plan_without_activity",
                None,
                "Voeg eerst minimaal één activiteit toe aan het trajectplan.",
            )
        )
    if moves_on and transition.target is CaseState.GEPLAATST and not facts.has_active_placement:
        problems.append(
            Problem("no_active_placement", None, "Registreer eerst een actieve plaatsing.")
        )
    if kind is TransitionKind.BACK and not _filled(reason):
        problems.append(Problem("reason_required", "reason", "Geef een reden voor de stap terug."))
    if kind is TransitionKind.CLOSE:
        problems.extend(_check_exit(exit_reason, exit_reason_text))
    return problems


def _check_exit(exit_reason: object, exit_reason_text: object) -> list[Problem]:
    if exit_reason is None or (isinstance(exit_reason, str) and not exit_reason.strip()):
        return [Problem("exit_reason_required", "exit_reason", "Kies een uitstroomreden.")]
    parsed = _as_exit_reason(exit_reason)
    if parsed is None:
        return [Problem("exit_reason_invalid", "exit_reason", "Kies een geldige uitstroomreden.")]
    if parsed is ExitReason.OVERIG and not _filled(exit_reason_text):
        return [
            Problem(
                "exit_reason_text_required",
                "exit_reason_text",
                "Licht de uitstroomreden 'overig' toe.",
            )
        ]
    return []
