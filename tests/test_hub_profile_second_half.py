"""The hub profile against hub-shaped stand-ins, notebooks 04 on (see test_hub_profile.py)."""

import pytest

from tests.test_hub_profile import SECOND, run_with_the_hub_profile


@pytest.mark.parametrize("path", [p for p, _ in SECOND], ids=[i for _, i in SECOND])
def test_the_notebook_runs_with_the_hub_profile_against_hub_shaped_stand_ins(path, offline_hub, tmp_path):
    run_with_the_hub_profile(path, tmp_path)
