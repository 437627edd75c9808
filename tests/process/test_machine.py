"""Table-driven tests for the pure process engine in rmt/process/machine.py."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from rmt.process import (
    MAIN_LINE,
    OPEN_STATES,
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

MACHINE_PY = Path(__file__).resolve().parents[2] / "rmt" / "process" / "machine.py"

ALL_STATES = [
    "aangemeld",
    "intake",
    "diagnose",
    "plan",
    "uitvoering",
    "bemiddeling",
    "geplaatst",
    "nazorg",
    "afgesloten",
    "gepauzeerd",
]

# The pause-dependent row (gepauzeerd) is tested with this pre-pause state.
PAUSED_FROM = "uitvoering"

# Written by hand from the design; deliberately not derived from the implementation.
# source -> {target: kind}; any (source, target) not listed is not allowed.
EXPECTED: dict[str, dict[str, str]] = {
    "aangemeld": {
        "intake": "forward",
        "gepauzeerd": "pause",
        "afgesloten": "close",
    },
    "intake": {
        "diagnose": "forward",
        "aangemeld": "back",
        "gepauzeerd": "pause",
        "afgesloten": "close",
    },
    "diagnose": {
        "plan": "forward",
        "intake": "back",
        "gepauzeerd": "pause",
        "afgesloten": "close",
    },
    "plan": {
        "uitvoering": "forward",
        "bemiddeling": "skip",
        "diagnose": "back",
        "gepauzeerd": "pause",
        "afgesloten": "close",
    },
    "uitvoering": {
        "bemiddeling": "forward",
        "geplaatst": "skip",
        "plan": "back",
        "gepauzeerd": "pause",
        "afgesloten": "close",
    },
    "bemiddeling": {
        "geplaatst": "forward",
        "uitvoering": "back",
        "gepauzeerd": "pause",
        "afgesloten": "close",
    },
    "geplaatst": {
        "nazorg": "forward",
        "bemiddeling": "back",
        "gepauzeerd": "pause",
        "afgesloten": "close",
    },
    "nazorg": {
        "geplaatst": "back",
        "gepauzeerd": "pause",
        "afgesloten": "close",
    },
    "afgesloten": {},
    "gepauzeerd": {
        PAUSED_FROM: "resume",
        "afgesloten": "close",
    },
}

OPEN = [
    "aangemeld",
    "intake",
    "diagnose",
    "plan",
    "uitvoering",
    "bemiddeling",
    "geplaatst",
    "nazorg",
]

BACK_STEPS = [
    ("intake", "aangemeld"),
    ("diagnose", "intake"),
    ("plan", "diagnose"),
    ("uitvoering", "plan"),
    ("bemiddeling", "uitvoering"),
    ("geplaatst", "bemiddeling"),
    ("nazorg", "geplaatst"),
]

CLOSABLE = [*OPEN, "gepauzeerd"]


def facts(state: str, **kwargs: object) -> CaseFacts:
    """Facts with every guard satisfied unless overridden."""
    base: dict[str, object] = {
        "paused_from": None,
        "intake_completed": True,
        "plan_activity_count": 1,
        "has_active_placement": True,
    }
    base.update(kwargs)
    return CaseFacts(state=CaseState(state), **base)  # type: ignore[arg-type]


def codes(problems: list[Problem]) -> list[str]:
    return [p.code for p in problems]


def paused_from_for(state: str) -> str | None:
    return PAUSED_FROM if state == "gepauzeerd" else None


# --- the full 10 x 10 table -------------------------------------------------------------


def test_expected_table_is_complete() -> None:
    assert sorted(EXPECTED) == sorted(ALL_STATES) == sorted(s.value for s in CaseState)
    assert len(ALL_STATES) ** 2 == 100


@pytest.mark.parametrize("target", ALL_STATES)
@pytest.mark.parametrize("source", ALL_STATES)
def test_pair(source: str, target: str) -> None:
    expected_kind = EXPECTED[source].get(target)
    paused_from = paused_from_for(source)
    allowed = {
        (t.target.value, t.kind.value) for t in allowed_transitions(CaseState(source), paused_from)
    }
    found = find_transition(source, target, paused_from)
    if expected_kind is None:
        assert target not in {t for t, _ in allowed}
        assert found is None
    else:
        assert (target, expected_kind) in allowed
        assert found == Transition(
            CaseState(source), CaseState(target), TransitionKind(expected_kind)
        )


@pytest.mark.parametrize("source", ALL_STATES)
def test_allowed_transitions_match_row_exactly(source: str) -> None:
    result = allowed_transitions(CaseState(source), paused_from_for(source))
    assert all(t.source is CaseState(source) for t in result)
    assert {(t.target.value, t.kind.value) for t in result} == set(EXPECTED[source].items())
    assert len(result) == len(EXPECTED[source])  # no duplicates


def test_static_table_is_everything_but_resume() -> None:
    expected = {
        (source, target, kind)
        for source, row in EXPECTED.items()
        for target, kind in row.items()
        if kind != "resume"
    }
    actual = {(t.source.value, t.target.value, t.kind.value) for t in TRANSITIONS}
    assert actual == expected
    assert len(TRANSITIONS) == len(expected) == 33
    assert all(t.kind is not TransitionKind.RESUME for t in TRANSITIONS)


@pytest.mark.parametrize("source", ALL_STATES)
def test_order_is_stable_and_sensible(source: str) -> None:
    order = ["forward", "skip", "back", "resume", "pause", "close"]
    first = allowed_transitions(CaseState(source), paused_from_for(source))
    second = allowed_transitions(source, paused_from_for(source))
    assert first == second
    ranks = [order.index(t.kind.value) for t in first]
    assert ranks == sorted(ranks)


def test_constants() -> None:
    assert [s.value for s in MAIN_LINE] == ALL_STATES[:9]
    assert {s.value for s in OPEN_STATES} == set(OPEN)
    assert all(state.label and state.label != state.value for state in CaseState)
    assert all(reason.label and reason.label != reason.value for reason in ExitReason)
    assert CaseState.PLAN.label == "Trajectplan"
    assert ExitReason.VERHUISD_BUITEN_REGIO.label == "Verhuisd buiten de regio"
    assert [r.value for r in ExitReason] == [
        "werk_loondienst",
        "werk_zelfstandig",
        "behoud_werk",
        "scholing_regulier",
        "doorverwezen",
        "uitval_eigen_keuze",
        "uitval_onbereikbaar",
        "verhuisd_buiten_regio",
        "overig",
    ]


@pytest.mark.parametrize(
    ("source", "target", "paused_from", "label"),
    [
        ("intake", "diagnose", None, "Naar diagnose"),
        ("diagnose", "plan", None, "Naar trajectplan"),
        ("diagnose", "intake", None, "Terug naar intake"),
        ("plan", "bemiddeling", None, "Overslaan naar bemiddeling"),
        ("uitvoering", "geplaatst", None, "Overslaan naar geplaatst"),
        ("nazorg", "gepauzeerd", None, "Pauzeren"),
        ("gepauzeerd", "plan", "plan", "Hervatten"),
        ("nazorg", "afgesloten", None, "Afsluiten"),
        ("gepauzeerd", "afgesloten", "plan", "Afsluiten"),
    ],
)
def test_labels(source: str, target: str, paused_from: str | None, label: str) -> None:
    transition = find_transition(source, target, paused_from)
    assert transition is not None
    assert transition.label == label


# --- pause / resume ---------------------------------------------------------------------


@pytest.mark.parametrize("state", OPEN)
def test_pause_then_resume_only_to_paused_from(state: str) -> None:
    assert check(facts(state), "gepauzeerd") == []
    paused = facts("gepauzeerd", paused_from=CaseState(state))
    assert {t.target.value for t in allowed_transitions(paused.state, paused.paused_from)} == {
        state,
        "afgesloten",
    }
    resume = find_transition("gepauzeerd", state, state)
    assert resume is not None and resume.kind is TransitionKind.RESUME
    for target in ALL_STATES:
        problems = check(paused, target, exit_reason="overig", exit_reason_text="toelichting")
        if target in (state, "afgesloten"):
            assert problems == [], target
        else:
            assert codes(problems) == ["not_allowed"], target


@pytest.mark.parametrize("state", OPEN)
def test_resume_skips_guards_since_state_was_already_held(state: str) -> None:
    paused = CaseFacts(state=CaseState.GEPAUZEERD, paused_from=CaseState(state))
    assert check(paused, state) == []


@pytest.mark.parametrize("paused_from", [None, "afgesloten", "gepauzeerd", "bogus", 7])
def test_no_resume_without_valid_paused_from(paused_from: object) -> None:
    transitions = allowed_transitions(CaseState.GEPAUZEERD, paused_from)  # type: ignore[arg-type]
    assert [t.target for t in transitions] == [CaseState.AFGESLOTEN]


@pytest.mark.parametrize("state", ["afgesloten", "gepauzeerd"])
def test_cannot_pause_closed_or_paused(state: str) -> None:
    assert codes(check(facts(state, paused_from=CaseState.PLAN), "gepauzeerd")) == ["not_allowed"]


def test_paused_from_ignored_outside_pause() -> None:
    assert find_transition("diagnose", "nazorg", "nazorg") is None


# --- guards -----------------------------------------------------------------------------


def test_intake_guard() -> None:
    problems = check(facts("intake", intake_completed=False), "diagnose")
    assert problems == [
        Problem("intake_incomplete", None, "Vul eerst het intakeformulier in."),
    ]
    assert check(facts("intake", intake_completed=True), "diagnose") == []


@pytest.mark.parametrize(
    ("target", "kwargs"),
    [
        ("aangemeld", {"reason": "verkeerd ingeschreven"}),
        ("gepauzeerd", {}),
        ("afgesloten", {"exit_reason": "doorverwezen"}),
    ],
)
def test_intake_guard_only_for_forward(target: str, kwargs: dict[str, str]) -> None:
    assert check(facts("intake", intake_completed=False), target, **kwargs) == []


@pytest.mark.parametrize(("count", "blocked"), [(0, True), (-1, True), (1, False), (5, False)])
def test_plan_guard(count: int, blocked: bool) -> None:
    problems = check(facts("plan", plan_activity_count=count), "uitvoering")
    assert codes(problems) == (["plan_without_activity"] if blocked else [])


def test_skip_to_bemiddeling_needs_no_activity() -> None:
    assert check(facts("plan", plan_activity_count=0), "bemiddeling") == []


@pytest.mark.parametrize("source", ["bemiddeling", "uitvoering"])
def test_placement_guard_forward_and_skip(source: str) -> None:
    blocked = check(facts(source, has_active_placement=False), "geplaatst")
    assert codes(blocked) == ["no_active_placement"]
    assert check(facts(source, has_active_placement=True), "geplaatst") == []


def test_back_to_geplaatst_needs_no_new_placement() -> None:
    problems = check(facts("nazorg", has_active_placement=False), "geplaatst", reason="plaatsing")
    assert problems == []


def test_guards_do_not_apply_elsewhere() -> None:
    bare = {"intake_completed": False, "plan_activity_count": 0, "has_active_placement": False}
    for source, row in EXPECTED.items():
        for target, kind in row.items():
            if (source, target) in {
                ("intake", "diagnose"),
                ("plan", "uitvoering"),
                ("bemiddeling", "geplaatst"),
                ("uitvoering", "geplaatst"),
            }:
                continue
            problems = check(
                facts(source, paused_from=paused_from_for(source), **bare),
                target,
                reason="r",
                exit_reason="werk_loondienst",
            )
            assert problems == [], (source, target, kind)


# --- back needs a reason ----------------------------------------------------------------


@pytest.mark.parametrize(("source", "target"), BACK_STEPS)
@pytest.mark.parametrize("reason", [None, "", "   \n"])
def test_back_requires_reason(source: str, target: str, reason: str | None) -> None:
    assert check(facts(source), target, reason=reason) == [
        Problem("reason_required", "reason", "Geef een reden voor de stap terug."),
    ]


@pytest.mark.parametrize(("source", "target"), BACK_STEPS)
def test_back_with_reason(source: str, target: str) -> None:
    assert check(facts(source), target, reason="Intake moet opnieuw.") == []


def test_no_back_from_start_or_out_of_closed_or_paused() -> None:
    kinds = {t.kind for t in allowed_transitions(CaseState.AANGEMELD)}
    assert TransitionKind.BACK not in kinds
    for state in ["afgesloten", "gepauzeerd"]:
        for target in MAIN_LINE[:-1]:
            if state == "gepauzeerd" and target.value == PAUSED_FROM:
                continue
            problems = check(facts(state, paused_from=PAUSED_FROM), target, reason="x")
            assert codes(problems) == ["not_allowed"]


# --- closing ----------------------------------------------------------------------------


@pytest.mark.parametrize("source", CLOSABLE)
@pytest.mark.parametrize("exit_reason", [None, "", "  "])
def test_close_requires_exit_reason(source: str, exit_reason: str | None) -> None:
    assert check(facts(source, paused_from=PAUSED_FROM), "afgesloten", exit_reason=exit_reason) == [
        Problem("exit_reason_required", "exit_reason", "Kies een uitstroomreden."),
    ]


@pytest.mark.parametrize("source", CLOSABLE)
@pytest.mark.parametrize("exit_reason", ["x", "Overig", "werk", 3, ["overig"]])
def test_close_rejects_invalid_exit_reason(source: str, exit_reason: object) -> None:
    problems = check(
        facts(source),
        "afgesloten",
        exit_reason=exit_reason,  # type: ignore[arg-type]
    )
    assert codes(problems) == ["exit_reason_invalid"]
    assert problems[0].field == "exit_reason"


@pytest.mark.parametrize("text", [None, "", " \t "])
def test_overig_requires_text(text: str | None) -> None:
    for exit_reason in (ExitReason.OVERIG, "overig"):
        assert check(
            facts("nazorg"), "afgesloten", exit_reason=exit_reason, exit_reason_text=text
        ) == [
            Problem(
                "exit_reason_text_required",
                "exit_reason_text",
                "Licht de uitstroomreden 'overig' toe.",
            ),
        ]


def test_overig_with_text() -> None:
    problems = check(
        facts("nazorg"), "afgesloten", exit_reason="overig", exit_reason_text="Met pensioen."
    )
    assert problems == []


@pytest.mark.parametrize("source", CLOSABLE)
@pytest.mark.parametrize("exit_reason", [r for r in ExitReason if r is not ExitReason.OVERIG])
def test_close_with_each_reason(source: str, exit_reason: ExitReason) -> None:
    f = facts(source, paused_from=PAUSED_FROM)
    assert check(f, "afgesloten", exit_reason=exit_reason) == []
    assert check(f, "afgesloten", exit_reason=exit_reason.value) == []


def test_exit_reason_ignored_for_non_close() -> None:
    assert check(facts("intake"), "diagnose", exit_reason="x") == []


# --- afgesloten is final ----------------------------------------------------------------


def test_afgesloten_is_final() -> None:
    assert allowed_transitions(CaseState.AFGESLOTEN) == []
    assert allowed_transitions(CaseState.AFGESLOTEN, CaseState.NAZORG) == []
    closed = facts("afgesloten", paused_from=CaseState.NAZORG)
    for target in ALL_STATES:
        problems = check(closed, target, reason="r", exit_reason="overig", exit_reason_text="t")
        assert problems == [
            Problem("not_allowed", "to", "Deze stap is vanuit 'afgesloten' niet toegestaan."),
        ]


def test_not_allowed_message() -> None:
    assert check(facts("intake"), "nazorg") == [
        Problem("not_allowed", "to", "Deze stap is vanuit 'intake' niet toegestaan."),
    ]


# --- robustness -------------------------------------------------------------------------


GARBAGE = [None, "", "bogus", "AANGEMELD", 42, 3.5, object(), ["intake"], b"intake"]


@pytest.mark.parametrize("to", GARBAGE)
@pytest.mark.parametrize("source", ALL_STATES)
def test_check_never_raises_on_bad_target(source: str, to: object) -> None:
    problems = check(
        facts(source, paused_from="bogus"),  # type: ignore[arg-type]
        to,  # type: ignore[arg-type]
        reason=object(),  # type: ignore[arg-type]
        exit_reason="x",
        exit_reason_text=12,  # type: ignore[arg-type]
    )
    assert codes(problems) == ["not_allowed"]
    assert problems[0].field == "to"


@pytest.mark.parametrize("junk", GARBAGE)
def test_check_never_raises_on_bad_facts(junk: object) -> None:
    bad = CaseFacts(
        state=junk,  # type: ignore[arg-type]
        paused_from=junk,  # type: ignore[arg-type]
        intake_completed=junk,  # type: ignore[arg-type]
        plan_activity_count=junk,  # type: ignore[arg-type]
        has_active_placement=junk,  # type: ignore[arg-type]
    )
    assert codes(check(bad, "intake")) == ["not_allowed"]
    assert allowed_transitions(junk) == []  # type: ignore[arg-type]
    assert find_transition(junk, junk, junk) is None  # type: ignore[arg-type]


@pytest.mark.parametrize("junk", [j for j in GARBAGE if not isinstance(j, int)])
def test_guard_facts_with_junk_values_block_instead_of_raising(junk: object) -> None:
    f = CaseFacts(state=CaseState.PLAN, plan_activity_count=junk)  # type: ignore[arg-type]
    assert codes(check(f, "uitvoering")) == ["plan_without_activity"]


def test_string_states_are_accepted() -> None:
    f = CaseFacts(state="intake", intake_completed=True)  # type: ignore[arg-type]
    assert check(f, "diagnose") == []
    assert check(facts("intake"), CaseState.DIAGNOSE) == []


# --- purity -----------------------------------------------------------------------------


def test_machine_imports_only_stdlib() -> None:
    tree = ast.parse(MACHINE_PY.read_text(encoding="utf-8"))
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "no relative imports"
            assert node.module is not None
            modules.add(node.module.split(".")[0])
    assert modules, "expected at least one import"
    assert modules <= set(sys.stdlib_module_names) | {"__future__"}, modules


def test_loading_machine_pulls_in_no_flask_or_sqlalchemy() -> None:
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('machine', {str(MACHINE_PY)!r})\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "sys.modules['machine'] = module\n"
        "spec.loader.exec_module(module)\n"
        "bad = sorted(m for m in sys.modules\n"
        "             if m.split('.')[0] in {'flask', 'flask_sqlalchemy', 'sqlalchemy', 'rmt'})\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""
