"""helpers.runtime: device and dtype choice, seeding, the environment report."""

import pytest
import torch

from helpers.runtime import environment, environment_report, pick_device, pick_dtype, seed_everything


def test_cpu_and_auto_resolve_here():
    assert pick_device("cpu") == torch.device("cpu")
    best = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
    assert pick_device("auto") == torch.device(best)                  # the best device this machine has


@pytest.mark.parametrize("bad", ["auto:1", "cpu:0", "cuda:x", "cuda:", "cuda:-1", "mps:0", "cuda:0:1"])
def test_a_suffix_other_than_a_gpu_number_is_rejected(bad):
    with pytest.raises(ValueError, match="unknown device"):
        pick_device(bad)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_cuda_without_a_gpu_is_a_clear_error_or_an_announced_fallback(capsys):
    with pytest.raises(RuntimeError, match="no CUDA device"):
        pick_device("cuda")
    assert pick_device("cuda", fallback=True) == torch.device("cpu")
    assert "Falling back to the CPU" in capsys.readouterr().out


def test_unknown_or_mistyped_devices_are_rejected():
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        pick_device("tpu")
    with pytest.raises(TypeError, match="device must be a string"):
        pick_device(0)


def test_dtype_choice():
    assert pick_dtype("auto", "cpu") == torch.float32
    assert pick_dtype("bfloat16") == torch.bfloat16
    with pytest.raises(ValueError, match="unknown dtype"):
        pick_dtype("fp8")


def test_seed_everything_makes_torch_repeat():
    seed_everything(7)
    first = torch.rand(3)
    seed_everything(7)
    assert torch.equal(first, torch.rand(3))
    with pytest.raises(TypeError, match="seed must be an int"):
        seed_everything("7")


def test_environment_report_names_the_versions():
    env = environment()
    assert env["torch"] == torch.__version__ and env["transformers"].startswith("5.")
    assert "cpu threads (torch)" in environment_report()


def test_library_loading_bars_are_off_when_progress_is_off():
    import subprocess
    import sys

    code = ("import transformers, helpers; from transformers.utils import logging; "
            "print(logging.is_progress_bar_enabled())")
    for value, expected in (("0", "False"), ("1", "True")):
        env = {k: v for k, v in __import__("os").environ.items() if k != "HF_HUB_DISABLE_PROGRESS_BARS"}
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                              env={**env, "LMF_PROGRESS": value})
        assert done.stdout.strip() == expected, (value, done.stderr[-500:])


def test_quiet_libraries_hides_library_logs_and_warnings_for_the_block_only():
    import logging
    import warnings

    from transformers.utils import logging as hf_logging

    from helpers.runtime import quiet_libraries

    shown = []

    class Keep(logging.Handler):
        def emit(self, record):
            shown.append(record.getMessage())

    keep = Keep()
    library = logging.getLogger("transformers")
    library.addHandler(keep)
    before = hf_logging.get_verbosity()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with quiet_libraries():
                hf_logging.get_logger("transformers.modeling_utils").warning("hidden")
                logging.getLogger("accelerate").warning("hidden too")
                warnings.warn("a hidden warning", UserWarning, stacklevel=1)
                hf_logging.get_logger("transformers.modeling_utils").error("an error still shows")
                assert hf_logging.get_verbosity() == hf_logging.ERROR
            hf_logging.get_logger("transformers.modeling_utils").warning("shown after the block")
            warnings.warn("shown", UserWarning, stacklevel=1)
    finally:
        library.removeHandler(keep)
    assert shown == ["an error still shows", "shown after the block"]
    assert [str(w.message) for w in caught] == ["shown"]
    assert hf_logging.get_verbosity() == before and logging.getLogger("accelerate").level != logging.ERROR


QUIET_LOADING = """
import logging, os, sys
from huggingface_hub.utils import are_progress_bars_disabled
from transformers.utils import logging as hf_logging
import helpers.zoo                        # importing the zoo changes nothing global (LMF_PROGRESS=0 turns bars off)
assert hf_logging.is_progress_bar_enabled() == (os.environ["LMF_PROGRESS"] == "1")
from helpers.runtime import quiet_loading
quiet_loading()
quiet_loading()                                     # twice: still one filter
shown = []
class Keep(logging.Handler):
    def emit(self, record):
        shown.append(record.getMessage())
source = logging.getLogger("transformers.modeling_utils")
source.addHandler(Keep())
source.warning("`loss_type=None` was set in the config but it is unrecognized. Using the default loss")
source.warning("any other message")
print(hf_logging.is_progress_bar_enabled(), are_progress_bars_disabled(), shown, len(source.filters))
"""


@pytest.mark.parametrize("progress, hub_bars_off", [("1", False), ("0", True)])
def test_quiet_loading_turns_the_loading_bars_and_one_false_alarm_off_and_nothing_else(progress, hub_bars_off):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "HF_HUB_DISABLE_PROGRESS_BARS"} | {"LMF_PROGRESS": progress}
    done = subprocess.run([sys.executable, "-c", QUIET_LOADING], capture_output=True, text=True, check=False, env=env)
    assert done.returncode == 0, done.stderr[-1500:]
    assert done.stdout.strip() == f"False {hub_bars_off} ['any other message'] 1"
