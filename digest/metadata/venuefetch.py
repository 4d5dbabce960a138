"""Fetch a whole venue year from OpenReview into its venue record (``digest venue fetch``).

:func:`fetch_venue` pages through every submission of the year (the invitations its venue
profile names, 1000 notes a page: :mod:`digest.metadata.sources.openreview_venue`) with the
shared :class:`~digest.metadata.http.Fetcher`, so it is paced, retried and scrubbed exactly as
``digest fetch`` is. The record is written only after every page has arrived and every paper
has been read, through :class:`~digest.metadata.venuerecords.VenueStore` (atomically): a failed
or interrupted fetch leaves the old record as it was. The record is checked against the model
before it is written (a record its reader would refuse is never written).

``fetched_at`` is the day of the fetch (UTC), the one date taken from the clock, as
``digest fetch`` stamps its records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from digest.core.errors import DigestError, FetchError, ParseError
from digest.core.models import VenuePaper, VenueRecord
from digest.metadata.fetch import utc_now
from digest.metadata.http import Fetcher
from digest.metadata.sources import openreview_venue as OV
from digest.metadata.sources.base import Request
from digest.metadata.venuerecords import VenueStore, decode, encode
from digest.metadata.venues import Venues, shipped

#: ``progress(invitation, pages, papers)``: after each page (pages and papers so far, all
#: invitations together).
PageProgress = Callable[[str, int, int], None]


class VenueFetchError(FetchError):
    """A page could not be had or read; the message names its URL."""


@dataclass(frozen=True)
class VenueFetchReport:
    record: VenueRecord
    pages: int
    written: bool  # False: the stored record already had these bytes
    path: str


def _url(req: Request) -> str:
    return f"{req.url}?{urlencode(req.params)}"


def fetch_venue(conference: str, year: int, fetcher: Fetcher, store: VenueStore, *,
                venues: Venues | None = None, fetched_at: str | None = None,
                progress: PageProgress | None = None) -> VenueFetchReport:
    """Fetch ``conference`` ``year`` and write its record; raises :class:`DigestError` (nothing
    written) when the year has no profile, a page fails or a paper cannot be read."""
    venues = venues or shipped()
    profile = venues.profile(conference, year)
    if profile is None:
        known = ", ".join(p.name for p in venues.profiles)
        raise DigestError(f"no venue profile for {conference} {year} (known: {known}; add a [[venue]] table "
                          "to digest/metadata/venues.toml)")
    invitations = OV.listed_invitations(profile)
    if not invitations:
        raise DigestError(f"the {profile.name} profile names no submission invitation "
                          "(add invitations.submission to digest/metadata/venues.toml)")
    base = fetcher.urls.openreview_v1 if profile.api == "v1" else fetcher.urls.openreview
    papers: dict[str, VenuePaper] = {}
    pages = 0
    try:
        token = fetcher.openreview_token()
    except FetchError as exc:
        raise VenueFetchError(str(exc)) from None
    for invitation in invitations:
        offset = 0
        while True:
            req = OV.page_request(base, invitation, profile.api, offset, token)
            try:
                notes, count = fetcher.call(req, lambda r: OV.parse_page(r.body, r.content_type))
            except FetchError as exc:
                raise VenueFetchError(f"{_url(req)}: {exc}") from None
            pages += 1
            for note in notes:
                try:
                    paper = OV.venue_paper(note, profile, venues)
                except ParseError as exc:
                    raise VenueFetchError(f"{_url(req)}: {exc}") from None
                papers[paper.id] = paper  # a later invitation (withdrawn, desk rejected) wins
            offset += len(notes)
            if progress is not None:
                progress(invitation, pages, len(papers))
            if not notes or (len(notes) < OV.PAGE_SIZE and (count is None or offset >= count)):
                break
    record = VenueRecord(profile.conference, profile.year, f"openreview-{profile.api}",
                         fetched_at or utc_now()[:10], profile.ratings,
                         tuple(sorted(papers.values(), key=lambda p: p.id)))
    rel = store.rel_for(record.conference, record.year)
    _, problems = decode(rel, encode(record))
    if problems:
        raise VenueFetchError(f"the fetched record would not read back: {problems[0]} (nothing was written)")
    before = store.path_for(record.conference, record.year)
    old = before.read_bytes() if before.exists() else None
    if not store.put(record):
        raise VenueFetchError(f"OpenReview listed no submission for {profile.name}; the stored record "
                              "has papers and is kept")
    return VenueFetchReport(record, pages, old != encode(record), rel)
