"""Statistics follow the step history through listeners that ``connect()`` installs, once."""

from __future__ import annotations

import subprocess
import sys

import sqlalchemy as sa
from sqlalchemy.orm import Session

from rmt.privacy import receivers as privacy_receivers
from rmt.privacy.registry import ANONYMISERS, ERASURE_BLOCKERS, SUBJECT_ACCESS_SECTIONS
from rmt.stats import receivers, summary


def test_connect_installs_the_summary_listeners_once(app):
    receivers.connect()
    receivers.connect()
    for name, listener in (("before_flush", summary._before_flush),
                           ("after_flush", summary._after_flush),
                           ("do_orm_execute", summary._do_orm_execute)):
        assert sa.event.contains(Session, name, listener), name
    assert sum(a.anonymise is receivers.keep_statistics for a in ANONYMISERS) == 1


def test_privacy_connect_is_idempotent(app):
    sections = list(SUBJECT_ACCESS_SECTIONS)
    blockers = list(ERASURE_BLOCKERS)
    privacy_receivers.connect()
    assert list(SUBJECT_ACCESS_SECTIONS) == sections and list(ERASURE_BLOCKERS) == blockers
    assert "vouchers" in SUBJECT_ACCESS_SECTIONS


def test_importing_the_models_has_no_side_effects():
    code = ("import sqlalchemy as sa; from sqlalchemy.orm import Session; "
            "import rmt.stats.models, rmt.stats.views, rmt.privacy.views; "
            "from rmt.stats import summary; "
            "from rmt.privacy.registry import ANONYMISERS, SUBJECT_ACCESS_SECTIONS; "
            "print(sa.event.contains(Session, 'after_flush', summary._after_flush), "
            "any(a.anonymise.__module__.startswith('rmt.stats') for a in ANONYMISERS), "
            "'vouchers' in SUBJECT_ACCESS_SECTIONS)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.split() == ["False", "False", "False"]
