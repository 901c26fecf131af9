"""Every notebook on "another machine": seed 1, other CPU arithmetic; asserts hold, recorded values land in band.

Each run is a work unit of its own for pytest-xdist, handed out longest first (tests/conftest.py).
Constants and helpers live in test_notebooks.py.
"""

import pytest

from helpers.record import out_of_band
from tests.test_notebooks import (
    CELL_TIMEOUT_SECONDS,
    IDS,
    NOTEBOOKS,
    OTHER_MACHINE,
    OTHER_PROMPT,
    OTHER_SEED,
    parameter_names,
)

# the exercise notebooks hold stubs and "not attempted" verdicts, nothing that seed or arithmetic can move
# (tests/test_workbook.py runs every check on solutions and wrong answers); nbval runs them as committed
RUNS = [(p, i) for p, i in zip(NOTEBOOKS, IDS) if "exercises" not in p.parts]


def run_on_another_machine(path, tmp_path, kernels):
    """papermill with seed 1, another prompt where there is one, other arithmetic; then the bands.

    The kernel starts with OTHER_MACHINE in its environment (torch reads it at import) and runs this worker's
    other notebooks of this pass too, reset between them (tests/kernels.py)."""
    parameters = {"seed": OTHER_SEED}
    if "prompt" in parameter_names(path):
        parameters["prompt"] = OTHER_PROMPT
    output = tmp_path / path.name
    kernels(**OTHER_MACHINE).execute(path, output, parameters=parameters, execution_timeout=CELL_TIMEOUT_SECONDS)
    assert out_of_band(path, output) == []


@pytest.mark.parametrize("path", [p for p, _ in RUNS], ids=[i for _, i in RUNS])
def test_another_seed_on_another_machine_runs_to_the_end_and_lands_within_the_bands(path, tmp_path, kernels):
    run_on_another_machine(path, tmp_path, kernels)
