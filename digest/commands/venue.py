"""``digest venue fetch VENUE YEAR``: a whole venue year from OpenReview into its venue record.

The work is :func:`digest.metadata.venuefetch.fetch_venue`'s. On standard error: a line per
page as it arrives (pages and papers so far) and each retry wait of 5 s or more, as ``digest
fetch`` prints them on a pipe, then the error if the fetch fails; on standard output the summary. Exit
status 0 when the record was written (or was already the same), 1 when the fetch failed (the
old record is kept, the message names the page's URL), 130 after Ctrl-C (nothing written).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from digest.commands.common import count
from digest.commands.progress import QUIET_WAIT
from digest.core.errors import DigestError
from digest.metadata.http import Fetcher
from digest.metadata.sources.registry import display
from digest.metadata.store import SNAPSHOT_DIR
from digest.metadata.venuefetch import VenueFetchError, fetch_venue
from digest.metadata.venuerecords import VenueStore
from digest.metadata.venues import Venues

NAME = "digest venue fetch"


def run_venue_fetch(root: Path, conference: str, year: int, out: TextIO, err: TextIO, *,
                    fetcher: Fetcher | None = None, venues: Venues | None = None,
                    fetched_at: str | None = None) -> int:
    """Fetch and write the record; returns the exit status (see the module docstring).
    ``fetcher`` defaults to one for the real network configured from the site's ``services``."""
    from digest.content.project import SITE_FILE, load_site

    root = Path(root)
    if not (root / SITE_FILE).is_file():
        raise DigestError(f"{root / SITE_FILE} not found: run digest from the site's folder, or pass --root")
    own = fetcher is None
    fetcher = fetcher or Fetcher(load_site(root).services)
    store = VenueStore(root / SNAPSHOT_DIR, SNAPSHOT_DIR)

    def event(source: str, kind: str, text: str, seconds: float) -> None:
        # a service given up ends the fetch: the error line below says why
        if kind == "retry" and seconds >= QUIET_WAIT:
            print(f"{display(source)}: {text}; waiting {seconds:.0f} s", file=err)

    def progress(invitation: str, pages: int, papers: int) -> None:
        print(f"OpenReview: {count(pages, 'page')}, {count(papers, 'paper')} ({invitation})", file=err)

    fetcher.on_event = event
    again = f"the old record is kept; run {NAME} {conference} {year} again"
    try:
        report = fetch_venue(conference, year, fetcher, store, venues=venues, fetched_at=fetched_at,
                             progress=progress)
    except KeyboardInterrupt:
        print(f"{NAME}: interrupted; nothing was written ({again})", file=err)
        return 130
    except VenueFetchError as exc:
        print(f"{NAME}: error: {exc} ({again} later)", file=err)
        return 1
    except DigestError as exc:  # no such venue year: nothing was asked
        print(f"{NAME}: error: {exc}", file=err)
        return 1
    finally:
        if own:
            fetcher.close()
    record = report.record
    what = "written" if report.written else "unchanged"
    print(f"{NAME}: {record.conference} {record.year}: {count(len(record.papers), 'paper')} in "
          f"{count(report.pages, 'page')}, "
          f"{report.path} {what}", file=out)
    return 0


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.venue_command == "fetch":
        return run_venue_fetch(args.root, args.venue, args.year, out, err)
    raise DigestError("write digest venue fetch VENUE YEAR")  # argparse requires the subcommand
