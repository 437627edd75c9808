"""Harmonised process engine (pure Python, no Flask or database)."""

from rmt.process.machine import (
    MAIN_LINE,
    OPEN_STATES,
    SKIPS,
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
    "MAIN_LINE",
    "OPEN_STATES",
    "SKIPS",
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
