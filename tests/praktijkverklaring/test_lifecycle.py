"""The praktijkverklaring lifecycle (pure): every pair of statuses, and every guard."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest

from rmt.praktijkverklaring.lifecycle import (
    GUARDS,
    OPEN_STATES,
    PvFacts,
    PvStatus,
    PvTransitionKind,
    allowed_transitions,
    check,
    find_transition,
)

ALL = [
    "aangevraagd", "werkprocessen_vastgesteld", "overeenkomst_getekend", "in_leren",
    "beoordeeld", "vastgesteld", "uitgereikt", "afgebroken",
]

# Written by hand from the agreed lifecycle (docs/decisions.md), not derived from the code.
EXPECTED: dict[str, dict[str, str]] = {
    "aangevraagd": {"werkprocessen_vastgesteld": "forward", "afgebroken": "abort"},
    "werkprocessen_vastgesteld": {"overeenkomst_getekend": "forward", "afgebroken": "abort"},
    "overeenkomst_getekend": {"in_leren": "forward", "afgebroken": "abort"},
    "in_leren": {"beoordeeld": "forward", "afgebroken": "abort"},
    "beoordeeld": {"vastgesteld": "forward", "afgebroken": "abort"},
    "vastgesteld": {"uitgereikt": "forward", "afgebroken": "abort"},
    "uitgereikt": {},
    "afgebroken": {},
}

#: Facts under which every guard holds, so only the structure decides.
ALL_GOOD = dict(work_process_count=3, assessed_count=3, demonstrated_count=2,
                has_leerbedrijf=True, has_praktijkopleider=True, leerbedrijf_recognised=True)


def test_enum_matches_the_design():
    assert [s.value for s in PvStatus] == ALL
    assert set(PvStatus.__titles__) == {s.value for s in PvStatus}  # every status has a label
    assert frozenset(PvStatus) - {PvStatus.UITGEREIKT, PvStatus.AFGEBROKEN} == OPEN_STATES


@pytest.mark.parametrize(("source", "target"), list(itertools.product(ALL, ALL)))
def test_every_pair(source, target):
    expected = EXPECTED[source].get(target)
    transition = find_transition(source, target)
    problems = check(PvFacts(status=PvStatus(source), **ALL_GOOD), target, reason="reden")
    if expected is None:
        assert transition is None
        assert [p.code for p in problems] == ["not_allowed"]
        assert problems[0].field == "to"
    else:
        assert transition is not None and transition.kind == PvTransitionKind(expected)
        assert problems == []
        assert transition.label  # a Dutch button text for every move


def test_allowed_transitions_lists_forward_first():
    for source in ALL:
        moves = allowed_transitions(source)
        assert {t.target.value for t in moves} == set(EXPECTED[source])
        if moves:
            assert moves[0].kind == PvTransitionKind.FORWARD


@pytest.mark.parametrize("bad", ["", "onbekend", None, 7, "UITGEREIKT "])
def test_unknown_input_never_raises(bad):
    assert allowed_transitions(bad) == []
    problems = check(PvFacts(status=PvStatus.AANGEVRAAGD, **ALL_GOOD), bad)
    assert [p.code for p in problems] == ["not_allowed"]
    assert check(PvFacts(status=bad, **ALL_GOOD), "afgebroken", reason="x")[0].code == \
        "not_allowed"


# --- guards ---------------------------------------------------------------------------------

GUARD_CASES = [
    # (source, target, facts that break it, expected code)
    ("aangevraagd", "werkprocessen_vastgesteld", {"work_process_count": 0}, "no_work_processes"),
    ("werkprocessen_vastgesteld", "overeenkomst_getekend", {"has_leerbedrijf": False},
     "no_leerbedrijf"),
    ("werkprocessen_vastgesteld", "overeenkomst_getekend", {"has_praktijkopleider": False},
     "no_praktijkopleider"),
    ("in_leren", "beoordeeld", {"assessed_count": 2}, "not_all_assessed"),
    ("in_leren", "beoordeeld", {"work_process_count": 0, "assessed_count": 0},
     "not_all_assessed"),
    ("vastgesteld", "uitgereikt", {"demonstrated_count": 0}, "nothing_demonstrated"),
    ("vastgesteld", "uitgereikt", {"leerbedrijf_recognised": False},
     "leerbedrijf_not_recognised"),
]


@pytest.mark.parametrize(("source", "target", "broken", "code"), GUARD_CASES)
def test_guard_blocks(source, target, broken, code):
    facts = PvFacts(status=PvStatus(source), **{**ALL_GOOD, **broken})
    problems = check(facts, target, reason="x")
    assert [p.code for p in problems] == [code]
    assert problems[0].message


def test_beoordeeld_needs_every_chosen_work_process_assessed():
    base = dict(ALL_GOOD, work_process_count=4)
    for assessed in range(4):
        facts = PvFacts(status=PvStatus.IN_LEREN, **{**base, "assessed_count": assessed})
        assert [p.code for p in check(facts, "beoordeeld")] == ["not_all_assessed"]
    facts = PvFacts(status=PvStatus.IN_LEREN, **{**base, "assessed_count": 4,
                                                 "demonstrated_count": 0})
    assert check(facts, "beoordeeld") == []  # 'nog niet aangetoond' counts as assessed


def test_uitgereikt_needs_one_aangetoond():
    facts = PvFacts(status=PvStatus.VASTGESTELD, **{**ALL_GOOD, "demonstrated_count": 1})
    assert check(facts, "uitgereikt") == []


@pytest.mark.parametrize("source", sorted(s.value for s in OPEN_STATES))
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_breaking_off_needs_a_reason(source, reason):
    facts = PvFacts(status=PvStatus(source), **ALL_GOOD)
    problems = check(facts, "afgebroken", reason=reason)
    assert [(p.code, p.field) for p in problems] == [("reason_required", "reason")]


def test_every_guard_targets_a_reachable_status_and_has_dutch_text():
    targets = {t.target for s in PvStatus for t in allowed_transitions(s)}
    for guard in GUARDS:
        assert guard.target in targets
        assert guard.message.endswith(".")
    assert set(PvStatus.__actions__) <= {s.value for s in PvStatus}


def test_lifecycle_is_pure_python():
    source = Path(__file__).resolve().parents[2] / "rmt" / "praktijkverklaring" / "lifecycle.py"
    imported = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            # rmt.enums (the labelled enum base) is plain Python: no Flask, no database.
            imported.add(node.module if node.module == "rmt.enums" else node.module.split(".")[0])
    assert imported <= {"__future__", "enum", "collections", "dataclasses", "itertools",
                        "typing", "rmt.enums"}
