"""Harmonised process engine (pure Python, no Flask or database)."""

from rmt.process.machine import (
    EXIT_REASON_LABELS,
    MAIN_LINE,
    OPEN_STATES,
    SKIPS,
    STATE_LABELS,
    TRANSITIONS,
    CaseFacts,
    CaseState,
    ExitReason,
    Problem,
    Transition,
    TransitionKind,
    allowed_transitions,
    check,
    find_transition,
)

__all__ = [
    "EXIT_REASON_LABELS",
    "MAIN_LINE",
    "OPEN_STATES",
    "SKIPS",
    "STATE_LABELS",
    "TRANSITIONS",
    "CaseFacts",
    "CaseState",
    "ExitReason",
    "Problem",
    "Transition",
    "TransitionKind",
    "allowed_transitions",
    "check",
    "find_transition",
]
