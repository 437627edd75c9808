"""Gunicorn's workers keep the built app out of full garbage collections (rmt.heap)."""

from __future__ import annotations

import gc
import os
import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_gunicorn_reads_the_projects_settings_with_the_worker_hook(tmp_path):
    gunicorn = Path(sys.executable).with_name("gunicorn")
    # Printing the settings builds the app: a test app, in an instance folder of its own.
    env = {name: value for name, value in os.environ.items()
           if name not in ("RMT_DATABASE_URL", "RMT_TEST_DATABASE_URL")}
    env.update(RMT_ENV="test", RMT_INSTANCE_PATH=str(tmp_path))
    printed = subprocess.run([str(gunicorn), "--print-config", "rmt:create_app()"], cwd=ROOT,
                             env=env, capture_output=True, text=True, check=True,
                             timeout=60).stdout
    settings = {name.strip(): value.strip() for name, _, value in
                (line.partition("=") for line in printed.splitlines())}
    assert settings["config"] == "./gunicorn.conf.py"
    assert settings["post_worker_init"] == "<post_worker_init()>"


def test_the_worker_hook_freezes_what_is_alive():
    hook = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["post_worker_init"]
    alive = [["built at start-up"]]

    def collected_walks_it() -> bool:
        return any(found is alive for found in gc.get_objects())

    assert gc.get_freeze_count() == 0 and collected_walks_it()
    try:
        hook(None)
        assert gc.get_freeze_count() > 0
        assert not collected_walks_it()
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0
