"""Which machine drafts pages and feeds show, in every language the site derives.

Given the drafts fit to show (current, and passing every guard: :func:`digest.checks.drafts.shown_drafts`),
:func:`machine_texts` keeps those of the fields whose ``fallback`` is ``machine`` and adds,
for Traditional Chinese, the draft converted from the Simplified one as curator text is
(:mod:`digest.site.hant`). The result is what :func:`digest.site.merge.merge_edition` takes
as ``machine``.
"""

from __future__ import annotations

from collections.abc import Mapping

from digest.core.ids import PaperRef
from digest.core.languages import DERIVED
from digest.core.models import Site
from digest.metadata.drafts import Draft
from digest.site import hant

#: The fields a page can show a machine draft of (each is a field of the site's ``fallback``;
#: a title's draft is shown under the original title, which stays the heading).
SHOWN_FIELDS = ("abstract", "tldr", "meta_review", "title")


def machine_texts(site: Site, drafts: Mapping[PaperRef, Mapping[tuple[str, str], Draft]]
                  ) -> dict[PaperRef, dict[tuple[str, str], str]]:
    fields = {name for name in SHOWN_FIELDS if getattr(site.fallback, name) == "machine"}
    if not fields:
        return {}
    convert = None
    out: dict[PaperRef, dict[tuple[str, str], str]] = {}
    for ref, found in sorted(drafts.items()):
        for (name, lang), draft in sorted(found.items()):
            if name not in fields or lang not in site.languages:
                continue
            texts = out.setdefault(ref, {})
            texts[(name, lang)] = draft.text
            for derived, source in DERIVED.items():
                if source == lang and derived in site.languages:
                    if convert is None:
                        convert = hant.converter(site.chinese_conversion, tuple(sorted(site.chinese_terms.items())))
                    texts[(name, derived)] = convert(draft.text)
    return out
