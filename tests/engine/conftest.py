"""The baseline the lever tests compare with."""

import pytest
from simulated import run


@pytest.fixture(scope="session")
def baseline():
    """The baseline at the settings the lever tests use (same seeds)."""
    return run()
