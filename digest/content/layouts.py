"""What an edition's layout asks of its other fields (rules across fields the schema cannot
say): the sections layout needs its sections and an existing section for every entry; the
ranking's fields (``rank_by``, ``top``) and the sections' fields are used by their own layout
only, so a value written for another layout is reported rather than silently ignored."""

from __future__ import annotations

from collections.abc import Mapping

from digest.core.errors import Loc, Problem
from digest.core.models import Edition


def layout_problems(edition: Edition, locs: Mapping[str, Loc], rel: str) -> list[Problem]:
    """Every problem of ``edition``'s layout fields, located where each value is written."""

    def at(*paths: str) -> Loc:
        return next((locs[p] for p in paths if p in locs), Loc(rel, 1, 1))

    layout = edition.layout
    found = []
    for name in ("rank_by", "top"):
        if name in locs and layout != "ranking":
            found.append(Problem(at(name), name, f"{name} is used only by the ranking layout, and this "
                                 f"edition's layout is {layout}", f"add layout: ranking, or remove {name}"))
    if layout != "sections":
        if edition.sections:
            found.append(Problem(at("sections"), "sections", "sections are shown only by the sections layout, "
                                 f"and this edition's layout is {layout}", "add layout: sections, or remove sections"))
        found += [Problem(at(f"entries[{i}].section"), f"entries[{i}].section",
                          f"an entry's section is used only by the sections layout, and this edition's layout is {layout}",
                          "add layout: sections and the edition's sections, or remove section")
                  for i, entry in enumerate(edition.entries) if entry.section and not edition.sections]
        return found
    keys = [part.key for part in edition.sections]
    if not keys:
        return [Problem(at("layout"), "layout", "the sections layout needs the edition's sections",
                        "add sections: with a key and a heading for each")]
    listed = ", ".join(dict.fromkeys(keys))
    for i, entry in enumerate(edition.entries):
        if not entry.section:
            found.append(Problem(at(f"entries[{i}].paper", f"entries[{i}]"), f"entries[{i}].section",
                                 "an entry of the sections layout needs a section", f"add section: with one of {listed}"))
        elif entry.section not in keys:
            found.append(Problem(at(f"entries[{i}].section"), f"entries[{i}].section",
                                 f"unknown section '{entry.section}'", f"use one of {listed}, or add it to sections"))
    return found
