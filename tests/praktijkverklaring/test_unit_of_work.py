"""One unit of work per request: the praktijkverklaring code never commits; its steps send
signals."""

from __future__ import annotations

from pathlib import Path

from rmt import signals
from rmt.praktijkverklaring.lifecycle import PvStatus
from tests.praktijkverklaring.conftest import ORDER, walk

PACKAGE = Path(__file__).resolve().parents[2] / "rmt" / "praktijkverklaring"


def test_no_commit_in_the_praktijkverklaring_code():
    offenders = [f"{path.name}:{number}"
                 for path in sorted(PACKAGE.rglob("*.py"))
                 for number, line in enumerate(path.read_text().splitlines(), start=1)
                 if ".commit(" in line]
    assert offenders == []


def test_steps_and_issuance_send_their_signals(coach, case, make_trajectory):
    changed: list[str] = []
    issued: list[str] = []

    def on_changed(trajectory, **kwargs) -> None:
        changed.append(kwargs["event"].to_status.value)

    def on_issued(trajectory, **kwargs) -> None:
        issued.append(trajectory.register_number)

    signals.praktijkverklaring_changed.connect(on_changed)
    signals.praktijkverklaring_issued.connect(on_issued)
    try:
        trajectory = walk(coach, make_trajectory(case, coach), PvStatus.UITGEREIKT)
    finally:
        signals.praktijkverklaring_changed.disconnect(on_changed)
        signals.praktijkverklaring_issued.disconnect(on_issued)
    assert changed == [s.value for s in ORDER[1:]]
    assert issued == [trajectory.register_number]
