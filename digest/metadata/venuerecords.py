"""Venue records in the snapshot: every submission of one conference year, kept compact.

Layout: ``<snapshot>/venues/<conference>-<year>.json`` (``venues/iclr-2021.json``). The file is
UTF-8 JSON with the record's own fields first and then one submission per line, sorted by id,
so a refresh shows as a diff of the papers whose decision or ratings changed. The same record
always gives the same bytes.

Writes are atomic (:func:`digest.core.files.atomic_write`): a reader sees the old record or the
new one. A record that would lose information is refused: :meth:`VenueStore.put` never
replaces a record that has papers with one that has none (a failed fetch must not erase a good
one). Reading checks every field against the model (:mod:`digest.metadata.record`); a damaged
record raises :class:`~digest.core.errors.DamagedRecords` naming each problem.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from digest.core.errors import DamagedRecords, Loc, Problem, StoreError
from digest.core.files import atomic_write
from digest.core.models import VenuePaper, VenueRecord, venue_slug
from digest.metadata.record import fields_of

#: The folder of venue records inside the snapshot.
VENUES_DIR = "venues"
VENUE_HINT = "restore it with git checkout, or run digest venue fetch again"


class VenueStore:
    """The venue records of a snapshot folder (``root`` is the snapshot, ``name`` how
    messages name it)."""

    def __init__(self, root: Path, name: str | None = None):
        self.root = Path(root) / VENUES_DIR
        self.name = f"{name if name is not None else root}/{VENUES_DIR}"

    def path_for(self, conference: str, year: int) -> Path:
        return self.root / f"{venue_slug(conference, year)}.json"

    def rel_for(self, conference: str, year: int) -> str:
        return f"{self.name}/{venue_slug(conference, year)}.json"

    def get(self, conference: str, year: int) -> VenueRecord | None:
        """The record of ``conference`` ``year``, None when there is none."""
        path = self.path_for(conference, year)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreError(f"{path}: error: cannot read the venue record ({exc.strerror})") from None
        record, problems = decode(self.rel_for(conference, year), data)
        if problems:
            raise DamagedRecords(problems)
        assert record is not None
        if (record.conference.lower(), record.year) != (conference.lower(), year):
            raise DamagedRecords([Problem(Loc(self.rel_for(conference, year), 1, 1), "year",
                                          f"the record is {record.conference} {record.year}, not {conference} {year}",
                                          VENUE_HINT)])
        return record

    def put(self, record: VenueRecord) -> bool:
        """Write ``record`` atomically. Returns False (and writes nothing) when it has no
        papers but the stored one has."""
        path = self.path_for(record.conference, record.year)
        if not record.papers and path.exists():
            old = self.get(record.conference, record.year)
            if old is not None and old.papers:
                return False
        data = encode(record)
        if path.exists() and path.read_bytes() == data:
            return True
        atomic_write(path, data)
        return True


def _paper_json(paper: VenuePaper) -> dict[str, Any]:
    return {"id": paper.id, "decision": paper.decision, "ratings": list(paper.ratings),
            "confidences": None if paper.confidences is None else list(paper.confidences),
            "keywords": list(paper.keywords)}


def encode(record: VenueRecord) -> bytes:
    """The file's bytes: the record's fields, then one paper a line, sorted by id."""
    head = {"conference": record.conference, "year": record.year, "source": record.source,
            "fetched_at": record.fetched_at, "scale": list(record.scale)}
    lines = ["{"]
    lines += [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in head.items()]
    papers = sorted(record.papers, key=lambda p: p.id)
    if not papers:
        lines.append('  "papers": []')
    else:
        lines.append('  "papers": [')
        for i, paper in enumerate(papers):
            comma = "," if i < len(papers) - 1 else ""
            lines.append("    " + json.dumps(_paper_json(paper), ensure_ascii=False) + comma)
        lines.append("  ]")
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def decode(rel: str, data: bytes) -> tuple[VenueRecord | None, list[Problem]]:
    """The record in ``data`` (None when it has problems) and its problems; a paper's problem
    is placed on the line that holds the paper's id."""
    problems: list[Problem] = []
    try:
        obj = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        return None, [Problem(Loc(rel, 1, 1), "", "the venue record is not UTF-8", VENUE_HINT)]
    except json.JSONDecodeError as exc:
        return None, [Problem(Loc(rel, exc.lineno, exc.colno), "", f"the venue record is not valid JSON: {exc.msg}",
                              VENUE_HINT)]
    if not isinstance(obj, dict):
        return None, [Problem(Loc(rel, 1, 1), "", "expected a venue record (a JSON object)", VENUE_HINT)]
    values, found = fields_of(VenueRecord, obj)
    text = data.decode("utf-8")
    for field, message in found:
        problems.append(Problem(_where(rel, text, obj, field), field, message, VENUE_HINT))
    if problems:
        return None, problems
    record = VenueRecord(**values)
    seen: set[str] = set()
    for i, paper in enumerate(record.papers):
        where = _where(rel, text, obj, f"papers[{i}]")
        if paper.id in seen:
            problems.append(Problem(where, f"papers[{i}].id", f"'{paper.id}' is listed twice", VENUE_HINT))
        seen.add(paper.id)
        if paper.confidences is not None and len(paper.confidences) != len(paper.ratings):
            problems.append(Problem(where, f"papers[{i}].confidences",
                                    f"{len(paper.confidences)} confidences for {len(paper.ratings)} ratings",
                                    VENUE_HINT))
    return (None, problems) if problems else (record, problems)


def _where(rel: str, text: str, obj: dict, field: str) -> Loc:
    """The line of the paper a field belongs to (found by its id), else the top of the file."""
    if field.startswith("papers["):
        index = int(field[len("papers["):field.index("]")])
        papers = obj.get("papers")
        if isinstance(papers, list) and index < len(papers) and isinstance(papers[index], dict):
            pid = papers[index].get("id")
            if isinstance(pid, str):
                at = text.find(json.dumps(pid))
                if at >= 0:
                    line = text.count("\n", 0, at) + 1
                    return Loc(rel, line, at - (text.rfind("\n", 0, at) + 1) + 1)
    return Loc(rel, 1, 1)
