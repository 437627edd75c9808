"""The app's database sessions are set up for short web statements (config.py)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from rmt.extensions import db


def test_postgres_plans_for_the_actual_values_without_parallel_workers():
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL session settings")
    assert db.session.scalar(sa.text("SHOW plan_cache_mode")) == "force_custom_plan"
    assert db.session.scalar(sa.text("SHOW max_parallel_workers_per_gather")) == "0"
