"""Widget views on top of labkit's pure core: one small class per screen, shared parts written once.

Importing this package readies a page kernel while it is preheated, before its learner arrives.
"""

import sys

# jsonschema (pulled in by nbformat, which plotly loads to display a figure) checks IRIs with
# rfc3987_syntax when it is installed; that module compiles 39 grammars when imported, about 4 s of
# CPU in every page kernel on a small machine. Pages never validate IRIs: leave that check out.
sys.modules.setdefault("rfc3987_syntax", None)

import plotly.io._renderers  # noqa: E402,F401 - the figure display path, loaded during preheating
