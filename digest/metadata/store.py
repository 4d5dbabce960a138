"""The metadata snapshot: fetched paper records kept on disk, committed, diffable.

Layout: ``<root>/<scheme>/<quoted value>.json`` (a folder per scheme of
:mod:`digest.core.schemes`), one record per file, UTF-8 JSON with a
stable key order and a trailing newline, so a refresh shows as a small git diff.

Writes are atomic per record: the JSON goes to a temporary file in the same folder, is
flushed and fsynced, then renamed over the old file. A process killed at any moment leaves
every record either as it was or as it became, never half-written. Leftover temporary files
(``.*.tmp``) are ignored by readers and removed by :meth:`Store.clean`.

A record that would lose information is refused: :meth:`Store.put` never replaces a record
that has a title with one that has none (a failed or garbled fetch must not erase a good one).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, unquote

from digest.core.cache import Cache, fingerprint
from digest.core.errors import DamagedRecords, Problem, StoreError
from digest.core.files import atomic_write
from digest.core.ids import PaperRef
from digest.core.models import PaperMeta
from digest.core.schemes import SCHEMES
from digest.metadata.record import decode

#: Where a site keeps its snapshot, relative to the site's folder.
SNAPSHOT_DIR = "content/snapshot"


def site_store(root: Path) -> Store:
    """The snapshot of the site at ``root``."""
    return Store(Path(root) / SNAPSHOT_DIR, SNAPSHOT_DIR)


class Store:
    """The snapshot folder. Cheap to create; reads lazily. ``name``: how messages name the
    folder (its path when not given)."""

    def __init__(self, root: Path, name: str | None = None):
        self.root = Path(root)
        self.name = name if name is not None else str(self.root)

    def path_for(self, ref: PaperRef) -> Path:
        return self.root / ref.scheme / (quote(ref.value, safe="-_.") + ".json")

    def rel_for(self, ref: PaperRef) -> str:
        """How messages name the record of ``ref``."""
        return f"{self.name}/{ref.scheme}/{quote(ref.value, safe='-_.')}.json"

    def get(self, ref: PaperRef) -> PaperMeta | None:
        """The record of ``ref`` (None when there is none); raises :class:`DamagedRecords`
        when it is not what the model declares."""
        data = self._read(self.path_for(ref))
        return None if data is None else self._decode(ref, data)

    def _decode(self, ref: PaperRef, data: bytes, problems: list[Problem] | None = None) -> PaperMeta | None:
        meta, found = decode(self.rel_for(ref), data, ref)
        if found and problems is None:
            raise DamagedRecords(found)
        if problems is not None:
            problems += found
        return meta

    @staticmethod
    def _read(path: Path) -> bytes | None:
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreError(f"{path}: error: cannot read the record ({exc.strerror})") from None

    def refs(self) -> Iterator[PaperRef]:
        """Every reference with a record, sorted."""
        if not self.root.is_dir():
            return iter(())
        found = []
        for scheme in SCHEMES:
            for item in (self.root / scheme).glob("*.json"):
                if not item.name.startswith("."):
                    found.append(PaperRef(scheme, unquote(item.name[: -len(".json")])))
        return iter(sorted(found))

    def load(self, refs: set[PaperRef] | None = None, cache: Cache | None = None,
             digests: dict[PaperRef, str] | None = None,
             problems: list[Problem] | None = None) -> dict[PaperRef, PaperMeta]:
        """Records for ``refs`` (all records when None); missing ones are simply absent.
        With a ``cache``, a record whose bytes were decoded before is taken from it, and
        ``digests`` (when given) gets each record's fingerprint. A damaged record raises
        :class:`DamagedRecords` naming every problem of every record read; with a
        ``problems`` list, they go there instead and the damaged records are left out."""
        wanted = sorted(refs) if refs is not None else list(self.refs())
        raw: dict[PaperRef, tuple[bytes, str]] = {}
        for ref in wanted:
            data = self._read(self.path_for(ref))
            if data is not None:
                # the file's name is part of what is checked (the ref must match it)
                raw[ref] = (data, fingerprint("record", str(ref), data) if cache is not None else "")
        known = cache.get_many(key for _data, key in raw.values()) if cache is not None else {}
        out: dict[PaperRef, PaperMeta] = {}
        new: list[tuple[str, PaperMeta]] = []
        found: list[Problem] = []
        for ref, (data, key) in raw.items():
            meta = known.get(key)
            if not isinstance(meta, PaperMeta):
                meta = self._decode(ref, data, found)
                if meta is None:
                    continue
                new.append((key, meta))
            out[ref] = meta
        if cache is not None:
            cache.put_many(new)
            if digests is not None:
                digests.update((ref, key) for ref, (_data, key) in raw.items() if ref in out)
        if found and problems is None:
            raise DamagedRecords(found)
        if problems is not None:
            problems += found
        return out

    def load_for(self, refs, cache: Cache | None = None, digests: dict[PaperRef, str] | None = None,
                 problems: list[Problem] | None = None) -> dict[PaperRef, PaperMeta]:
        """Records for ``refs`` and for their unversioned forms (an entry pinned to an arXiv
        version falls back to the unversioned record)."""
        refs = set(refs)
        return self.load(refs | {ref.unversioned for ref in refs}, cache, digests, problems)

    def put(self, meta: PaperMeta) -> bool:
        """Write one record atomically. Returns False (and writes nothing) when the new
        record has no title but the stored one has: a bad fetch never erases a good record."""
        old = self.get(meta.ref)
        if old is not None and old.title and not meta.title:
            return False
        path = self.path_for(meta.ref)
        data = encode(meta)
        if old is not None and path.read_bytes() == data:
            return True
        atomic_write(path, data)
        return True

    def clean(self) -> int:
        """Remove temporary files left by a killed writer; returns how many."""
        count = 0
        if self.root.is_dir():
            for tmp in self.root.glob("*/.*.tmp"):
                tmp.unlink(missing_ok=True)
                count += 1
        return count


def encode(meta: PaperMeta) -> bytes:
    return (json.dumps(meta.to_json(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")

