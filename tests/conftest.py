"""Shared test fixtures: where ../shared lives, and a skip when a user's clone lacks it."""
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
