"""The build cache: values keyed by the content they were made from, in one SQLite file.

A site's cache is ``<site>/.digest-cache/cache.sqlite3`` (:data:`CACHE_DIR`, git-ignored by
the skeleton). It holds two kinds of rows:

- **values** (table ``value``): anything a build can make again from its inputs (a parsed
  and checked YAML file, a decoded snapshot record, a rendered fragment), stored under a
  key that is a :func:`fingerprint` of every input it was made from. A value is right for
  its key whatever happened to the build that stored it, so a killed build leaves nothing
  wrong behind, only values the next build may use;
- **targets** (table ``target``): what the last complete build into one output folder
  wrote, path by path (see :mod:`digest.incremental`). A target is replaced in one
  transaction after the new output is in place, so it always describes a complete build.

The whole file is made for one version of digest's code (:func:`code_fingerprint`: the
version and the bytes of every file of the installed package); a cache of another
version, or one SQLite cannot read, is deleted and the build starts cold. Deleting the
folder at any time is safe: the next build is a cold one.

Values are pickled, and read back with an unpickler that only builds digest's own value
classes and a few standard ones (:class:`_Unpickler`), so a planted cache file cannot run
code.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
import sqlite3
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from digest.core.version import VERSION

#: The cache folder, relative to the site's folder.
CACHE_DIR = ".digest-cache"
CACHE_FILE = "cache.sqlite3"
#: How long a build waits for another process holding the cache's write lock (seconds).
BUSY_SECONDS = 60
#: Fingerprints are BLAKE2b digests of this many bytes, written in hex.
DIGEST_SIZE = 16
#: Values are swept when the table holds more than this many rows beyond the last build's.
SWEEP_SLACK = 2000
#: How many output folders' targets are kept (a preview's temporary folders come and go).
TARGETS_KEPT = 8

_SCHEMA = """
CREATE TABLE IF NOT EXISTS about (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS value (key TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS target (name TEXT PRIMARY KEY, built INTEGER NOT NULL, data BLOB NOT NULL);
"""


def fingerprint(*parts: Any) -> str:
    """A short hex digest of ``parts`` by value: bytes as they are, anything else by its
    ``repr`` (digest's values are frozen dataclasses, tuples, dicts, strings, numbers and
    dates, whose reprs spell out every field), so equal values give equal keys in any process."""
    h = hashlib.blake2b(digest_size=DIGEST_SIZE)
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def file_digest(data: bytes) -> str:
    """The fingerprint of a file's bytes."""
    return hashlib.blake2b(data, digest_size=DIGEST_SIZE).hexdigest()


@cache
def code_fingerprint() -> str:
    """digest's version and every file of the installed package (code, templates,
    catalogs, venue data): a cache made by other code is never used."""
    package = Path(__file__).resolve().parent.parent
    h = hashlib.blake2b(VERSION.encode(), digest_size=DIGEST_SIZE)
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo"):
            h.update(path.relative_to(package).as_posix().encode())
            h.update(file_digest(path.read_bytes()).encode())
    return h.hexdigest()


#: What a cached value may be built of besides digest's own classes.
_ALLOWED = {
    ("builtins", "frozenset"), ("builtins", "set"), ("builtins", "slice"),
    ("datetime", "date"), ("datetime", "datetime"), ("datetime", "timezone"), ("datetime", "timedelta"),
    ("collections", "OrderedDict"), ("pathlib", "PosixPath"), ("pathlib", "WindowsPath"),
}


class _Unpickler(pickle.Unpickler):
    """Builds only digest's classes (``digest.*``) and :data:`_ALLOWED`: no function call
    a planted file could ask for."""

    def find_class(self, module: str, name: str) -> Any:
        if module.startswith("digest.") or (module, name) in _ALLOWED:
            found = super().find_class(module, name)
            if isinstance(found, type):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not a cached value's class")


def dumps(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def loads(data: bytes) -> Any:
    return _Unpickler(io.BytesIO(data)).load()


#: What reading a damaged or planted file can raise.
_READ_ERRORS = (sqlite3.Error, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError)


class Cache:
    """One site's cache. Cheap to make; the file is opened on first use, in each process
    (a forked worker opens its own connection). Every failure to read or write it makes
    the cache empty for the rest of the run, never the build fail: :attr:`broken` says why."""

    def __init__(self, root: Path):
        self.folder = Path(root) / CACHE_DIR
        self.path = self.folder / CACHE_FILE
        self._db: sqlite3.Connection | None = None
        self._pid = 0
        self.broken = ""
        #: keys of the values this process read or wrote (see :meth:`sweep`)
        self.used: set[str] = set()
        self.written: set[str] = set()  # keys this process stored

    # -- the file

    def _connect(self) -> sqlite3.Connection | None:
        if self.broken:
            return None
        if self._db is not None and self._pid == os.getpid():
            return self._db
        self._db, self._pid = None, os.getpid()  # a forked worker never uses its parent's connection
        try:
            self.folder.mkdir(exist_ok=True)
            self._db = self._open()
        except (sqlite3.Error, OSError, pickle.PickleError) as exc:
            self._fail(exc)
        return self._db

    def _open(self) -> sqlite3.Connection:
        for attempt in range(2):
            db = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.executescript(_SCHEMA)
                row = db.execute("SELECT value FROM about WHERE name='code'").fetchone()
                if row is not None and row[0] == code_fingerprint():
                    return db
                if row is None and db.execute("SELECT count(*) FROM value").fetchone()[0] == 0:
                    db.execute("INSERT OR REPLACE INTO about VALUES ('code', ?)", (code_fingerprint(),))
                    return db
            except sqlite3.DatabaseError:
                if attempt:
                    raise
            db.close()
            self._remove()  # another version's cache, or a damaged file: start cold
        raise sqlite3.DatabaseError("cannot start a new cache file")

    def _remove(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{self.path}{suffix}")

    def _fail(self, exc: BaseException) -> None:
        self.broken = f"{self.path}: {exc}"
        self.close()

    def close(self) -> None:
        if self._db is not None and self._pid == os.getpid():
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        self._db = None

    # -- values

    def get(self, key: str) -> Any:
        """The value stored under ``key``, or None."""
        return self.get_many([key]).get(key)

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        """The values stored under any of ``keys``, by key (absent ones left out)."""
        db = self._connect()
        wanted = list(dict.fromkeys(keys))
        found: dict[str, Any] = {}
        if db is None:
            return found
        try:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                marks = ",".join("?" * len(chunk))
                for key, data in db.execute(f"SELECT key, data FROM value WHERE key IN ({marks})", chunk):
                    found[key] = loads(data)
        except _READ_ERRORS as exc:
            self._fail(exc)
            return {}
        self.used.update(found)
        return found

    def put_many(self, items: Iterable[tuple[str, Any]]) -> None:
        """Store values (one transaction). Each value is pickled as its row is written, so
        no more than one pickle is held at a time."""
        db = self._connect()
        if db is None:
            return
        keys: list[str] = []

        def rows() -> Iterator[tuple[str, bytes]]:
            for key, value in items:
                keys.append(key)
                yield key, dumps(value)

        try:
            with self._transaction(db):
                db.executemany("INSERT OR REPLACE INTO value VALUES (?, ?)", rows())
        except (sqlite3.Error, pickle.PickleError) as exc:
            self._fail(exc)
            return
        self.used.update(keys)
        self.written.update(keys)

    def discard(self, keys: Iterable[str]) -> None:
        """Delete the values stored under ``keys`` (those a build made from inputs that
        changed while it read them: their keys may not say what they were made from)."""
        db = self._connect()
        wanted = list(keys)
        if db is None or not wanted:
            return
        try:
            with self._transaction(db):
                for start in range(0, len(wanted), 500):
                    chunk = wanted[start:start + 500]
                    db.execute(f"DELETE FROM value WHERE key IN ({','.join('?' * len(chunk))})", chunk)
        except sqlite3.Error as exc:
            self._fail(exc)
        self.used.difference_update(wanted)
        self.written.difference_update(wanted)

    def put(self, key: str, value: Any) -> None:
        self.put_many([(key, value)])

    def sweep(self, used: Iterable[str]) -> None:
        """Delete the values no build used lately: those outside ``used`` (what the build
        that just finished read or wrote), once the table has grown well beyond them."""
        db = self._connect()
        if db is None:
            return
        used = set(used)
        try:
            total = db.execute("SELECT count(*) FROM value").fetchone()[0]
            if total <= 2 * len(used) + SWEEP_SLACK:
                return
            with self._transaction(db):
                db.execute("CREATE TEMP TABLE IF NOT EXISTS kept (key TEXT PRIMARY KEY)")
                db.execute("DELETE FROM kept")
                db.executemany("INSERT OR IGNORE INTO kept VALUES (?)", ((k,) for k in used))
                db.execute("DELETE FROM value WHERE key NOT IN (SELECT key FROM kept)")
                db.execute("DELETE FROM kept")
        except sqlite3.Error as exc:
            self._fail(exc)

    # -- targets

    def target(self, name: str) -> Any:
        """What the last complete build of target ``name`` recorded, or None."""
        db = self._connect()
        if db is None:
            return None
        try:
            row = db.execute("SELECT data FROM target WHERE name=?", (name,)).fetchone()
            return None if row is None else loads(row[0])
        except _READ_ERRORS as exc:
            self._fail(exc)
            return None

    def set_target(self, name: str, record: Any, built: int) -> None:
        """Replace target ``name``'s record (one transaction); keep the newest few targets."""
        db = self._connect()
        if db is None:
            return
        try:
            data = dumps(record)
            with self._transaction(db):
                db.execute("INSERT OR REPLACE INTO target VALUES (?, ?, ?)", (name, built, data))
                db.execute("DELETE FROM target WHERE name NOT IN "
                           "(SELECT name FROM target ORDER BY built DESC LIMIT ?)", (TARGETS_KEPT,))
        except (sqlite3.Error, pickle.PickleError) as exc:
            self._fail(exc)

    @staticmethod
    @contextlib.contextmanager
    def _transaction(db: sqlite3.Connection) -> Iterator[None]:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
