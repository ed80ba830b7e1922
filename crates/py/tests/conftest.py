from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def cohort_text() -> str:
    return (ROOT / "examples" / "cohort-ulnar-laceration.toml").read_text()
