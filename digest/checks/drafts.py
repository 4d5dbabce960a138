"""Guards on machine-drafted translations (``content/drafts/``), and what ``digest check``
reports of them (policy ``machine_translation``).

:func:`guard` gives the reasons a draft is not fit to show; a draft with any is never shown
on a page or in a feed. The guards:

* **language and script**: the checks of curator text (:mod:`digest.checks.texts`): a zh
  draft of :data:`~digest.checks.texts.MIN_JUDGED` characters or more must not read as
  English, and must hold no Traditional-only character;
* **copy-editing**: the draft must be as the CJK copywriting linter writes it (spaces
  between Chinese and Latin letters or digits, full-width punctuation);
* **kept exactly**: every TeX formula (``$…$``, ``$$…$$``, ``\\(…\\)``, ``\\[…\\]``), code span
  (`` `…` ``) and URL of the English text appears in the draft character for character, as
  often, and the draft adds none;
* **numbers**: the numbers written in digits outside those are the same set in both (none
  dropped, none added);
* **length**: a draft of an English text of :data:`MIN_RATIO_SOURCE` characters or more holds
  between :data:`MIN_RATIO` and :data:`MAX_RATIO` of its characters (spaces left out):
  Chinese takes about a third of the characters of the English it translates, so a draft far
  outside that dropped or added a passage.
"""

from __future__ import annotations

import re
from collections import Counter

from digest.checks.texts import (
    ENGLISH_BELOW,
    MIN_JUDGED,
    Reporter,
    changes,
    corrected,
    han_share,
    traditional_characters,
)
from digest.content.project import Project
from digest.core.errors import Loc, Problem
from digest.core.ids import PaperRef
from digest.core.models import PaperMeta
from digest.metadata.drafts import (
    Draft,
    DraftStore,
    curated,
    english_text,
    site_drafts,
    source_hash,
    text_lines,
)

MIN_RATIO = 0.15
MAX_RATIO = 0.9
MIN_RATIO_SOURCE = 60

_KEPT = re.compile(
    r"\$\$.+?\$\$|\$[^$\n]+\$|\\\(.+?\\\)|\\\[.+?\\\]"  # TeX
    r"|`[^`\n]+`"  # code
    r"|\bhttps?://[^\s<>()\"'，。；）]+[^\s<>()\"'，。；）.,;:!?]",  # URLs, without trailing punctuation
    re.S,
)


def kept_spans(text: str) -> Counter[str]:
    return Counter(m.group(0) for m in _KEPT.finditer(text))


def numbers(text: str) -> set[str]:
    prose = _KEPT.sub(" ", text)
    return {n.replace(",", "") for n in re.findall(r"\d+(?:[.,]\d+)*", prose)}


def guard(source: str, draft: str, lang: str = "zh", markdown: bool = False) -> list[str]:
    """Why ``draft`` (a translation of ``source`` into ``lang``) is not fit to show; [] when it is."""
    reasons: list[str] = []
    share, length = han_share(draft)
    if lang == "zh" and length >= MIN_JUDGED and share < ENGLISH_BELOW:
        reasons.append("reads as English, not Chinese")
    trad = traditional_characters(draft)
    if lang == "zh" and trad:
        reasons.append(f"Traditional characters {''.join(dict.fromkeys(ch for _, ch in trad))} in Simplified Chinese")
    fixed = corrected(draft, markdown)
    if fixed != draft:
        found = changes(draft, fixed)
        reasons.append("Chinese copy-editing: " + "; ".join(f"'{c.old}' should read '{c.new}'" for c in found[:2]))
    want, got = kept_spans(source), kept_spans(draft)
    dropped = sorted((want - got).elements())
    added = sorted((got - want).elements())
    if dropped:
        reasons.append("not kept exactly as in the English: " + ", ".join(dropped))
    if added:
        reasons.append("not in the English: " + ", ".join(added))
    lost, extra = sorted(numbers(source) - numbers(draft)), sorted(numbers(draft) - numbers(source))
    if lost:
        reasons.append("numbers dropped: " + ", ".join(lost))
    if extra:
        reasons.append("numbers added: " + ", ".join(extra))
    src_len = len(re.sub(r"\s+", "", source))
    if src_len >= MIN_RATIO_SOURCE:
        ratio = len(re.sub(r"\s+", "", draft)) / src_len
        if not MIN_RATIO <= ratio <= MAX_RATIO:
            reasons.append(f"{ratio:.2f} times the English text's length, outside {MIN_RATIO} to {MAX_RATIO}")
    return reasons


def shown_drafts(project: Project, metas: dict[PaperRef, PaperMeta], store: DraftStore | None = None
                 ) -> dict[PaperRef, dict[tuple[str, str], Draft]]:
    """The drafts fit to show: current (their English text unchanged) and passing every guard."""
    store = store or site_drafts(project.root)
    entries = {e.paper: e for ed in project.editions for e in ed.entries}
    out: dict[PaperRef, dict[tuple[str, str], Draft]] = {}
    for ref, drafts in store.load(set(entries)).items():
        meta = metas.get(ref) or metas.get(ref.unversioned)
        for key, draft in drafts.items():
            source = english_text(draft.field, entries[ref], meta)
            if source is not None and draft.source == source_hash(source) and not guard(source, draft.text, draft.lang):
                out.setdefault(ref, {})[key] = draft
    return out


def draft_problems(project: Project, metas: dict[PaperRef, PaperMeta], store: DraftStore | None = None) -> list[Problem]:
    """What ``digest check`` reports of the drafts of the project's papers."""
    store = store or site_drafts(project.root)
    report = Reporter(project.site.policies)
    entries = {e.paper: e for ed in project.editions for e in ed.entries}
    for ref in sorted(set(store.refs()) & set(entries)):
        rel = store.rel_for(ref)
        drafts = store.get(ref)
        lines = text_lines(store.path_for(ref).read_bytes())
        meta = metas.get(ref) or metas.get(ref.unversioned)
        for (_key, draft), line in zip(sorted(drafts.items()), lines, strict=False):
            loc = Loc(rel, line, 5)
            where = f"{draft.field}.{draft.lang}"
            if curated(draft.field, entries[ref], draft.lang):
                continue  # approved, or written by the curator: the draft is no longer shown or asked for
            source = english_text(draft.field, entries[ref], meta)
            if source is None or draft.source != source_hash(source):
                report("machine_translation", loc, where, "the English text has changed since this draft was made",
                       "run digest translate to draft it again")
                continue
            for reason in guard(source, draft.text, draft.lang):
                report("machine_translation", loc, where, f"machine draft not shown: {reason}",
                       "run digest translate to ask again, or write the translation in the edition yourself")
    return report.problems
