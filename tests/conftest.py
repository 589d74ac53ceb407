from pathlib import Path

import pytest

from shinbo.io import data_dir


@pytest.fixture(scope="session")
def cwru_dir() -> Path:
    d = data_dir()
    if d is None:
        pytest.skip("real CWRU recordings not found: set SHINBO_DATA_DIR or provide ../shared/data/cwru/")
    return d


def cwru_file(d: Path, name: str) -> Path:
    p = d / name
    if not p.exists():
        pytest.skip(f"{name} is not in {d}")
    return p
