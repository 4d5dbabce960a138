"""digest check against the metadata snapshot: wrong ids, missing records, repeated papers."""

from __future__ import annotations

import io
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from digest.checks.snapshot import titles_match
from digest.cli import main

HERE = Path(__file__).parent
BASE = HERE / "cases" / "base"


def run_check(root: Path) -> tuple[int, list[str]]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["check", "--root", str(root)])
    return code, err.getvalue().splitlines()


def site_with(tmp_path: Path, editions: dict[str, str]) -> Path:
    root = tmp_path / "site"
    shutil.copytree(BASE, root)
    (root / "content" / "editions").mkdir()
    for name, text in editions.items():
        (root / "content" / "editions" / name).write_text(text, encoding="utf-8")
    return root


#: Warnings for the base site's categories that no test edition here files an entry under.
EMPTY = {
    key: f"content/categories.yaml:{line}:10: warning: categories[{i}].key: category '{key}' has no entries in any "
         "edition (its page and feed would be empty: file entries under it, or remove it)"
    for i, (key, line) in enumerate((("optimization", 2), ("model-compression", 4), ("other", 6)))
}

HEAD = "date: {date}\nconference: ICLR 2018\ntitle: {{en: T, zh: 题}}\nentries:\n"


def test_a_curator_title_that_names_another_paper_is_caught(tmp_path: Path):
    # The slip of a real roundup: a heading names one paper, the link points to another.
    root = site_with(tmp_path, {"w1.yaml": HEAD.format(date="2018-02-10") + (
        "  - paper: openreview:ryQu7f-RZ\n"
        "    category: optimization\n"
        "    title:\n"
        "      en: Unsupervised Cross-Domain Image Generation\n"
    )})
    code, lines = run_check(root)
    assert code == 1
    assert lines == [
        EMPTY["model-compression"],
        EMPTY["other"],
        "content/editions/w1.yaml:8:11: error: entries[0].title.en: 'Unsupervised Cross-Domain Image Generation' does not "
        "match the fetched title of openreview:ryQu7f-RZ, 'On the Convergence of Adam and Beyond' (check the reference: it "
        "may point to another paper; or remove title.en to use the fetched one)",
        "digest check: 1 error, 2 warnings",
    ]


def test_a_title_fix_that_only_changes_case_or_punctuation_is_accepted(tmp_path: Path):
    root = site_with(tmp_path, {"w1.yaml": HEAD.format(date="2018-02-10") + (
        "  - paper: openreview:ryQu7f-RZ\n    category: optimization\n    title:\n      en: On the convergence of ADAM, and beyond\n"
    )})
    assert run_check(root) == (0, [EMPTY["model-compression"], EMPTY["other"]])
    assert titles_match("Deep Gradient Compression", "Deep gradient compression.")
    assert not titles_match("Adversarial examples in the physical world", "Unsupervised Cross-Domain Image Generation")


def test_missing_record_and_repeated_paper_are_warnings(tmp_path: Path):
    root = site_with(tmp_path, {
        "w1.yaml": HEAD.format(date="2018-02-10") + "  - paper: openreview:ryQu7f-RZ\n    category: optimization\n",
        "w2.yaml": HEAD.format(date="2018-02-17") + (
            "  - paper: openreview:ryQu7f-RZ\n    category: optimization\n"
            "  - paper: arxiv:1710.10571\n    category: other\n"
        ),
    })
    code, lines = run_check(root)
    assert code == 0
    assert lines == [
        EMPTY["model-compression"],
        "content/editions/w2.yaml:5:12: warning: entries[0].paper: openreview:ryQu7f-RZ is already covered in edition w1 "
        "(content/editions/w1.yaml) (keep it if the repeat is intended; set policies.repeated_paper to ignore to silence this)",
        "content/editions/w2.yaml:7:12: warning: entries[1].paper: arxiv:1710.10571 has no record in the metadata snapshot "
        "(run digest fetch, or check the reference; until then the entry shows the curator's fields only)",
    ]


def test_the_same_paper_under_two_schemes_with_no_id_between_them_is_caught_by_its_title(tmp_path: Path):
    from digest.core.ids import PaperRef
    from digest.core.models import PaperMeta
    from digest.metadata.store import Store

    root = site_with(tmp_path, {
        "w1.yaml": HEAD.format(date="2018-02-10") + (
            "  - paper: openreview:Hk6kPgZA-\n    category: optimization\n"
            "  - paper: arxiv:1710.10571\n    category: optimization\n"
            "  - paper: arxiv:1904.09237\n    category: model-compression\n"
            "  - paper: arxiv:1712.01887\n    category: other\n"
        ),
    })
    store = Store(root / "content" / "snapshot")
    store.put(PaperMeta(ref=PaperRef("arxiv", "1712.01887"), source="arxiv", fetched_at="2026-01-01T00:00:00Z",
                        title="Deep Gradient Compression", arxiv_id="1712.01887"))
    title = "Certifying Some Distributional Robustness with Principled Adversarial Training"
    store.put(PaperMeta(ref=PaperRef("openreview", "Hk6kPgZA-"), source="openreview",
                        fetched_at="2026-01-01T00:00:00Z", title=title, openreview_id="Hk6kPgZA-"))
    store.put(PaperMeta(ref=PaperRef("arxiv", "1710.10571"), source="arxiv", fetched_at="2026-01-01T00:00:00Z",
                        title=title.upper() + ".", arxiv_id="1710.10571"))
    store.put(PaperMeta(ref=PaperRef("arxiv", "1904.09237"), source="arxiv", fetched_at="2026-01-01T00:00:00Z",
                        title="On the Convergence of Adam and Beyond", arxiv_id="1904.09237"))
    code, lines = run_check(root)
    assert code == 0
    assert lines == [
        "content/editions/w1.yaml:7:12: warning: entries[1].paper: arxiv:1710.10571 has the same fetched title as "
        f"entries[0] (openreview:Hk6kPgZA-): probably the same paper, '{title.upper()}.' (remove one of the two "
        "entries, or keep both if they are different papers)",
    ]


def test_the_same_paper_under_two_schemes_is_caught_through_the_snapshot(tmp_path: Path):
    from digest.core.ids import PaperRef
    from digest.core.models import PaperMeta
    from digest.metadata.store import Store

    root = site_with(tmp_path, {
        "w1.yaml": HEAD.format(date="2018-02-10") + "  - paper: openreview:ryQu7f-RZ\n    category: optimization\n",
        "w2.yaml": HEAD.format(date="2018-02-17") + (
            "  - paper: openreview:SkhQHMW0W\n    category: other\n"
            "  - paper: arxiv:1712.01887v3\n    category: other\n"
            "  - paper: arxiv:1904.09237\n    category: optimization\n"
        ),
    })
    store = Store(root / "content" / "snapshot")
    for arxiv_id, forum, title in (("1712.01887", "SkhQHMW0W", "Deep Gradient Compression: Reducing the Communication "
                                    "Bandwidth for Distributed Training"),
                                   ("1904.09237", "ryQu7f-RZ", "On the Convergence of Adam and Beyond")):
        store.put(PaperMeta(ref=PaperRef("arxiv", arxiv_id), source="arxiv", fetched_at="2026-01-01T00:00:00Z",
                            title=title, arxiv_id=arxiv_id, openreview_id=forum))
    code, lines = run_check(root)
    assert code == 1
    assert lines == [
        "content/categories.yaml:4:10: warning: categories[1].key: category 'model-compression' has no entries in any "
        "edition (its page and feed would be empty: file entries under it, or remove it)",
        "content/editions/w2.yaml:7:12: error: entries[1].paper: arxiv:1712.01887v3 is the same paper as entries[0] "
        "(openreview:SkhQHMW0W), by the snapshot (remove one of the two entries)",
        "content/editions/w2.yaml:9:12: warning: entries[2].paper: arxiv:1904.09237 is already covered in edition w1 "
        "(content/editions/w1.yaml) (keep it if the repeat is intended; set policies.repeated_paper to ignore to silence this)",
        "digest check: 1 error, 2 warnings",
    ]
