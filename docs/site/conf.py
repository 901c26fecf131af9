"""Sphinx configuration of the workbook's website (make site; scripts/build_site.py stages the sources next to it).

The notebooks are rendered from their committed outputs, never re-executed (`nb_execution_mode = "off"`); the
cells tagged `validation` (parameter checks, bands, budget gates) are folded away behind a "Show code cell" toggle,
as are the `hide-input` ones. Nothing on a page loads from another site: MathJax is served from a local copy of
the npm package (docs/site/package.json, locked), widget scripts are off (the notebooks hold static snapshots of the
playgrounds), and the theme's fonts and icons ship with it.
"""

project = "lm-families"
author = "lm-families"
extensions = ["myst_nb"]
exclude_patterns = ["_build", "node_modules", "package.json", "package-lock.json", "conf.py", "**/.ipynb_checkpoints"]
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}

nb_execution_mode = "off"                     # the committed outputs are the page
nb_ipywidgets_js = {}                         # no widget manager from a CDN: the playgrounds are snapshots here
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
suppress_warnings = ["mystnb.unknown_mime_type"]

html_theme = "sphinx_book_theme"
html_title = "lm-families"
html_static_path = ["_static"]
html_theme_options = {"show_toc_level": 2, "use_download_button": False, "use_fullscreen_button": False}
html_show_sourcelink = False
html_copy_source = False
mathjax_path = "mathjax/tex-mml-chtml.js"     # relative to _static: the copy from node_modules (build_site.py)
