"""What ``digest check`` and the build say about an edition's venue statistics (Edition.stats):
the venue record must be there and sound, and the official numbers a curator wrote are
compared with the ones computed from it (a warning where they differ: the page shows the
official ones)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from digest.core.cache import file_digest
from digest.core.errors import ContentError, DamagedRecords, Problem
from digest.core.models import Edition, VenueRecord
from digest.metadata.store import SNAPSHOT_DIR
from digest.metadata.venuerecords import VenueStore
from digest.metadata.venues import shipped as shipped_venues
from digest.stats import venue as V


def read_venues(root: Path, editions: Sequence[Edition],
                problems: list[Problem] | None = None) -> dict[str, tuple[VenueRecord, str]]:
    """The venue record of each edition that shows venue statistics, by edition slug, with
    the fingerprint of its file. A missing or damaged record is a problem (added to
    ``problems``; raised as :class:`ContentError` without that list)."""
    found: dict[str, tuple[VenueRecord, str]] = {}
    wrong: list[Problem] = []
    venues = VenueStore(Path(root) / SNAPSHOT_DIR, SNAPSHOT_DIR)
    for edition in editions:
        if edition.stats is None:
            continue
        loc = edition.locs.get("stats.venue", edition.loc)
        said = shipped_venues().said(edition.stats.venue)
        if said is None:
            wrong.append(Problem(loc, "stats.venue", f"'{edition.stats.venue}' names no venue year",
                                 "write the conference and year, such as ICLR 2021"))
            continue
        try:
            record = venues.get(*said)
        except DamagedRecords as exc:
            wrong += exc.problems
            continue
        if record is None:
            wrong.append(Problem(loc, "stats.venue", f"no venue record for {said[0]} {said[1]} "
                                 f"({venues.rel_for(*said)})", f"run digest venue fetch {said[0]} {said[1]}"))
            continue
        found[edition.slug] = (record, file_digest(venues.path_for(*said).read_bytes()))
    if wrong and problems is None:
        raise ContentError(wrong)
    if problems is not None:
        problems += wrong
    return found


def official_problems(editions: Sequence[Edition], venues: Mapping[str, tuple[VenueRecord, str]]) -> list[Problem]:
    """A warning for each official number that differs from the one computed from the record."""
    found: list[Problem] = []
    for edition in editions:
        official = edition.stats.official if edition.stats else None
        if official is None or edition.slug not in venues:
            continue
        record = venues[edition.slug][0]
        computed = {"submissions": V.submissions(record).count, "accepted": V.acceptance(record).accepted.count}
        for name, value in computed.items():
            written = getattr(official, name)
            if written is not None and written != value:
                where = f"stats.official.{name}"
                found.append(Problem(edition.locs.get(where, edition.loc), where,
                                     f"{written} differs from the {value} computed from the venue record",
                                     "the page shows yours; check the number, or the record with digest venue fetch",
                                     "warning"))
    return found
