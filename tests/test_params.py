"""helpers.params: bad notebook parameters stop with the parameter's name and what it accepts."""

import pytest
from transformers import AutoTokenizer

from helpers.params import ParameterError, check_params, check_prompt, load_profile
from helpers.zoo import resolve


def test_good_parameters_pass():
    check_params(seed=0, device="cpu", causal_model="tiny-gpt2", finetune_steps=10, prompt="the")
    check_params(device="cuda:1", dtype="bfloat16")


@pytest.mark.parametrize("params, message", [
    ({"seed": "not_a_number"}, "parameter 'seed' must be an integer >= 0; got 'not_a_number'"),
    ({"seed": True}, "parameter 'seed' must be an integer"),
    ({"device": "tpu"}, "parameter 'device' must be one of 'auto', 'cpu', 'cuda', 'mps'"),
    ({"finetune_steps": "ten"}, "parameter 'finetune_steps' must be an integer >= 1"),
    ({"device": "auto:1"}, "parameter 'device' must be one of 'auto', 'cpu', 'cuda', 'mps' or 'cuda:N'"),
    ({"device": "cuda:x"}, "parameter 'device' must be one of"),
    ({"device": "cuda:"}, "parameter 'device' must be one of"),
    ({"dtype": "float32:7"}, "parameter 'dtype' must be one of 'auto', 'float32', 'bfloat16', 'float16'"),
    ({"temperature": 2}, "unknown parameter 'temperature'"),
    ({"train_steps": 10}, "unknown parameter 'train_steps'"),
    ({"prompt": "  "}, "parameter 'prompt' must be a non-empty string"),
    ({"profile": "tpu"}, "parameter 'profile' must be one of 'cpu'"),
    ({"colour": "red"}, "unknown parameter 'colour'"),
])
def test_bad_parameters_name_themselves(params, message):
    with pytest.raises(ParameterError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_params(**params)


def test_parameter_errors_render_as_one_line_in_ipython():
    with pytest.raises(ParameterError) as caught:
        check_params(seed="x")
    assert caught.value._render_traceback_() == [f"ParameterError: {caught.value}"]


def test_profiles_load():
    assert load_profile("cpu")["causal_model"] == "tiny-gpt2"
    assert load_profile("hub")["causal_model"] == "gpt2"


def test_empty_and_over_long_prompts_are_clear_errors():
    tokenizer = AutoTokenizer.from_pretrained(resolve("tiny-gpt2"))
    assert check_prompt(tokenizer, "the red cat", max_length=128, reserve=10)
    with pytest.raises(ParameterError, match="the prompt is empty"):
        check_prompt(tokenizer, "   ", max_length=128)
    with pytest.raises(ParameterError, match="more than the model's context of 128 tokens"):
        check_prompt(tokenizer, "the red cat " * 60, max_length=128, reserve=10)


@pytest.mark.parametrize("params, message", [
    ({"job_width": 63}, "parameter 'job_width' must be an even integer >= 8"),
    ({"sweep_widths": [32, "64"]}, "parameter 'sweep_widths' must be a non-empty list of even integers >= 8"),
    ({"sweep_widths": []}, "parameter 'sweep_widths' must be a non-empty list"),
    ({"dtype": "int8"}, "parameter 'dtype' must be one of 'auto', 'float32', 'bfloat16', 'float16'"),
    ({"job_width": 32, "sweep_widths": [16, 64]}, r"parameter 'job_width' must be one of sweep_widths \[16, 64\]"),
])
def test_sweep_and_dtype_parameters_are_checked(params, message):
    with pytest.raises(ParameterError, match=message):
        check_params(**params)


def test_every_rule_names_a_parameter_of_some_notebook_and_every_parameter_has_a_rule():
    from helpers.notebooks import shipped
    from helpers.params import RULES
    from tests.test_notebooks import parameter_names

    names = {name for path in shipped() for name in parameter_names(path)}
    assert set(RULES) == names, (sorted(set(RULES) - names), sorted(names - set(RULES)))
