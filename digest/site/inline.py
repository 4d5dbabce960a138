"""CSS inlining for the exports (the only module using css-inline).

Exports that are pasted into an editor or sent as email carry their styles in ``style``
attributes: this module writes a stylesheet into a fragment with css-inline, never
loading a remote stylesheet (an export is built from the project alone), and leaves no
``<style>`` or ``<link>`` element behind.
"""

from __future__ import annotations

import css_inline

_INLINER = css_inline.CSSInliner(
    load_remote_stylesheets=False,
    keep_style_tags=False,
    keep_link_tags=False,
)


def inline(fragment: str, css: str) -> str:
    """``fragment`` (HTML without <html>/<head>) with the rules of ``css`` in its ``style`` attributes."""
    return _INLINER.inline_fragment(fragment, css)
