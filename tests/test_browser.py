"""JupyterLab in a real browser, as a learner meets it: Debian's headless Chromium driven by Playwright.

One JupyterLab on a loopback port serves a copy of the notebooks (so nothing it saves touches the repository),
with LMF_PROGRESS=1 as `make lab` sets it, so the playgrounds are live. The test runs 00 top to bottom and
asserts that no cell wrote to stderr; then, for each playground, it runs its notebook up to the playground
cell, operates the controls (types a prompt, moves a slider, picks a head) and asserts that the output
follows. A screenshot of each playground goes to runs/browser/ (docs/playgrounds/ holds the README's copies).
Playwright never downloads a browser here: it drives an installed Chromium or Chrome, found by find_browser()
($LMF_BROWSER, else the usual names on PATH, else the usual paths; `make browser` looks in the same order and
installs Debian's chromium when it finds none and may: as root, or with sudo that asks no password).
"""

from __future__ import annotations

import base64
import io
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "runs" / "browser"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]

# where distributions put Chromium or Chrome (the Makefile's CHROMIUM_NAMES and CHROMIUM_PATHS, in the same order)
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
BROWSER_PATHS = ("/usr/bin/chromium", "/usr/lib/chromium/chromium", "/snap/bin/chromium",
                 "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
                 "/Applications/Chromium.app/Contents/MacOS/Chromium")


def find_browser() -> str | None:
    """$LMF_BROWSER (a name on PATH or a path) when set, else the first of BROWSER_NAMES on PATH, else the first of
    BROWSER_PATHS that is executable; None when there is none."""
    if wanted := os.environ.get("LMF_BROWSER"):
        return shutil.which(wanted)
    found = (shutil.which(name) for name in BROWSER_NAMES)
    return next((path for path in found if path), None) or \
        next((path for path in BROWSER_PATHS if os.access(path, os.X_OK)), None)


BROWSER = find_browser()
NO_BROWSER = (f"LMF_BROWSER={os.environ.get('LMF_BROWSER')!r} is not an executable (a name on PATH or a path)"
              if os.environ.get("LMF_BROWSER") else
              f"no Chromium or Chrome: looked for $LMF_BROWSER, then {', '.join(BROWSER_NAMES)} on PATH, then "
              f"{', '.join(BROWSER_PATHS)}. Install one (Debian: apt-get install chromium, which `make test` does as "
              "root or with password-less sudo; Fedora: dnf install chromium; macOS: brew install --cask chromium) "
              "or set LMF_BROWSER to a Chromium-based browser")
pytestmark = pytest.mark.skipif(BROWSER is None, reason=NO_BROWSER)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The copies' own budgets where a playground needs less than the lesson: 05's choice playground is tested for how it
# moves through the stories, not for what its head has learnt (05's asserts hold that), and the two fine-tunes
# before it are most of the time of running 05 up to it (the screenshot then shows a briefly trained head).
BUDGETS = {"05_task_heads.ipynb": {"head_steps": 10}}


def with_budgets(path: Path, values: dict) -> None:
    """Set `values` in the copy's parameters cell (`name = value` lines), as a learner edits it."""
    import json

    notebook = json.loads(path.read_text(encoding="utf-8"))
    [cell] = [c for c in notebook["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    source = "".join(cell["source"])
    for name, value in values.items():
        source, found = re.subn(rf"^{name} = [^#\n]*?(\s*#|$)", rf"{name} = {value!r}\1", source, count=1,
                                flags=re.MULTILINE)
        assert found == 1, f"{path.name}: no '{name} = ' line in the parameters cell"
    cell["source"] = source
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", folder / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for name, values in BUDGETS.items():
        with_budgets(folder / "notebooks" / name, values)
    port, token = free_port(), secrets.token_hex(16)
    (folder / "config" / "labconfig").mkdir(parents=True)     # no "Jupyter news?" prompt over the screenshots
    (folder / "config" / "labconfig" / "page_config.json").write_text(
        '{"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": true}}')
    env = {k: v for k, v in os.environ.items() if k != "HF_HUB_DISABLE_PROGRESS_BARS"}    # set by helpers under pytest
    env |= {"LMF_PROGRESS": "1", "OMP_NUM_THREADS": "1", "JUPYTER_CONFIG_DIR": str(folder / "config")}
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={folder / 'notebooks'}",
               "--LabApp.expose_app_in_browser=True", "--ServerApp.disable_check_xsrf=True"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.5)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=BROWSER, args=FLAGS)
        yield browser, url, token
        browser.close()
    server.terminate()
    server.wait(timeout=30)


# the notebook's panel, found by its path (JupyterLab may restore other tabs around it)
PANEL = """const panelFor = (name) => {
    if (!window.jupyterapp) { return null; }
    for (const w of window.jupyterapp.shell.widgets('main')) { if (w.context && w.context.path === name) { return w; } }
    return null; };"""


def js(body: str) -> str:
    """A page function of (args) with `panel` bound to the notebook's panel."""
    return f"(args) => {{ {PANEL} const panel = panelFor(args.name); {body} }}"


def open_notebook(lab, name):
    browser, url, token = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(f"{url}/lab/tree/{name}?reset&token={token}")
    page.wait_for_function(js("return !!(panel && panel.sessionContext.session "
                              "&& panel.sessionContext.session.kernel "
                              "&& panel.sessionContext.session.kernel.status === 'idle' "
                              "&& panel.content.widgets.length > 3);"), arg={"name": name}, timeout=90_000)
    page.notebook_name = name
    return page


def run_through(page, cell_text: str | None = None, timeout_s: int = 150) -> int:
    """Run every cell (cell_text None) or every cell up to and including the first code cell containing cell_text."""
    args = {"name": page.notebook_name, "text": cell_text}
    index = page.evaluate(js("""const cells = panel.content.widgets;
        if (args.text === null) { return cells.length - 1; }
        return cells.findIndex(c => c.model.type === 'code' && c.model.sharedModel.getSource().includes(args.text));"""),
        args)
    assert index >= 0, f"no cell contains {cell_text!r}"
    args["index"] = index
    # the copies carry the committed execution counts: cleared first, so only this run's counts end the wait
    page.evaluate(js("""panel.content.widgets.forEach(c => { if (c.model.type === 'code') { c.model.executionCount = null; }});
        panel.content.activeCellIndex = args.index;        // started here, awaited below
        window.jupyterapp.commands.execute('notebook:run-all-above')
            .then(() => window.jupyterapp.commands.execute('notebook:run-cell'));"""), args)
    cells = "panel.content.widgets.slice(0, args.index + 1).filter(c => c.model.type === 'code')"
    errors = f"""{cells}.flatMap(c => c.model.outputs.toJSON().filter(o => o.output_type === 'error')
        .map(o => o.ename + ': ' + o.evalue))"""
    page.wait_for_function(js(f"""if ({errors}.length) {{ return true; }}     // the cells after it never run
        return panel.sessionContext.session.kernel.status === 'idle' && {cells}.every(c => c.model.executionCount !== null);"""),
        arg=args, timeout=timeout_s * 1000, polling=250)
    raised = page.evaluate(js(f"return {errors};"), args)
    assert not raised, f"a cell of {page.notebook_name} raised {raised[0]}"
    return index


def output_text(page, index: int) -> str:
    return page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".jp-Cell-outputArea").first.inner_text()


def wait_for_change(page, index: int, before: str, pattern: str = "", timeout_s: float = 60) -> str:
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        text = output_text(page, index)
        if text != before and re.search(pattern, text) and "static snapshot" not in text:
            return text
        page.wait_for_timeout(300)
    raise AssertionError(f"the output did not change as expected ({pattern!r}); it shows:\n{output_text(page, index)}")


def figures(page, index: int) -> tuple[str, list[str]]:
    """The output area's text and the data URLs of its images (matplotlib's PNGs), read at one moment."""
    area = page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".jp-Cell-outputArea").first
    return tuple(area.evaluate("a => [a.innerText, Array.from(a.querySelectorAll('img'), i => i.src)]"))


def wait_for_figure(page, index: int, before: str, pattern: str, timeout_s: float = 60) -> tuple[str, str]:
    """The text and the figure once the text matches `pattern` and one figure other than `before` shows: the
    output re-renders asynchronously (the text first, then the image), so the text alone does not say the picture
    is there."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        text, images = figures(page, index)
        if re.search(pattern, text) and "static snapshot" not in text and len(images) == 1 and images[0] != before:
            return text, images[0]
        page.wait_for_timeout(300)
    text, images = figures(page, index)
    raise AssertionError(f"no new figure with {pattern!r} ({len(images)} images, "
                         f"{sum(i == before for i in images)} the one before); the output shows:\n{text}")


def heatmap(data_url: str):
    """The colored pixels of a figure, cropped to where they are: viridis (the heatmap and its colorbar) is
    saturated everywhere, text and axes are grey or black, so the title and tick labels drop out (the whole PNG
    differs with the title alone, whatever the weights)."""
    import numpy as np
    from PIL import Image

    header, _, data = data_url.partition(",")
    assert header == "data:image/png;base64", header[:40]
    rgb = np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")).astype(int)
    colored = rgb.max(axis=-1) - rgb.min(axis=-1) > 40
    if colored.mean() < 0.05:                                 # a heatmap fills a third or more; kept for a look
        SHOTS.mkdir(parents=True, exist_ok=True)
        (SHOTS / "no_heatmap.png").write_bytes(base64.b64decode(data))
        raise AssertionError(f"{colored.sum()} colored pixels of {colored.size}: no heatmap in this figure "
                             f"({SHOTS / 'no_heatmap.png'})")
    rows, cols = np.flatnonzero(colored.any(axis=1)), np.flatnonzero(colored.any(axis=0))
    crop = (slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))
    return np.where(colored[crop][..., None], rgb[crop], 255)


def same_heatmap(a: str, b: str) -> bool:
    """Whether two figures draw the same heatmap: no pixel of it visibly apart (> 40 of 255 in a channel) but for a
    few at the edges, which a layout moved by a fraction of a pixel anti-aliases otherwise (a longer title: up to
    26). One cell of another weight changes hundreds of pixels, another head thousands."""
    x, y = heatmap(a), heatmap(b)
    return x.shape == y.shape and int((abs(x - y).max(axis=-1) > 40).sum()) < 50


def kept(name: str, **figures: str) -> str:
    """Writes figures (data URLs) to runs/browser/, for a look at a failure, and says where."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, url in figures.items():
        (SHOTS / f"{name}_{label}.png").write_bytes(base64.b64decode(url.partition(",")[2]))
    return f"(the figures: {SHOTS}/{name}_{{{','.join(figures)}}}.png)"


def shoot(page, index: int, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".jp-Notebook .jp-Cell").nth(index).screenshot(path=str(SHOTS / f"{name}.png"))


def set_slider(cell, description: str, value) -> None:
    """Type a value into an ipywidgets slider's readout, as a learner can."""
    readout = cell.locator(".widget-slider", has_text=description).locator(".widget-readout")
    readout.click()
    readout.press("Control+A")
    readout.type(str(value))
    readout.press("Enter")


def test_00_runs_top_to_bottom_with_no_error_and_nothing_on_stderr(lab):
    page = open_notebook(lab, "00_start_here.ipynb")
    run_through(page, None)
    stderr = page.evaluate(js("""const found = [];
        panel.content.widgets.forEach((cell, i) => { if (cell.model.type === 'code') {
            cell.model.outputs.toJSON().forEach(o => { if (o.name === 'stderr') { found.push([i, o.text]); } }); } });
        return found;"""), {"name": "00_start_here.ipynb"})
    assert stderr == [], stderr[:3]
    assert page.locator(".jp-OutputArea-output", has_text="Traceback").count() == 0
    page.close()


def test_generation_playground_follows_the_prompt_and_the_temperature(lab):
    page = open_notebook(lab, "02_causal_lm.ipynb")
    index = run_through(page, "generation_playground(model")
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.locator(".widget-dropdown select").wait_for(timeout=30_000)

    def continuation(text):
        return re.search(r": '(.*)'\n", text).group(1)
    first = wait_for_change(page, index, "", r"greedy: '.*'\n")
    prompt = cell.locator(".widget-text input")
    prompt.fill("the blue dog is in the")
    prompt.press("Enter")
    typed = wait_for_change(page, index, first, r"greedy: '.*'\n")
    assert continuation(typed) != continuation(first)          # another prompt, another greedy continuation
    cell.locator(".widget-dropdown select").select_option("sampling")
    cold = wait_for_change(page, index, typed, r"sampling \(temperature 1\.0.*\): '.*'\n")
    set_slider(cell, "temperature", 2.0)
    hot = wait_for_change(page, index, cold, r"sampling \(temperature 2\.0.*\): '.*'\n")
    assert continuation(hot) != continuation(cold)             # same seed, hotter distribution: another text
    shoot(page, index, "generation")
    page.close()


def test_fill_mask_playground_puts_the_answer_first(lab):
    from helpers.world import TinyWorld

    item = TinyWorld(seed=0).mask_items("test", "right")[3]
    page = open_notebook(lab, "03_masked_lm.ipynb")
    index = run_through(page, "fill_mask_playground(bert")
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    first = wait_for_change(page, index, "", r"BERT's top guess")
    box = cell.locator(".widget-text input")
    box.fill(item.text("[MASK]"))
    box.press("Enter")
    text = wait_for_change(page, index, first, rf"BERT's top guess: '{item.answer}'")
    assert "GPT-2 from" in text
    shoot(page, index, "fill_mask")
    page.close()


@pytest.mark.parametrize("notebook, call, name", [
    ("01_three_families.ipynb", "attention_playground(gpt", "attention_gpt2"),
    ("04_seq2seq.ipynb", "attention_playground(t5", "attention_t5"),
])
def test_attention_playground_title_and_heatmap_follow_the_head(lab, notebook, call, name):
    page = open_notebook(lab, notebook)
    index = run_through(page, call)
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    _, first = wait_for_figure(page, index, "", r"attention, layer 0, head 0")
    set_slider(cell, "head", 1)
    _, second = wait_for_figure(page, index, first, r"attention, layer 0, head 1")
    assert not same_heatmap(first, second), \
        f"heads 0 and 1 of layer 0 draw the same weights {kept(name, h0=first, h1=second)}"
    set_slider(cell, "layer", 1)
    _, third = wait_for_figure(page, index, second, r"attention, layer 1, head 1")
    assert not same_heatmap(second, third), \
        f"head 1 of layers 0 and 1 draws the same weights {kept(name, l0=second, l1=third)}"
    shoot(page, index, name)
    set_slider(cell, "layer", 0)                 # back: the same weights, the same heatmap (the test of the test)
    _, again = wait_for_figure(page, index, third, r"attention, layer 0, head 1")
    assert same_heatmap(again, second), \
        f"the same head drew another heatmap the second time {kept(name, before=second, again=again)}"
    page.close()


def test_choice_playground_moves_through_the_stories(lab):
    page = open_notebook(lab, "05_task_heads.ipynb")
    index = run_through(page, "choice_playground(", timeout_s=240)
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    first = wait_for_change(page, index, "", r"story 0: .*\nchoice head picks")
    set_slider(cell, "story", 3)
    second = wait_for_change(page, index, first, r"story 3: .*\nchoice head picks")

    def story(text):
        return re.search(r"story \d+: (.*)", text).group(1)
    assert story(second) != story(first)                              # another story, another context
    shoot(page, index, "multiple_choice")
    page.close()


GREEDY_ONE_SHORT = '''def greedy(model, tokenizer, prompt, n):
    ids = tokenizer(tokenizer.bos_token + prompt, return_tensors="pt").input_ids
    new = []
    for _ in range(n - 1):
        next_id = model(ids).logits[0, -1].argmax()
        new.append(next_id.item())
        ids = torch.cat([ids, next_id.view(1, 1)], dim=1)
    return new'''


def test_a_learner_fills_a_stub_in_the_workbook_and_sees_the_verdict(lab):
    page = open_notebook(lab, "exercises/02_causal_lm_exercises.ipynb")
    check = run_through(page, "ex02.greedy.check(greedy)")
    assert "not attempted" in output_text(page, check)
    stub = page.locator(".jp-Notebook .jp-Cell").nth(check - 1)
    for answer, verdict in ((GREEDY_ONE_SHORT, "✗ wrong: 2 new tokens where n = 3 were asked"),
                            (GREEDY_ONE_SHORT.replace("range(n - 1)", "range(n)"), "✓ correct")):
        before = output_text(page, check)
        stub.locator(".cm-content").click()
        page.keyboard.press("Control+A")
        page.keyboard.insert_text(answer)
        page.keyboard.press("Shift+Enter")                        # run the stub; the check cell is next
        page.keyboard.press("Shift+Enter")
        text = wait_for_change(page, check, before, re.escape(verdict), timeout_s=60)
        print(text.strip().splitlines()[-1])                      # the exact line the learner sees
    shoot(page, check, "workbook_check")
    page.close()
