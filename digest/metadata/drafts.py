"""Machine-drafted translations, kept beside the snapshot in ``content/drafts/``.

Layout and safety as the snapshot's (:mod:`digest.metadata.store`): one UTF-8 JSON file per
paper, ``<root>/<scheme>/<quoted value>.json``, keys sorted, a trailing newline, each write
atomic (a kill leaves the old file or the new one). A file holds the paper's drafts, one
per field and language::

    {"ref": "openreview:SkhQHMW0W",
     "drafts": [{"field": "abstract", "lang": "zh", "model": "deepseek-chat",
                 "prompt": "3f9a…", "source": "<sha256 of the English text>", "text": "…"}]}

A draft is *current* for a text when its ``source`` hash, ``model`` and ``prompt`` version
all match: an unchanged abstract is never asked again, a changed one (or a new prompt or
model) is. Nothing here has a date, so the same answers give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import quote, unquote

from digest.core.errors import ContentError, DigestError, Loc, Problem, StoreError
from digest.core.files import atomic_write
from digest.core.ids import PaperRef, parse_ref
from digest.core.schemes import SCHEMES

#: Where a site keeps its drafts, relative to the site's folder.
DRAFTS_DIR = "content/drafts"


def source_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Draft:
    """One machine translation of one field of one paper into one language."""

    field: str
    lang: str
    model: str
    prompt: str
    source: str
    text: str

    def current(self, source_text: str, model: str, prompt: str) -> bool:
        return self.source == source_hash(source_text) and self.model == model and self.prompt == prompt


def site_drafts(root: Path) -> DraftStore:
    return DraftStore(Path(root) / DRAFTS_DIR, DRAFTS_DIR)


class DraftStore:
    def __init__(self, root: Path, name: str | None = None):
        self.root = Path(root)
        self.name = name if name is not None else str(self.root)

    def path_for(self, ref: PaperRef) -> Path:
        return self.root / ref.scheme / (quote(ref.value, safe="-_.") + ".json")

    def rel_for(self, ref: PaperRef) -> str:
        return f"{self.name}/{ref.scheme}/{quote(ref.value, safe='-_.')}.json"

    def refs(self) -> Iterator[PaperRef]:
        found = []
        for scheme in SCHEMES:
            folder = self.root / scheme
            if folder.is_dir():
                found += [PaperRef(scheme, unquote(p.name[:-5])) for p in folder.glob("*.json")
                          if not p.name.startswith(".")]
        return iter(sorted(found))

    def get(self, ref: PaperRef) -> dict[tuple[str, str], Draft]:
        """The drafts of ``ref`` by (field, lang); raises :class:`ContentError` for a damaged file."""
        path = self.path_for(ref)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise StoreError(f"{self.rel_for(ref)}: error: cannot read the drafts ({exc.strerror})") from None
        problems = check_file(self.rel_for(ref), data, ref)
        if problems:
            raise ContentError(problems)
        return {(d["field"], d["lang"]): Draft(**d) for d in json.loads(data)["drafts"]}

    def load(self, refs=None) -> dict[PaperRef, dict[tuple[str, str], Draft]]:
        wanted = sorted(refs) if refs is not None else list(self.refs())
        out = {}
        for ref in wanted:
            found = self.get(ref)
            if found:
                out[ref] = found
        return out

    def put(self, ref: PaperRef, draft: Draft) -> None:
        """Add or replace the draft of (field, lang), atomically."""
        drafts = self.get(ref)
        drafts[(draft.field, draft.lang)] = draft
        self.write(ref, drafts)

    def write(self, ref: PaperRef, drafts: dict[tuple[str, str], Draft]) -> None:
        atomic_write(self.path_for(ref), encode(ref, drafts))

    def clean(self) -> int:
        count = 0
        if self.root.is_dir():
            for tmp in self.root.glob("*/.*.tmp"):
                tmp.unlink(missing_ok=True)
                count += 1
        return count


def encode(ref: PaperRef, drafts: dict[tuple[str, str], Draft]) -> bytes:
    items = [asdict(drafts[key]) for key in sorted(drafts)]
    data = {"ref": str(ref), "drafts": items}
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


_KEYS = {"field", "lang", "model", "prompt", "source", "text"}


def check_file(rel: str, data: bytes, ref: PaperRef) -> list[Problem]:
    """What is wrong with a drafts file (empty when nothing is)."""

    def problem(what: str, hint: str) -> list[Problem]:
        return [Problem(Loc(rel, 1, 1), "drafts", what, hint)]

    fix = "delete the file and run digest translate again"
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return problem(f"not readable JSON ({exc})", fix)
    if not isinstance(doc, dict) or not isinstance(doc.get("drafts"), list):
        return problem("expected an object with a drafts list", fix)
    try:
        said = parse_ref(str(doc.get("ref", "")))
    except DigestError:
        said = None
    if said != ref:
        return problem(f"names the paper {doc.get('ref')!r}, not {ref}", fix)
    for i, item in enumerate(doc["drafts"]):
        if not isinstance(item, dict) or set(item) != _KEYS or not all(isinstance(v, str) for v in item.values()):
            return problem(f"drafts[{i}] is not a draft (it needs exactly {', '.join(sorted(_KEYS))}, each text)", fix)
    return []


def english_text(field: str, entry, meta) -> str | None:
    """The English text of ``field`` a draft translates: the fetched one (a title or a TL;DR:
    the curator's English one first, which English pages show in its place); None when there
    is none."""
    if field in ("title", "tldr"):
        fix = getattr(entry, field).get("en", "").strip()
        if fix:
            return fix
    value = getattr(meta, field, None) if meta is not None else None
    return value if isinstance(value, str) and value.strip() else None


def curated(field: str, entry, lang: str) -> str | None:
    """The curator's own text of ``field`` in ``lang`` (``entries[].<field>.<lang>``)."""
    texts = getattr(entry, field, None)
    value = texts.get(lang, "") if texts else ""
    return value if value.strip() else None


def text_lines(data: bytes) -> list[int]:
    """The line of each draft's ``"text"`` key in an encoded file, in the file's order."""
    return [i for i, line in enumerate(data.decode("utf-8").splitlines(), 1) if line.lstrip().startswith('"text": ')]
