"""digest check: a category that no published edition files an entry under."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.test_check_text import check

BASE = Path(__file__).parent / "cases" / "base"


def test_empty_categories_are_warned_at_their_key(tmp_path: Path):
    root = tmp_path / "site"
    shutil.copytree(BASE, root)
    editions = root / "content" / "editions"
    editions.mkdir()
    (editions / "w1.yaml").write_text(
        "date: 2018-02-10\nconference: ICLR 2018\ntitle: {en: T, zh: 题}\n"
        "entries:\n  - {paper: 'openreview:ryQu7f-RZ', category: optimization}\n", encoding="utf-8")
    (editions / "w2.yaml").write_text(
        "date: 2018-02-17\nconference: ICLR 2018\ntitle: {en: T, zh: 题}\ndraft: true\n"
        "entries:\n  - {paper: 'openreview:SkhQHMW0W', category: model-compression}\n", encoding="utf-8")
    code, lines, _ = check(root)
    assert code == 0
    assert lines == [
        "content/categories.yaml:4:10: warning: categories[1].key: category 'model-compression' is used only by draft "
        "editions (its page and feed stay empty until one of them is published)",
        "content/categories.yaml:6:10: warning: categories[2].key: category 'other' has no entries in any edition "
        "(its page and feed would be empty: file entries under it, or remove it)",
    ]
    config = root / "content" / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "policies:\n  empty_category: ignore\n", encoding="utf-8")
    assert check(root)[:2] == (0, [])
