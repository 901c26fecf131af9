"""lm-families helpers: the plumbing the notebooks share (runtime, TinyWorld, the zoo, training, plots).

Each module holds one idea; none hides the concept a notebook teaches.
"""

import os
import sys

__version__ = "0.1.0"


def progress_enabled() -> bool:
    """Progress bars show in an interactive session, and are off when LMF_PROGRESS=0 (papermill, nbval, CI)."""
    return os.environ.get("LMF_PROGRESS", "1").lower() not in ("0", "false", "no", "off")


def _quiet_library_progress_bars() -> None:
    """With LMF_PROGRESS=0 (papermill, nbval, CI) the libraries' loading bars are off too.

    A saved notebook keeps a progress bar as one frozen frame ("Loading weights: 0%"), which tells a
    reader nothing. In an interactive session (LMF_PROGRESS unset or 1) the bars stay.
    """
    if progress_enabled():
        return
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")     # read when huggingface_hub is imported
    if "transformers" in sys.modules:                              # imported already: switch its bars off directly
        from transformers.utils import logging

        logging.disable_progress_bar()


_quiet_library_progress_bars()
