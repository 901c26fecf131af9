"""The website that `make site` builds (scripts/build_site.py): nothing on it comes from another site, and in a real
browser its pages show their pictures and typeset their formulas.

`make site` builds runs/site/ and then runs this file; `make test` skips it where no site was built (the site needs
the `site` extra and npm, which the test environment does not install). The browser is the one tests/test_browser.py
finds; the site is served on a loopback port, and every request for anything else is aborted and recorded.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path

import pytest

from tests.test_browser import BROWSER, FLAGS

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "runs" / "site"
SHOTS = ROOT / "runs" / "site-shots"
pytestmark = pytest.mark.skipif(not (SITE / "index.html").is_file(), reason="no site built: `make site` builds it")

# what a page loads by itself: src=, <link href=> (stylesheets, icons, preloads), CSS url(); an <a href> is a link the
# reader may click and may point anywhere
LOADED = [re.compile(r"""\bsrc\s*=\s*["']([^"']+)"""), re.compile(r"""<link\b[^>]*\bhref\s*=\s*["']([^"']+)"""),
          re.compile(r"""url\(\s*["']?([^"')]+)""")]
OFF_SITE = re.compile(r"^(https?:)?//", re.IGNORECASE)


def test_every_page_and_stylesheet_loads_only_files_of_the_site():
    files = [p for p in SITE.rglob("*") if p.suffix in (".html", ".css")]
    assert len([p for p in files if p.suffix == ".html"]) >= 20, "a page per notebook, exercise, glossary, index"
    off = sorted({(str(p.relative_to(SITE)), ref) for p in files for pattern in LOADED
                  for ref in pattern.findall(p.read_text(encoding="utf-8", errors="replace")) if OFF_SITE.match(ref)})
    assert off == [], off[:10]


@pytest.fixture(scope="module")
def served():
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(SITE))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.skipif(BROWSER is None, reason="no Chromium or Chrome (tests/test_browser.py says how to install one)")
@pytest.mark.parametrize("page_path, formulas, folded", [
    ("index.html", False, False),                          # the map and the playground screenshots
    ("notebooks/02_causal_lm.html", True, True),           # NLL and perplexity as formulas; a validation cell
    ("notebooks/03_masked_lm.html", True, True),
    ("notebooks/05_task_heads.html", False, True),         # the heads' loss curves (images)
    ("GLOSSARY.html", False, False),
])
def test_a_page_in_a_browser_requests_nothing_off_site_shows_its_images_and_typesets_its_formulas(
        served, page_path, formulas, folded):
    from playwright.sync_api import sync_playwright

    external = []

    def route(request_route):
        url = request_route.request.url
        if url.startswith((served, "data:", "blob:", "about:")):
            request_route.continue_()
        else:
            external.append(url)
            request_route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=BROWSER, args=FLAGS)
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        page.route("**/*", route)
        page.goto(f"{served}/{page_path}", wait_until="networkidle")
        images = page.evaluate("""() => [...document.images].map(i => [i.getAttribute('src'), i.complete && i.naturalWidth > 0])""")
        if formulas:
            page.wait_for_function("() => document.querySelectorAll('mjx-container').length > 0", timeout=30_000)
        typeset = page.evaluate("() => document.querySelectorAll('mjx-container').length")
        raw = page.evaluate("() => [...document.querySelectorAll('.math')].filter(m => !m.querySelector('mjx-container')).length")
        details = page.evaluate("() => document.querySelectorAll('details.hide').length")
        SHOTS.mkdir(parents=True, exist_ok=True)
        name = page_path.replace("/", "_").replace(".html", "")
        page.screenshot(path=str(SHOTS / f"{name}.png"))
        if formulas:                                            # and where the first formula is
            page.locator("mjx-container").first.scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / f"{name}_formula.png"))
        browser.close()
    assert external == [], external[:5]
    assert images or page_path == "GLOSSARY.html", "a page of this list without a picture"
    assert all(loaded for _, loaded in images), [src for src, loaded in images if not loaded]
    if formulas:
        assert typeset > 0 and raw == 0, f"{typeset} formulas typeset, {raw} left as TeX"
    if folded:
        assert details > 0, "the validation cells are folded away (myst-nb's hide-cell)"
