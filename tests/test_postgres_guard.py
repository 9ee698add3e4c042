"""When PostgreSQL is asked for and cannot be reached, the run fails: it never quietly
falls back to SQLite only."""

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one-process", "two-workers"])
def test_an_unreachable_postgresql_fails_the_run_instead_of_skipping(workers: list[str]):
    env = {**os.environ, "LIAISON_TEST_POSTGRES_URL": "postgresql://nobody@127.0.0.1:9/none"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            *workers,
            "tests/test_schema.py::test_the_database_is_at_the_newest_migration",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "PostgreSQL was asked for" in result.stdout + result.stderr
