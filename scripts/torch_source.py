"""Where `make install` takes torch from: the CPU build on the CPU path, on every platform.

    python scripts/torch_source.py SPEC [--index URL] [--pretend no-local-wheel|gpu|macos] [--command]

prints the pip arguments that install SPEC (the Makefile's TORCH_SPEC), one per line, and a line on stderr that
says why. From PyPI alone, Linux x86-64 gets the CUDA build of torch and its nvidia-* wheels (several GB) even
where no GPU is; the CPU build lives on PyTorch's own index. So:

- TORCH_INDEX set (`--index URL`): that index, for any platform (a GPU runner's CUDA index, a mirror);
- Linux x86-64 with no NVIDIA GPU (no `nvidia-smi` on PATH): the CPU build, from a wheel pip already finds without
  an index (a local wheel folder, as on the machines this project is built on: `pip install --dry-run --no-index`
  tells) or else from PyTorch's CPU index;
- anything else (macOS, Linux on ARM, whose PyPI wheels hold no CUDA; a machine with an NVIDIA GPU): PyPI.

`--pretend` answers the two questions (a local wheel? a GPU? which system?) as another machine would, for
`make torch-plan` and tests/test_project.py: the decision can be read without that machine.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import subprocess
import sys

CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def local_wheel(spec: str) -> bool:
    """True when pip can install `spec` without any index: a wheel folder (find-links) or a cache offers it."""
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", "--no-deps", "--quiet",
                           "--disable-pip-version-check", spec], capture_output=True, text=True, check=False)
    return done.returncode == 0


def plan(spec: str, index: str = "", system: str = "", machine: str = "", gpu: bool | None = None,
         local: bool | None = None) -> tuple[list[str], str]:
    """The pip arguments for `spec` and the reason; what is not given is read off this machine."""
    if index:
        return ["--index-url", index, spec], f"TORCH_INDEX={index}"
    system = system or platform.system()
    machine = (machine or platform.machine()).lower()
    if system != "Linux" or machine not in ("x86_64", "amd64"):
        return [spec], f"{system} {machine}: PyPI's torch is a CPU build (CUDA builds are Linux x86-64 only)"
    gpu = shutil.which("nvidia-smi") is not None if gpu is None else gpu
    if gpu:
        return [spec], "Linux x86-64 with an NVIDIA GPU (nvidia-smi): PyPI's CUDA build"
    local = local_wheel(spec) if local is None else local
    if local:
        return [spec], "Linux x86-64, no GPU: the build pip finds without an index (a local wheel folder)"
    return ["--index-url", CPU_INDEX, spec], f"Linux x86-64, no GPU: the CPU build from {CPU_INDEX}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", help="a pip requirement for torch, e.g. torch==2.13.0")
    parser.add_argument("--index", default="", help="an index to take torch from (TORCH_INDEX)")
    parser.add_argument("--command", action="store_true",
                        help="print the reason and the whole pip command instead (make torch-plan)")
    parser.add_argument("--pretend", choices=["no-local-wheel", "gpu", "macos"],
                        help="answer as a Linux x86-64 machine without the local wheel, one with a GPU, or a Mac would")
    args = parser.parse_args()
    pretend = {"no-local-wheel": {"system": "Linux", "machine": "x86_64", "gpu": False, "local": False},
               "gpu": {"system": "Linux", "machine": "x86_64", "gpu": True},
               "macos": {"system": "Darwin", "machine": "arm64"}}.get(args.pretend, {})
    arguments, reason = plan(args.spec, args.index, **pretend)
    if args.command:
        print(f"torch: {reason}\npip install {' '.join(arguments)}")
        return 0
    print(f"torch: {reason}", file=sys.stderr)
    print("\n".join(arguments))
    return 0


if __name__ == "__main__":
    sys.exit(main())
