"""pytest-xdist: all cells of one notebook run on one worker, in order, on one kernel.

`make test` runs `pytest -n 2 --dist loadgroup`: nbval's cells of a notebook form one group (named after
the notebook); every other test is spread over the workers one by one.
"""

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if type(item).__module__.startswith("nbval"):
            item.add_marker(pytest.mark.xdist_group(item.path.name))
