"""Fixtures shared by the test modules: the hub-shaped stand-ins in a temporary Hugging Face cache."""

import pytest

from tests.hub_standins import write_cache


@pytest.fixture(scope="session")
def hub_cache(tmp_path_factory):
    return write_cache(tmp_path_factory.mktemp("hf-cache"))


@pytest.fixture
def offline_hub(hub_cache, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(hub_cache))       # the kernels papermill starts inherit both
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return hub_cache
