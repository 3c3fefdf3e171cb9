"""Shared test fixtures: where ../shared lives, and a skip when a user's clone lacks it."""
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture
def shared() -> Path:
    """The ../shared inputs (corpus, seed, docs); skips the test in a clone that lacks them."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: the shared corpus is only on the maintainers' machines")
    return SHARED


@pytest.fixture(autouse=True, scope="session")
def _kept_times_of_the_run(tmp_path_factory):
    """What loads keep between runs (spl.data.kept) goes to the test run's own directory, never
    the user's ~/.cache (subprocesses inherit it)."""
    os.environ["SPL_CACHE_DIR"] = str(tmp_path_factory.mktemp("spl-cache"))
