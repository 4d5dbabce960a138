"""HTML an export puts into its template as it is, held out of the template's way.

An export's template is autoescaped, and what the export puts into it (a curator note
rendered from Markdown and made pasteable) is HTML already: it stands in the template as a
mark (letters and digits, which escaping leaves alone) and is put back afterwards, once the
template's own line breaks between tags are gone. The line breaks inside the held HTML are
the reader's (a space in a sentence, a line of a code block) and are kept.

Only HTML the site's sanitiser made (:mod:`digest.site.render`) is held, so markup is still
made in one place only. A mark carries a random key, so no text of an edition can stand for
one; the key never reaches the output, which stays the same bytes run after run.
"""

from __future__ import annotations

import re
import secrets

_BETWEEN_TAGS = re.compile(r">\s*\n\s*<")
#: A mark made a tag for a moment (escaped template output holds no ``<`` of its own before a digit).
_AS_TAG = re.compile(r"<(\d+)>")


class Held:
    """The HTML held for one rendering."""

    def __init__(self) -> None:
        self._key = secrets.token_hex(8)
        self._kept: list[str] = []
        self._mark = re.compile(rf"digestheld{self._key}n(\d+)x")

    def hold(self, html: str) -> str:
        """The mark that stands for ``html`` in the template."""
        self._kept.append(str(html))
        return f"digestheld{self._key}n{len(self._kept) - 1}x"

    def release(self, rendered: str) -> str:
        """``rendered`` without the line breaks between its tags (a mark counts as a tag), each
        mark replaced by the HTML it holds."""
        as_tags = self._mark.sub(r"<\g<1>>", rendered)  # a mark stands where a tag would
        return _AS_TAG.sub(lambda m: self._kept[int(m.group(1))], _BETWEEN_TAGS.sub("><", as_tags).strip())

    def put_back(self, rendered: str) -> str:
        """``rendered`` as it is, each mark replaced by the HTML it holds."""
        return self._mark.sub(lambda m: self._kept[int(m.group(1))], rendered)
