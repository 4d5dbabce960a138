"""Checks of what curators wrote, beyond its shape: language, script, copy-editing, links.

``digest check`` runs these after the files have loaded without errors:

* **language** (policy ``wrong_language``): a Markdown text (note, intro, abstract,
  meta-review gist, caption, description) of at least :data:`MIN_JUDGED` characters that
  reads as the other language: English under ``zh`` or ``zh-Hant``, Chinese under ``en``. With two
  languages written in different scripts, the script says the language: we count Han
  characters and Latin words (URLs, code and link targets left out). A ``zh`` text where
  Han characters are under :data:`ENGLISH_BELOW` of the two reads as English; an ``en``
  text where they are over :data:`CHINESE_ABOVE` reads as Chinese. Chinese technical
  prose full of English terms (Adam, ResNet-50, ImageNet) stays far above the first
  threshold; an English note quoting a Chinese term stays far below the second. This is
  a documented character-class rule, not a statistical language model: it needs no model
  file, runs offline and gives the same answer every time.
* **script** (policies ``traditional_characters`` and ``simplified_characters``):
  Traditional-only characters in a ``zh`` text (the site's Chinese is Simplified, zh-Hans),
  Simplified-only ones in a ``zh-Hant`` text (a curator's override of the conversion), found
  with ``hanzidentifier`` and its CC-CEDICT character sets.
* **copy-editing** (policy ``copyediting``): every ``zh`` and ``zh-Hant`` text is run through ``autocorrect``
  (the CJK copywriting linter, Markdown-aware for Markdown fields): spaces between Chinese
  and Latin letters or digits, full-width punctuation in Chinese sentences. ``digest check
  --fix`` applies its changes (see :mod:`digest.checks.fix`).
* **links** (policies ``dangerous_link`` and ``relative_link``): see :mod:`digest.checks.links`.
* **empty categories** (policy ``empty_category``): a category no published edition uses.
* **control characters** (policy ``control_characters``): in any text of a file, the
  characters pages and feeds never carry and drop (:func:`digest.core.text.printable`): C0 and
  C1 controls other than tab and line breaks, which YAML lets in only as escapes in double
  quotes (``"\\a"``, ``"\\x1b"``), and the invisible format characters that reorder or hide
  text (bidi controls such as U+202E, the zero-width space). ``digest check --fix`` removes them.

Texts that still hold a ``<<placeholder>>`` are not judged (for anything but control characters).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import autocorrect_py
import hanzidentifier

from digest.checks.links import link_problems
from digest.content import yamlload as Y
from digest.content.project import SITE_FILE, Project
from digest.content.sourcemap import SourceMap, line_starts, loc_at, source_map
from digest.content.validate import PLACEHOLDER
from digest.core import citations
from digest.core.errors import Loc, Problem
from digest.core.kinds import CATEGORIES_FILE
from digest.core.models import Categories, Edition, Policies, Site, fields_of
from digest.core.text import HAN, HAN_CHAR, named, printable

#: The languages written in Chinese: a curator's zh-Hant text (an override of the
#: conversion) is checked like a zh one.
CHINESE = ("zh", "zh-Hant")
#: Texts shorter than this (in characters, after leaving out URLs and code) are not judged
#: for language: a short text is often a name or a term that reads the same in both.
MIN_JUDGED = 20
#: A zh text whose share of Han characters (among Han characters and Latin words) is below this reads as English.
ENGLISH_BELOW = 0.3
#: An en text whose share of Han characters is above this reads as Chinese.
CHINESE_ABOVE = 0.5
#: How many copy-editing changes a message shows before "and N more".
SHOWN_CHANGES = 2
#: Edits this close (in characters) are shown as one change, with this much context around it.
NEARBY = 4
CONTEXT = 3

_WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")
_NOT_PROSE = re.compile(r"`[^`\n]*`|\]\([^)\n]*\)|<[^>\n]*>|\b[a-zA-Z][a-zA-Z0-9+.-]*://\S+")


@dataclass(frozen=True)
class Text:
    """One curated text in one language, with where each of its characters is written."""

    rel: str
    path: str  # entries[0].note.zh
    lang: str
    markdown: bool
    node: Y.Node
    smap: SourceMap | None
    starts: tuple[int, ...]

    @property
    def value(self) -> str:
        return self.node.value

    def loc(self, index: int = 0) -> Loc:
        return loc_at(self.rel, list(self.starts), self.node, self.smap, index)


@dataclass(frozen=True)
class Source:
    """A curated file as parsed for these checks: its text (LF line ends) and root node."""

    rel: str
    path: Path
    text: str
    root: Y.Node
    model: type

    def texts(self) -> list[Text]:
        starts = tuple(line_starts(self.text))
        return [Text(self.rel, path, lang, markdown, node, source_map(self.text, list(starts), node), starts)
                for path, lang, markdown, node in localized_nodes(self.root, self.model, "")]

    def scalars(self) -> list[Text]:
        """Every text of the file: the texts per language (as :meth:`texts`), then every other
        string value (``conference``, ``author``, …), with no language."""
        starts = tuple(line_starts(self.text))
        localized = self.texts()
        seen = {id(text.node) for text in localized}
        others = [Text(self.rel, path, "", False, node, source_map(self.text, list(starts), node), starts)
                  for path, node in scalar_nodes(self.root, "") if id(node) not in seen and node.tag == Y.STR]
        return localized + others


def read_source(root: Path, rel: str, model: type) -> Source | None:
    """Parse one curated file again (it loaded before, so it parses); None if it cannot be read."""
    path = Path(root) / rel
    doc = Y.read(path, rel)
    if doc.root is None:
        return None
    text = path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    return Source(rel, path, text, doc.root, model)


def project_files(project: Project) -> list[tuple[str, type]]:
    """The site file, the categories file and every edition file of a loaded project, each
    with its model."""
    wanted = [(SITE_FILE, Site), (CATEGORIES_FILE, Categories)]
    return wanted + [(ed.loc.file, Edition) for ed in sorted(project.editions, key=lambda e: e.loc.file)]


def project_sources(project: Project) -> list[Source]:
    """The site file, the categories file and every edition file of a loaded project, parsed."""
    return [s for rel, model in project_files(project) if (s := read_source(project.root, rel, model)) is not None]


def localized_nodes(node: Y.Node, cls: type, path: str) -> Iterator[tuple[str, str, bool, Y.Node]]:
    """``(field path, language, is Markdown, scalar node)`` of every text-per-language value."""
    if not Y.is_mapping(node):
        return
    specs = {f.name: f for f in fields_of(cls)}
    for key, value in node.value:
        spec = specs.get(key.value) if Y.is_scalar(key) else None
        if spec is None:
            continue
        kind, here = spec.metadata["kind"], f"{path}.{key.value}" if path else key.value
        if kind.localized and Y.is_mapping(value):
            for lang, text in value.value:
                if Y.is_scalar(text) and not Y.is_null(text):
                    yield f"{here}.{lang.value}", lang.value, kind.markdown, text
        elif kind.model is not None and not kind.many:
            yield from localized_nodes(value, kind.model, here)
        elif kind.model is not None and Y.is_sequence(value):
            for i, item in enumerate(value.value):
                yield from localized_nodes(item, kind.model, f"{here}[{i}]")


def scalar_nodes(node: Y.Node, path: str) -> Iterator[tuple[str, Y.Node]]:
    """``(field path, scalar node)`` of every value below ``node`` (mapping keys left out)."""
    if Y.is_scalar(node):
        yield path, node
    elif Y.is_mapping(node):
        for key, value in node.value:
            yield from scalar_nodes(value, f"{path}.{key.value}" if path else str(key.value))
    elif Y.is_sequence(node):
        for i, item in enumerate(node.value):
            yield from scalar_nodes(item, f"{path}[{i}]")




# ----------------------------------------------------------------------------- the checks


#: The policies of these checks, by check (a check is not run when no level it can report at is wanted).
POLICIES = {
    "language": ("wrong_language",),
    "script": ("traditional_characters", "simplified_characters"),
    "copyediting": ("copyediting",),
    "links": ("dangerous_link", "relative_link", "image_in_text"),
    "controls": ("control_characters",),
    "categories": ("empty_category",),
    "references": ("dangling_reference",),
}
LEVELS = ("error", "warning")


class Reporter:
    """Collects problems, each at the level its policy sets (nothing when ``ignore``, nor
    when the level is not one of ``levels``)."""

    def __init__(self, policies: Policies, levels: tuple[str, ...] = LEVELS):
        self.policies = policies
        self.levels = levels
        self.problems: list[Problem] = []

    def wants(self, check: str) -> bool:
        """Whether a problem of ``check`` (a key of :data:`POLICIES`) would be kept."""
        return any(getattr(self.policies, policy) in self.levels for policy in POLICIES[check])

    def __call__(self, policy: str, loc: Loc, field: str, message: str, hint: str) -> None:
        level = getattr(self.policies, policy)
        if level in self.levels:
            self.problems.append(Problem(loc, field, message, hint, severity=level))


def han_share(text: str) -> tuple[float, int]:
    """Share of Han characters among Han characters and Latin words, and the prose's length."""
    prose = _NOT_PROSE.sub(" ", text)
    han, words = len(HAN_CHAR.findall(prose)), len(_WORD.findall(prose))
    length = len(re.sub(r"\s+", "", prose))
    return (han / (han + words) if han + words else 0.0), length


def language_problem(text: Text, report: Reporter) -> None:
    share, length = han_share(text.value)
    if not text.markdown or length < MIN_JUDGED:
        return
    if text.lang in CHINESE and share < ENGLISH_BELOW:
        report("wrong_language", text.loc(), text.path, "reads as English, not Chinese",
               "move it under en: and write the Chinese text here")
    elif text.lang == "en" and share > CHINESE_ABOVE:
        report("wrong_language", text.loc(), text.path, "reads as Chinese, not English",
               "move it under zh: and write the English text here")


def _only_in(value: str, script: int) -> list[tuple[int, str]]:
    """``(index, character)`` of each character of ``value`` that exists only in ``script``
    (hanzidentifier's TRADITIONAL or SIMPLIFIED, from CC-CEDICT)."""
    return [(i, ch) for i, ch in enumerate(value) if HAN_CHAR.match(ch) and hanzidentifier.identify(ch) == script]


def traditional_characters(value: str) -> list[tuple[int, str]]:
    """``(index, character)`` of each Traditional-only character."""
    return _only_in(value, hanzidentifier.TRADITIONAL)


def simplified_characters(value: str) -> list[tuple[int, str]]:
    """``(index, character)`` of each Simplified-only character."""
    return _only_in(value, hanzidentifier.SIMPLIFIED)


#: Per Chinese language: the script it must not hold, its policy, the words of the message and hint.
_WRONG_SCRIPT = {
    "zh": (hanzidentifier.TRADITIONAL, "traditional_characters", "Traditional characters {} in Simplified Chinese text",
           "write them in Simplified form: the site's Chinese is zh-Hans"),
    "zh-Hant": (hanzidentifier.SIMPLIFIED, "simplified_characters", "Simplified characters {} in Traditional Chinese text",
                "write them in Traditional form, or drop the zh-Hant text to have it converted from zh"),
}


def script_problem(text: Text, report: Reporter) -> None:
    if text.lang not in _WRONG_SCRIPT:
        return
    script, policy, message, hint = _WRONG_SCRIPT[text.lang]
    found = _only_in(text.value, script)
    if found:
        chars = "".join(dict.fromkeys(ch for _, ch in found))
        report(policy, text.loc(found[0][0]), text.path, message.format(chars), hint)


#: A Chinese date or date range, such as 2018年1月5日, 4月24日至26日 or 1月底, spaced or not.
_DATE = re.compile(
    r"(?:\d{4} ?年 ?)?\d{1,2} ?月(?: ?\d{1,2} ?[日号])?(?: ?[至到～~\-–] ?(?:\d{1,2} ?月 ?)?\d{1,2} ?[日号])?"
)


def corrected(value: str, markdown: bool) -> str:
    """``value`` as the CJK copywriting linter would write it (Markdown-aware for Markdown),
    except for the house rule on dates: a Chinese date is set solid, 2018年1月5日, as Babel
    writes it on the pages, with no space between it and the Chinese around it."""
    text = autocorrect_py.format_for(value, "md") if markdown else autocorrect_py.format(value)
    text = _DATE.sub(lambda m: m.group(0).replace(" ", ""), text)
    text = re.sub(rf"(?<={HAN}) (?=\d{{1,4}}[年月])", "", text)
    return re.sub(rf"(?<=[年月日号]) (?={HAN})", "", text)


@dataclass(frozen=True)
class Change:
    """One run of nearby edits: where it starts in the old text, and the before and after."""

    index: int
    old: str
    new: str


def changes(old: str, new: str) -> list[Change]:
    """The differences between ``old`` and ``new``: nearby edits grouped, a little context around each."""
    ops = [op for op in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes() if op[0] != "equal"]
    groups: list[list[int]] = []
    for _, i1, i2, j1, j2 in ops:
        if groups and i1 - groups[-1][1] <= NEARBY:
            groups[-1][1], groups[-1][3] = i2, j2
        else:
            groups.append([i1, i2, j1, j2])
    found = []
    for i1, i2, j1, j2 in groups:
        a, b = _context_start(old, i1), _context_end(old, i2)
        found.append(Change(i1, old[a:b], new[j1 - (i1 - a):j2 + (b - i2)]))
    return found


def _context_start(text: str, i: int) -> int:
    """Where the context before index ``i`` starts: CONTEXT characters back, then to the start
    of a Latin word or number (so 'AMSGrad' is not cut to 'Grad'), never past a line break."""
    a = i
    while a > 0 and text[a - 1] != "\n" and (i - a < CONTEXT or (text[a - 1].isascii() and text[a - 1].isalnum())):
        a -= 1
    return a


def _context_end(text: str, i: int) -> int:
    b = i
    while b < len(text) and text[b] != "\n" and (b - i < CONTEXT or (text[b].isascii() and text[b].isalnum())):
        b += 1
    return b


def copyedit_problem(text: Text, report: Reporter) -> None:
    if text.lang not in CHINESE:
        return
    new = corrected(text.value, text.markdown)
    if new == text.value:
        return
    found = changes(text.value, new)
    shown = "; ".join(f"'{c.old}' should read '{c.new}'" for c in found[:SHOWN_CHANGES])
    more = len(found) - SHOWN_CHANGES
    message = f"Chinese copy-editing: {shown}" + (f" (and {more} more)" if more > 0 else "")
    hint = ("run digest check --fix to apply the changes" if text.smap is not None else
            "fix it by hand: --fix rewrites only one-line texts and | blocks")
    report("copyediting", text.loc(found[0].index), text.path, message, hint)


def control_characters(value: str) -> list[int]:
    """Indices of the characters of ``value`` that pages and feeds drop (see :func:`digest.core.text.printable`)."""
    if printable(value) == value:
        return []
    return [i for i, ch in enumerate(value) if not printable(ch)]


def control_problem(text: Text, source: str, report: Reporter) -> None:
    """``source``: the text of the file ``text`` is in (to show how each character is written)."""
    found = control_characters(text.value)
    if not found:
        return
    shown = []
    for i in found:
        code = named(text.value[i])
        span = text.smap.spans[i] if text.smap is not None else None
        escape = source[span[0]:span[1]] if span is not None else ""
        written = f"{code} (written {escape})" if escape and printable(escape) == escape else code
        if written not in shown:
            shown.append(written)
    categories = {unicodedata.category(text.value[i]) for i in found}
    what = {"Cc": "control character", "Cf": "invisible character"}.get(categories.pop(), "character") \
        if len(categories) == 1 else "character"
    several = len(shown) > 1
    them = "them" if several else "it"
    message = f"{what}{'s' if several else ''} {', '.join(shown)} in the text: pages and feeds drop {them}"
    hint = (f"run digest check --fix to remove {them}" if text.smap is not None else
            f"remove {them} by hand: --fix rewrites only one-line texts and | blocks")
    report("control_characters", text.loc(found[0]), text.path, message, hint)


#: The texts whose [n] markers cite an edition's references (see digest.core.citations).
_CITING = re.compile(r"^entries\[\d+\]\.note\.")


def reference_numbers(root: Y.Node) -> set[int]:
    """The numbers ``n`` of the references an edition file lists."""
    found: set[int] = set()
    if not Y.is_mapping(root):
        return found
    for key, value in root.value:
        if Y.is_scalar(key) and key.value == "references" and Y.is_sequence(value):
            for item in value.value:
                for k, v in (item.value if Y.is_mapping(item) else ()):
                    if Y.is_scalar(k) and k.value == "n" and Y.is_scalar(v) and str(v.value).isdigit():
                        found.add(int(v.value))
    return found


def reference_problems(source: Source, report: Reporter) -> None:
    """Every [n] marker in a note of an edition file that cites no reference of the file."""
    if source.model is not Edition:
        return
    numbers = reference_numbers(source.root)
    for text in source.texts():
        if not _CITING.match(text.path) or not text.markdown:
            continue
        for index, written in citations.markers(text.value):
            if written not in numbers:
                listed = ", ".join(str(n) for n in sorted(numbers)) or "none"
                report("dangling_reference", text.loc(index), text.path,
                       f"reference marker [{written}] cites no reference: the edition's references list {listed}",
                       f"add a reference with n: {written} and its url under references:, or correct the number")


def empty_categories(project: Project, source: Source | None, report: Reporter) -> None:
    """A warning at each category that no published (non-draft) edition files an entry under."""
    published = {e.category for ed in project.editions if not ed.draft for e in ed.entries}
    drafted = {e.category for ed in project.editions if ed.draft for e in ed.entries}
    keys = _category_key_nodes(source)
    for i, cat in enumerate(project.categories):
        if cat.key in published:
            continue
        node = keys.get(cat.key)
        loc = Y.loc_of(CATEGORIES_FILE, node) if node is not None else Loc(CATEGORIES_FILE)
        if cat.key in drafted:
            report("empty_category", loc, f"categories[{i}].key", f"category '{cat.key}' is used only by draft editions",
                   "its page and feed stay empty until one of them is published")
        else:
            report("empty_category", loc, f"categories[{i}].key", f"category '{cat.key}' has no entries in any edition",
                   "its page and feed would be empty: file entries under it, or remove it")


def _category_key_nodes(source: Source | None) -> dict[str, Y.Node]:
    found: dict[str, Y.Node] = {}
    if source is None or not Y.is_mapping(source.root):
        return found
    for key, value in source.root.value:
        if key.value == "categories" and Y.is_sequence(value):
            for item in value.value:
                for k, v in item.value if Y.is_mapping(item) else ():
                    if k.value == "key" and Y.is_scalar(v):
                        found.setdefault(v.value, v)
    return found


def lint(project: Project, sources: list[Source] | None = None, levels: tuple[str, ...] = LEVELS) -> list[Problem]:
    """Every problem these checks find in a loaded project (those at one of ``levels``)."""
    sources = project_sources(project) if sources is None else sources
    report = Reporter(project.site.policies, levels)
    for source in sources:
        source_problems(source, report)
    if report.wants("categories"):
        empty_categories(project, next((s for s in sources if s.rel == CATEGORIES_FILE), None), report)
    return report.problems


def source_problems(source: Source, report: Reporter) -> None:
    """The problems of one file's texts (they depend on nothing else)."""
    if report.wants("controls"):
        for text in source.scalars():
            control_problem(text, source.text, report)
    if report.wants("references"):
        reference_problems(source, report)
    judged = [name for name in ("language", "script", "copyediting", "links") if report.wants(name)]
    if not judged:
        return
    for text in source.texts():
        if PLACEHOLDER.search(text.value):
            continue
        if "language" in judged:
            language_problem(text, report)
        if "script" in judged:
            script_problem(text, report)
        if "copyediting" in judged:
            copyedit_problem(text, report)
        if text.markdown and "links" in judged:
            for policy, index, message, hint in link_problems(text.value):
                report(policy, text.loc(index), text.path, message, hint)
