"""Whether this environment is the pinned set (constraints.txt), which the committed outputs belong to.

`make test` runs on it; `make compat` runs the same tests on other versions (the ends of pyproject.toml's ranges),
where a test that checks a library fact rather than a claim of ours accepts what that version does and says why."""

import re
from importlib.metadata import version
from pathlib import Path

PINS = dict(re.findall(r"^([\w-]+)==(\S+)", (Path(__file__).resolve().parent.parent / "constraints.txt")
                       .read_text(encoding="utf-8"), re.MULTILINE))
PINNED = all(version(name) == pin for name, pin in PINS.items() if name in ("transformers", "tokenizers"))
