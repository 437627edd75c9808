"""The example files in docs/imports import cleanly into the demo set-up (demo accounts of MU),
and are what the generator (the app's Faker, seeded) writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.imports import write_examples
from rmt.auth.models import Role
from rmt.extensions import db
from rmt.imports import kinds, service
from tests.factories import UserFactory

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "imports"


def test_examples_are_generated(tmp_path) -> None:
    write_examples(str(tmp_path))
    for path in tmp_path.glob("*.csv"):
        assert path.read_bytes() == (EXAMPLES / path.name).read_bytes(), path.name


@pytest.mark.parametrize("dry_run", [True, False])
def test_examples_import_cleanly(dry_run) -> None:
    coach = UserFactory(role=Role.COACH, regions=["MU"], email="coach.mu@demo.rmt.test")
    liaison = UserFactory(role=Role.LIAISON, regions=["MU"], email="liaison.mu@demo.rmt.test")
    db.session.flush()
    plan = [("kandidaten-mu.xlsx", "candidates", coach, 20),
            ("werkgevers-mu.csv", "employers", liaison, 5),
            ("contactpersonen-mu.csv", "contacts", liaison, 5),
            ("contactmomenten-mu.csv", "contact_moments", liaison, 5)]
    for name, kind, user, expected in plan:
        if dry_run and kind in ("contacts", "contact_moments"):
            continue  # they need the employers, which a dry run does not keep
        result = service.run_import(user, kinds.get(kind), "MU", name,
                                    (EXAMPLES / name).read_bytes(), dry_run=dry_run)
        assert result.errors == [], (name, result.errors[:3])
        assert result.created == expected, name
