#!/usr/bin/env python3
"""Convert the shared benchmark generator's data set into a digest site folder.

    python bench/convert_shared.py --src GEN_OUT --out bench/work/shared2000

GEN_OUT is the folder the shared benchmark generator wrote (``gen_content.py -n 2000 --out
GEN_OUT``; see bench/README.md). Only its ``data/entries.yaml`` is read: the same entries the
generator also wrote as Hugo, Pelican and MkDocs sites, so the digest build and theirs work on
identical content.

Mapping, one to one:

* the 12 categories -> ``content/categories.yaml`` (key = the generator's slug, names in en/zh);
* the 20 editions -> ``content/editions/<id>.yaml`` (slug = the generator's id, date = the
  edition's day, titles in the generator's words: "Weekly edition #N (id)", "第 N 期周刊（id）");
* each entry -> an entry of its edition, in the generator's order, with its category, its
  tags, the curator's Chinese title (``title.zh``) and Chinese note (``note.zh``);
* each entry's paper -> the reference ``s2:<200000000 + N>`` for generator id ``pNNNNN``
  (a Semantic Scholar corpus id cannot start with 0, so the number is offset), with a
  snapshot record holding its title, authors and abstract (``source: s2``).

The data set has Chinese notes only, and the other tools' English pages show that Chinese
note; digest does the same (its English pages fall back to the Chinese note, marked as
Chinese), so the site sets ``policies.missing_translation: ignore`` instead of warning 2,000
times.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))  # this checkout's digest

from sitegen import prepare_out, write_site  # noqa: E402

from digest.core.ids import PaperRef  # noqa: E402
from digest.core.models import PaperMeta  # noqa: E402

#: ``fetched_at`` of every converted record: the generator's start date, never the clock.
FETCHED_AT = "2024-01-01T00:00:00Z"
S2_OFFSET = 200_000_000

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def ref_of(entry_id: str) -> PaperRef:
    """``p00042`` -> ``s2:200000042``."""
    if not (entry_id.startswith("p") and entry_id[1:].isdigit()):
        raise SystemExit(f"entries.yaml: entry id {entry_id!r} is not of the form pNNNNN")
    return PaperRef("s2", str(S2_OFFSET + int(entry_id[1:])))


def convert(data: dict) -> tuple[dict, list[dict], dict[str, dict], list[PaperMeta]]:
    """The generator's data set -> (site, categories, editions by slug, snapshot records)."""
    site = {
        "title": {"en": "Paper Digest", "zh": "论文周报"},
        "description": {
            "en": "Synthetic benchmark content shared with the Hugo and Pelican comparison sites.",
            "zh": "与 Hugo、Pelican 对比站点相同的合成测试内容。",
        },
        "base_url": "https://example.org/",
        "languages": ["en", "zh"],
        "default_language": "en",
        "author": "Digest",
        "policies": {"missing_translation": "ignore", "missing_metadata": "warning", "repeated_paper": "warning"},
    }
    categories = [{"key": c["slug"], "name": {"en": c["en"], "zh": c["zh"]}} for c in data["categories"]]
    editions: dict[str, dict] = {}
    for ed in data["editions"]:
        number, slug = ed["number"], ed["id"]
        editions[slug] = {
            "date": str(ed["date"])[:10],
            "conference": "Synthetic benchmark",
            "series": "weekly",
            "title": {"en": f"Weekly edition #{number} ({slug})", "zh": f"第 {number} 期周刊（{slug}）"},
            "entries": [],
        }
    records: list[PaperMeta] = []
    for entry in data["entries"]:
        ref = ref_of(entry["id"])
        edition = editions.get(entry["edition"])
        if edition is None:
            raise SystemExit(f"entries.yaml: entry {entry['id']} names an unknown edition {entry['edition']!r}")
        edition["entries"].append({
            "paper": str(ref),
            "category": entry["category"],
            "tags": list(entry["tags"]),
            "title": {"zh": entry["title_zh"]},
            "note": {"zh": entry["note_zh"]},
        })
        records.append(PaperMeta(
            ref=ref, source="s2", fetched_at=FETCHED_AT, title=entry["title"],
            authors=tuple(entry["authors"]), abstract=entry["abstract"],
            year=int(str(entry["date"])[:4]),
        ))
    return site, categories, editions, records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", type=Path, required=True, help="the shared generator's output folder (holding data/entries.yaml)")
    parser.add_argument("--out", type=Path, required=True, help="site folder to write (created; must be empty or an earlier output)")
    args = parser.parse_args(argv)
    source = args.src / "data" / "entries.yaml"
    try:
        data = yaml.load(source.read_text(encoding="utf-8"), Loader=_Loader)
    except OSError as exc:
        raise SystemExit(f"{source}: cannot read ({exc.strerror}); run the shared benchmark generator first "
                         "(see bench/README.md)") from None
    site, categories, editions, records = convert(data)
    prepare_out(args.out)
    header = "Benchmark content converted by bench/convert_shared.py from the shared generator's data set."
    counts = write_site(args.out, site, categories, editions, records, header)
    print(f"wrote {counts['editions']} editions, {counts['entries']} entries, "
          f"{counts['records']} snapshot records under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
