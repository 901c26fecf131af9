"""helpers.runtime: device and dtype choice, seeding, the environment report."""

import pytest
import torch

from helpers.runtime import environment, environment_report, pick_device, pick_dtype, seed_everything


def test_cpu_and_auto_resolve_here():
    assert pick_device("cpu") == torch.device("cpu")
    assert pick_device("auto").type in ("cpu", "cuda", "mps")


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


def test_quiet_libraries_hides_library_logs_and_warnings_for_the_block_only(capsys):
    import warnings

    from transformers.utils import logging as hf_logging

    from helpers.runtime import quiet_libraries

    before = hf_logging.get_verbosity()
    with quiet_libraries():
        hf_logging.get_logger("transformers").warning("hidden")
        warnings.warn("hidden too", UserWarning, stacklevel=1)
        assert hf_logging.get_verbosity() == hf_logging.ERROR
    assert hf_logging.get_verbosity() == before
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.warn("shown", UserWarning, stacklevel=1)
    assert [str(w.message) for w in caught] == ["shown"]
