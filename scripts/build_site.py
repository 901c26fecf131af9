"""make site: a static website of the executed notebooks, built offline from their committed outputs.

    python scripts/build_site.py [--out runs/site]

Stages the sources in runs/site-src/ with the repository's own layout (so every relative link keeps working):
index.md (the README's opening, its notebook map and its exercise and playground sections), GLOSSARY.md, every
notebook git tracks under notebooks/ (the lessons, the exercises, the job notebook), docs/playgrounds/*.png, and
docs/site/conf.py; then runs Sphinx with myst-nb (warnings are errors) into --out. Nothing is executed: a page shows
the outputs committed with the notebook. Cells tagged `validation` are folded away (a "show" toggle opens them).
A link to a file the site does not hold (a helper's source, a test) keeps its text and loses its target; MathJax is
copied from docs/site/node_modules (npm ci, from the locked package.json) into the site's _static/.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpers.notebooks import shipped

SITE = ROOT / "docs" / "site"
MATHJAX = SITE / "node_modules" / "mathjax" / "es5"
LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)")


def section(readme: str, title: str) -> str:
    """The README's section `## title` (without its heading), up to the next `## `."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", readme, re.MULTILINE | re.DOTALL)
    if not match:
        raise SystemExit(f"README.md has no section '## {title}'")
    return match.group(1).strip()


def relink(text: str, page: Path, staged: set[Path]) -> str:
    """Keep links to what the site holds (and to other sites); a link to anything else keeps only its text."""
    def replace(match: re.Match) -> str:
        bang, label, target = match.groups()
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            return match.group(0)
        path = target.split("#", 1)[0]
        resolved = (page.parent / path).resolve()
        if resolved in staged or (resolved.is_dir() and any(s.is_relative_to(resolved) for s in staged)):
            if resolved.is_dir():             # a folder: its first notebook stands for it
                first = min(s for s in staged if s.is_relative_to(resolved))
                return f"{bang}[{label}]({Path(path) / first.relative_to(resolved)})"
            return match.group(0)
        return label
    return LINK.sub(replace, text)


def stage(src: Path) -> None:
    if src.exists():
        shutil.rmtree(src)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    notebooks = shipped()
    images = sorted((ROOT / "docs" / "playgrounds").glob("*.png"))
    staged = {p.resolve() for p in notebooks + images + [ROOT / "GLOSSARY.md", ROOT / "README.md"]}

    lessons = [p for p in notebooks if p.parent == ROOT / "notebooks"]
    exercises = [p for p in notebooks if "exercises" in p.parts]
    jobs = [p for p in notebooks if "jobs" in p.parts]
    opening = readme.split("\n## ", 1)[0]
    toctree = lambda caption, paths: (f"```{{toctree}}\n:caption: {caption}\n:maxdepth: 1\n\n"
                                      + "\n".join(str(p.relative_to(ROOT).with_suffix("")) for p in paths) + "\n```\n")
    index = (f"{opening}\n\n## The notebooks\n\n{section(readme, 'The notebooks')}\n\n"
             f"## Workbook: exercises with instant checks\n\n{section(readme, 'Workbook: exercises with instant checks')}\n\n"
             f"## Playgrounds\n\n{section(readme, 'Playgrounds: move a knob, see the model answer')}\n\n"
             + toctree("Notebooks", lessons) + "\n" + toctree("Exercises", exercises) + "\n"
             + toctree("Jobs", jobs) + "\n" + "```{toctree}\n:caption: Reference\n:maxdepth: 1\n\nGLOSSARY\n```\n")
    src.mkdir(parents=True)
    (src / "index.md").write_text(relink(index, ROOT / "README.md", staged), encoding="utf-8")
    glossary = (ROOT / "GLOSSARY.md").read_text(encoding="utf-8")
    glossary = re.sub(r"^### ", "## ", glossary, flags=re.MULTILINE)   # one entry a section (no H1 -> H3 jump)
    (src / "GLOSSARY.md").write_text(relink(glossary, ROOT / "GLOSSARY.md", staged), encoding="utf-8")
    for image in images:
        target = src / image.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(image, target)
    for path in notebooks:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for cell in notebook["cells"]:
            tags = cell.setdefault("metadata", {}).get("tags", [])
            if "validation" in tags and "hide-cell" not in tags:
                cell["metadata"]["tags"] = [*tags, "hide-cell"]
            if cell["cell_type"] == "markdown":
                text = "".join(cell["source"])
                cell["source"] = relink(text, path, staged)
        target = src / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(notebook, ensure_ascii=False), encoding="utf-8")
    shutil.copy2(SITE / "conf.py", src / "conf.py")
    if not (MATHJAX / "tex-mml-chtml.js").is_file():
        raise SystemExit(f"no MathJax in {MATHJAX}: run `npm ci --prefix docs/site` (make site does)")
    shutil.copytree(MATHJAX, src / "_static" / "mathjax")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "site", help="the site's folder (git-ignored)")
    args = parser.parse_args()
    src = ROOT / "runs" / "site-src"
    stage(src)
    if args.out.exists():
        shutil.rmtree(args.out)
    done = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(src),
                           str(args.out)], check=False)
    if done.returncode == 0:
        print(f"site in {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}/index.html")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
