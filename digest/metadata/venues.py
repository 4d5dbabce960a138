"""Venue profiles: per conference year, its OpenReview API, invitation names, decision labels
and rating scale, read from the data file ``venues.toml`` shipped beside this module.

The fetch stage asks the API of a paper's profile first; the OpenReview parser maps decision
labels through the note's profile, then through the shared label words. A new venue year is
one ``[[venue]]`` table in the data file (or one more dict given to :func:`from_data`).
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from digest.core.errors import DigestError
from digest.core.models import DECISIONS

APIS = ("v1", "v2")
#: Kinds of invitation a profile may name.
INVITATIONS = ("submission", "review", "meta_review", "decision", "withdrawn", "desk_rejected")
_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")


class VenueError(DigestError):
    """The venue data is not what :func:`from_data` expects."""


@dataclass(frozen=True)
class Profile:
    """One conference year."""

    conference: str
    year: int
    api: str
    ratings: tuple[int, ...]
    invitations: Mapping[str, str]
    decisions: Mapping[str, str]

    @property
    def name(self) -> str:
        return f"{self.conference} {self.year}"

    def tier(self, label: str) -> str | None:
        """The tier of one of this year's own labels (case-insensitive), else None."""
        low = label.strip().lower()
        for known, tier in self.decisions.items():
            if known.lower() == low:
                return tier
        return None


@dataclass(frozen=True)
class LabelWords:
    """A tier for labels holding any of ``any`` (or all of ``all``), lower case."""

    tier: str
    any: tuple[str, ...] = ()
    all: tuple[str, ...] = ()

    def fits(self, low: str) -> bool:
        return any(w in low for w in self.any) or bool(self.all) and all(w in low for w in self.all)


@dataclass(frozen=True)
class Venues:
    """Every profile, and what applies where none does."""

    profiles: tuple[Profile, ...]
    label_words: tuple[LabelWords, ...]
    default_api: str
    default_conference: str

    def profile(self, conference: str | None, year: int | None) -> Profile | None:
        if year is None:
            return None
        name = (conference or self.default_conference).lower()
        for p in self.profiles:
            if p.year == year and p.conference.lower() == name:
                return p
        return None

    def said(self, text: str | None) -> tuple[str, int] | None:
        """``("ICLR", 2021)`` from what an edition or a record says (``ICLR 2021``,
        ``Published at ICLR 2021``); the conference is the profile name the text holds, else
        the word before the year. None without a year."""
        m = _YEAR.search(text or "")
        if not m:
            return None
        low = (text or "").lower()
        for name in dict.fromkeys(p.conference for p in self.profiles):
            if re.search(rf"\b{re.escape(name.lower())}\b", low):
                return name, int(m.group(1))
        before = re.findall(r"[A-Za-z][A-Za-z0-9\-]*", (text or "")[: m.start()])
        return (before[-1] if before else self.default_conference), int(m.group(1))

    def api(self, conference: str | None, year: int) -> str:
        """The API to ask first for a paper of ``conference`` ``year``."""
        found = self.profile(conference, year)
        return found.api if found else self.default_api

    def decision(self, label: str | None, profile: Profile | None = None) -> str | None:
        """The tier of a decision label: the profile's own label, else the label words."""
        if not label:
            return None
        if profile is not None:
            found = profile.tier(label)
            if found:
                return found
        low = label.lower()
        for rule in self.label_words:
            if rule.fits(low):
                return rule.tier
        return None


def from_data(data: Mapping[str, Any]) -> Venues:
    """Venues from the decoded data file (or a dict of the same shape)."""
    profiles = []
    for i, raw in enumerate(data.get("venue", [])):
        where = f"venue {i + 1} ({raw.get('conference')} {raw.get('year')})"
        api = raw.get("api")
        if api not in APIS:
            raise VenueError(f"{where}: api: {api!r} is not an OpenReview API (write one of {', '.join(APIS)})")
        for kind in raw.get("invitations", {}):
            if kind not in INVITATIONS:
                raise VenueError(f"{where}: invitations: unknown kind {kind!r} (write one of {', '.join(INVITATIONS)})")
        decisions = dict(raw.get("decisions", {}))
        _tiers(where, decisions.values())
        profiles.append(Profile(str(raw["conference"]), int(raw["year"]), api, tuple(raw.get("ratings", ())),
                                dict(raw.get("invitations", {})), decisions))
    words = tuple(LabelWords(r["tier"], tuple(r.get("any", ())), tuple(r.get("all", ())))
                  for r in data.get("label_words", []))
    _tiers("label_words", [w.tier for w in words])
    default_api = data.get("default_api", "v2")
    if default_api not in APIS:
        raise VenueError(f"default_api: {default_api!r} is not an OpenReview API (write one of {', '.join(APIS)})")
    return Venues(tuple(profiles), words, default_api, str(data.get("default_conference", "")))


def _tiers(where: str, tiers) -> None:
    for tier in tiers:
        if tier not in DECISIONS:
            raise VenueError(f"{where}: decisions: {tier!r} is not a tier (write one of {', '.join(DECISIONS)})")


@functools.cache
def shipped() -> Venues:
    """The profiles of ``venues.toml``."""
    text = resources.files("digest.metadata").joinpath("venues.toml").read_text(encoding="utf-8")
    return from_data(tomllib.loads(text))
