"""Every broken curated file in tests/cases/broken is reported word for word, with line and column.

Each case is copied into a small valid site (tests/cases/base) in a temporary folder:
``site-*.yaml`` replaces content/site.yaml, ``categories-*.yaml`` replaces
content/categories.yaml, anything else becomes the site's one edition. ``digest check``
must print exactly the expected lines on standard error and exit with the expected status.
"""

from __future__ import annotations

import io
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from digest.cli import main
from digest.content.yamlload import MAX_FILE_BYTES

HERE = Path(__file__).parent
BASE = HERE / "cases" / "base"
BROKEN = HERE / "cases" / "broken"


def place(case: Path, tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(BASE, root)
    if case.name.startswith("site-"):
        shutil.copy(case, root / "content" / "site.yaml")
    elif case.name.startswith("categories-"):
        shutil.copy(case, root / "content" / "categories.yaml")
    else:
        (root / "content" / "editions").mkdir(exist_ok=True)
        shutil.copy(case, root / "content" / "editions" / case.name)
    return root


def run_check(root: Path) -> tuple[int, list[str], str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["check", "--root", str(root)])
    text = err.getvalue()
    return code, (text.rstrip("\n").split("\n") if text else []), out.getvalue()


#: The base site files its test entries under optimization only; the other two categories stay empty.
EMPTY_CATEGORY = {
    "model-compression": "content/categories.yaml:4:10: warning: categories[1].key: category 'model-compression' has no "
                         "entries in any edition (its page and feed would be empty: file entries under it, or remove it)",
    "other": "content/categories.yaml:6:10: warning: categories[2].key: category 'other' has no "
             "entries in any edition (its page and feed would be empty: file entries under it, or remove it)",
}

EXPECTED = {
    'alias-bomb.yaml': (1, [
        "content/editions/alias-bomb.yaml:1:4: error: anchor '&a' is not allowed (write the value out in full; curated files do not use anchors or aliases)",
        "content/editions/alias-bomb.yaml:2:4: error: anchor '&b' is not allowed (write the value out in full; curated files do not use anchors or aliases)",
        "content/editions/alias-bomb.yaml:2:8: error: alias '*a' is not allowed (write the value out in full; curated files do not use anchors or aliases)",
        "content/editions/alias-bomb.yaml:3:4: error: anchor '&c' is not allowed (write the value out in full; curated files do not use anchors or aliases)",
        "content/editions/alias-bomb.yaml:3:8: error: alias '*b' is not allowed (write the value out in full; curated files do not use anchors or aliases)",
        "content/editions/alias-bomb.yaml:4:4: error: anchor '&d' is not allowed (write the value out in full; curated files do not use anchors or aliases)",
        "content/editions/alias-bomb.yaml:4:8: error: alias '*c' is not allowed (write the value out in full; curated files do not use anchors or aliases)",
        "content/editions/alias-bomb.yaml:5:5: error: alias '*d' is not allowed (write the value out in full; curated files do not use anchors or aliases)",
        'digest check: 8 errors',
    ]),
    'anchor-alias.yaml': (1, [
        "content/editions/anchor-alias.yaml:7:11: error: anchor '&shared' is not allowed (write the value out in full; curated files do not use anchors or aliases)",
        "content/editions/anchor-alias.yaml:12:11: error: alias '*shared' is not allowed (write the value out in full; curated files do not use anchors or aliases)",
        'digest check: 2 errors',
    ]),
    'bom-crlf.yaml': (0, [
        "content/categories.yaml:4:10: warning: categories[1].key: category 'model-compression' has no entries in any edition (its page and feed would be empty: file entries under it, or remove it)",
        "content/categories.yaml:6:10: warning: categories[2].key: category 'other' has no entries in any edition (its page and feed would be empty: file entries under it, or remove it)",
    ]),
    'categories-bad-key.yaml': (1, [
        "content/categories.yaml:2:10: error: categories[0].key: 'Model Compression' is not a valid key (use lower-case letters, digits and hyphens, as in model-compression)",
        'digest check: 1 error',
    ]),
    'categories-duplicate-key.yaml': (1, [
        "content/categories.yaml:4:10: error: categories[1].key: category 'optimization' is already defined at categories[0] (give each category its own key)",
        'digest check: 1 error',
    ]),
    'category-empty.yaml': (1, [
        'content/editions/category-empty.yaml:6:14: error: entries[0].category: is empty (write a value: a key from categories.yaml)',
        'digest check: 1 error',
    ]),
    'code-not-url.yaml': (1, [
        "content/editions/code-not-url.yaml:7:11: error: entries[0].code: 'github.com/google/example' is not an http(s) URL (write the full address, starting with https://)",
        'digest check: 1 error',
    ]),
    'comments-only.yaml': (1, [
        'content/editions/comments-only.yaml:1:1: error: file is empty (write the fields this file needs, or delete the file)',
        'digest check: 1 error',
    ]),
    'date-does-not-exist.yaml': (1, [
        'content/editions/date-does-not-exist.yaml:1:7: error: date: 2018-02-30 is not a date that exists: day is out of range for month (check the day and the month)',
        'digest check: 1 error',
    ]),
    'date-wrong-format.yaml': (1, [
        "content/editions/date-wrong-format.yaml:1:7: error: date: '10/02/2018' is not a date (write it as YYYY-MM-DD, such as 2018-02-10)",
        'digest check: 1 error',
    ]),
    'draft-quoted.yaml': (1, [
        "content/editions/draft-quoted.yaml:2:8: error: draft: expected true or false, found the text 'yes' (write true or false)",
        'digest check: 1 error',
    ]),
    'duplicate-key.yaml': (1, [
        "content/editions/duplicate-key.yaml:7:5: error: entries[0].category: duplicate key 'category' (first written on line 6) (keep one of them)",
        'digest check: 1 error',
    ]),
    'duplicate-paper.yaml': (1, [
        'content/editions/duplicate-paper.yaml:10:12: error: entries[1].paper: openreview:ryQu7f-RZ is already entries[0] (line 5) (remove one of the two entries)',
        'digest check: 1 error',
    ]),
    'empty.yaml': (1, [
        'content/editions/empty.yaml:1:1: error: file is empty (write the fields this file needs, or delete the file)',
        'digest check: 1 error',
    ]),
    'entries-not-list.yaml': (1, [
        "content/editions/entries-not-list.yaml:5:3: error: entries: expected a list, found a mapping (start each item with '- ')",
        'digest check: 1 error',
    ]),
    'figure-javascript.yaml': (1, [
        "content/editions/figure-javascript.yaml:8:12: error: entries[0].figure.src: 'javascript:alert(1)' is not an http(s) URL or a file below content/ (write a path such as images/figure.png, or an https:// address)",
        'digest check: 1 error',
    ]),
    'figure-missing-file.yaml': (1, [
        "content/editions/figure-missing-file.yaml:8:12: error: entries[0].figure.src: image 'content/images/missing.png' not found (check the file name, or add the file)",
        'digest check: 1 error',
    ]),
    'figure-no-alt.yaml': (1, [
        "content/editions/figure-no-alt.yaml:8:7: error: entries[0].figure.alt: missing required field 'alt' (add alt: {en: …, zh: …})",
        'digest check: 1 error',
    ]),
    'figure-outside-content.yaml': (1, [
        "content/editions/figure-outside-content.yaml:8:12: error: entries[0].figure.src: '../../secrets.png' points outside content/ (write a path below content/, such as images/figure.png)",
        'digest check: 1 error',
    ]),
    'highlight-yes.yaml': (1, [
        'content/editions/highlight-yes.yaml:7:16: error: entries[0].highlight: expected true or false, found the boolean yes (write true or false)',
        'digest check: 1 error',
    ]),
    'language-alias.yaml': (1, [
        "content/editions/language-alias.yaml:9:7: error: entries[0].note.cn: unknown language 'cn' (write zh)",
        'digest check: 1 error',
    ]),
    'missing-category.yaml': (1, [
        "content/editions/missing-category.yaml:5:5: error: entries[0].category: missing required field 'category' (add category: a key from categories.yaml)",
        'digest check: 1 error',
    ]),
    'missing-date.yaml': (1, [
        "content/editions/missing-date.yaml:1:1: error: date: missing required field 'date' (add date: 2018-02-10)",
        'digest check: 1 error',
    ]),
    'missing-entries.yaml': (1, [
        "content/editions/missing-entries.yaml:1:1: error: entries: missing required field 'entries' (add entries: a list of items)",
        'digest check: 1 error',
    ]),
    'missing-translation.yaml': (0, [
        "content/categories.yaml:4:10: warning: categories[1].key: category 'model-compression' has no entries in any edition (its page and feed would be empty: file entries under it, or remove it)",
        "content/categories.yaml:6:10: warning: categories[2].key: category 'other' has no entries in any edition (its page and feed would be empty: file entries under it, or remove it)",
        'content/editions/missing-translation.yaml:8:7: warning: entries[0].note.zh: missing the zh translation (add zh: under note)',
    ]),
    'nul-byte.yaml': (1, [
        'content/editions/nul-byte.yaml:6:21: error: character U+0000 is not allowed in a YAML file (remove it; a control character can be written in a text only as an escape in double quotes, such as "\\x07")',
        'digest check: 1 error',
    ]),
    'not-utf8.yaml': (1, [
        'content/editions/not-utf8.yaml:3:27: error: file is not UTF-8 but GBK, the Simplified Chinese Windows encoding: '
        'byte 0xB5 cannot be decoded as UTF-8 (save it as UTF-8, or convert it with iconv -f GBK -t UTF-8)',
        'digest check: 1 error',
    ]),
    'note-not-localized.yaml': (1, [
        "content/editions/note-not-localized.yaml:7:11: error: entries[0].note: expected text per language, found the text 'Just one language, no keys.' (write one line per language, such as en: …)",
        'digest check: 1 error',
    ]),
    'reference-as-number.yaml': (1, [
        "content/editions/reference-as-number.yaml:5:12: error: entries[0].paper: YAML reads 1710.10570 as a number, not a paper reference (write it in quotes with its scheme: 'arxiv:1710.10570')",
        'digest check: 1 error',
    ]),
    'reference-bad-arxiv.yaml': (1, [
        "content/editions/reference-bad-arxiv.yaml:5:12: error: entries[0].paper: '17.10571' is not an arXiv id (write it as arxiv:1710.10571, or arxiv:1710.10571v2 to pin a version)",
        'digest check: 1 error',
    ]),
    'reference-bad-doi.yaml': (1, [
        "content/editions/reference-bad-doi.yaml:5:12: error: entries[0].paper: '11.1145/3292500' is not a DOI (a DOI starts with 10. and has a slash, as in doi:10.1145/3292500)",
        'digest check: 1 error',
    ]),
    'reference-no-scheme.yaml': (1, [
        "content/editions/reference-no-scheme.yaml:5:12: error: entries[0].paper: 'ryQu7f-RZ' has no scheme (write openreview:ryQu7f-RZ if it is an OpenReview forum id)",
        'digest check: 1 error',
    ]),
    'reference-openreview-group.yaml': (1, [
        "content/editions/reference-openreview-group.yaml:5:12: error: entries[0].paper: 'https://openreview.net/group?id=ICLR.cc/2018/Conference' is not a link to an OpenReview paper (paste the paper's link, as in https://openreview.net/forum?id=ryQu7f-RZ)",
        'digest check: 1 error',
    ]),
    'reference-unknown-scheme.yaml': (1, [
        "content/editions/reference-unknown-scheme.yaml:5:12: error: entries[0].paper: unknown reference scheme 'pubmed' (use one of openreview:, arxiv:, doi:, s2: or paste the paper's URL)",
        'digest check: 1 error',
    ]),
    'reference-unknown-site.yaml': (1, [
        "content/editions/reference-unknown-site.yaml:5:12: error: entries[0].paper: 'example.com' is not a site digest knows (paste an openreview.net, arxiv.org or doi.org link, or write scheme:id)",
        'digest check: 1 error',
    ]),
    'site-bad-base-url.yaml': (1, [
        "content/site.yaml:2:11: error: base_url: 'digest.test' is not an http(s) URL (write the full address, starting with https://)",
        'digest check: 1 error',
    ]),
    'site-bad-feed-id-date.yaml': (1, [
        "content/site.yaml:4:12: error: feeds.id_date: 2018-13 is not a date that exists: month must be in 1..12 (check the month and the day)",
        'digest check: 1 error',
    ]),
    'site-bad-feed-size.yaml': (1, [
        "content/site.yaml:4:13: error: feeds.editions: expected a whole number of 1 or more, found the number 0 (write a number such as 10, without quotes)",
        "content/site.yaml:5:12: error: feeds.entries: expected a whole number of 1 or more, found the text '50' (write a number such as 10, without quotes)",
        'digest check: 2 errors',
    ]),
    'site-bad-policy.yaml': (1, [
        "content/site.yaml:4:24: error: policies.missing_translation: unknown policy 'warn' (did you mean 'warning'?)",
        'digest check: 1 error',
    ]),
    'site-bad-choice.yaml': (1, [
        "content/site.yaml:3:21: error: chinese_conversion: unknown value 'taiwan' (write s2twp, s2tw, s2hk or s2t)",
        "content/site.yaml:5:9: error: fallback.note: unknown value 'hide' (write original, omit or machine)",
        "content/site.yaml:6:13: error: fallback.abstract: expected one of original, omit, machine, found a list (write original, omit or machine)",
        "content/site.yaml:7:3: error: fallback.summary: unknown field 'summary' (allowed: intro, outro, note, tldr, abstract, meta_review, caption, title)",
        'digest check: 4 errors',
    ]),
    'site-languages-inconsistent.yaml': (1, [
        "content/site.yaml:3:12: error: languages: en listed more than once (list each language once)",
        "content/site.yaml:4:19: error: default_language: 'zh-Hant' is not one of the site's languages (en, zh, en) (add it to languages, or choose one of them)",
        'digest check: 2 errors',
    ]),
    'site-traditional-without-source.yaml': (1, [
        "content/categories.yaml:3:30: error: categories[0].name.zh: unknown language 'zh' (add zh to languages in content/site.yaml to derive zh-Hant from it, or write the text under zh-Hant)",
        "content/categories.yaml:5:35: error: categories[1].name.zh: unknown language 'zh' (add zh to languages in content/site.yaml to derive zh-Hant from it, or write the text under zh-Hant)",
        "content/categories.yaml:7:23: error: categories[2].name.zh: unknown language 'zh' (add zh to languages in content/site.yaml to derive zh-Hant from it, or write the text under zh-Hant)",
        "content/site.yaml:3:12: warning: languages: zh-Hant is listed without zh, so nothing is converted into it (add zh to languages to derive zh-Hant from it, or write every zh-Hant text yourself)",
        'digest check: 3 errors, 1 warning',
    ]),
    'site-missing-title.yaml': (1, [
        "content/site.yaml:1:1: error: title: missing required field 'title' (add title: {en: …, zh: …})",
        'digest check: 1 error',
    ]),
    'site-unknown-language.yaml': (1, [
        "content/site.yaml:3:17: error: languages[1]: unknown language 'fr' (this site's languages are en, zh, zh-Hant)",
        'digest check: 1 error',
    ]),
    'slug-invalid.yaml': (1, [
        "content/editions/slug-invalid.yaml:1:7: error: slug: 'Week One' is not a valid key (use lower-case letters, digits and hyphens, as in model-compression)",
        'digest check: 1 error',
    ]),
    'syntax-bad-indent.yaml': (1, [
        "content/editions/syntax-bad-indent.yaml:6:14: error: YAML syntax error: mapping values are not allowed in this context (check this line's indentation, or put text that contains ': ' in quotes)",
        'digest check: 1 error',
    ]),
    'syntax-colon-in-text.yaml': (1, [
        "content/editions/syntax-colon-in-text.yaml:8:18: error: YAML syntax error: mapping values are not allowed in this context (check this line's indentation, or put text that contains ': ' in quotes)",
        'digest check: 1 error',
    ]),
    'syntax-unclosed-quote.yaml': (1, [
        'content/editions/syntax-unclosed-quote.yaml:5:12: error: YAML syntax error: this quoted text is never closed (add the closing quote)',
        'digest check: 1 error',
    ]),
    'tabs.yaml': (1, [
        'content/editions/tabs.yaml:6:1: error: tab character in indentation (indent with spaces; YAML does not allow tabs there)',
        'digest check: 1 error',
    ]),
    'tag-invalid.yaml': (1, [
        "content/editions/tag-invalid.yaml:7:12: error: entries[0].tags[0]: 'Large Batch' is not a valid key (use lower-case letters, digits and hyphens, as in model-compression)",
        'digest check: 1 error',
    ]),
    'tag-python-object.yaml': (1, [
        "content/editions/tag-python-object.yaml:2:13: error: unknown YAML tag '!!python/object/apply:os.system' (remove it: curated files use no tags, the field's type says what a value is)",
        'digest check: 1 error',
    ]),
    'tags-not-list.yaml': (1, [
        "content/editions/tags-not-list.yaml:7:11: error: entries[0].tags: expected a list, found the text 'large-batch' (write it as [a, b] or one '- item' per line)",
        'digest check: 1 error',
    ]),
    'top-level-list.yaml': (1, [
        "content/editions/top-level-list.yaml:1:1: error: expected a mapping of fields, found a list (write one 'name: value' per line)",
        'digest check: 1 error',
    ]),
    'two-documents.yaml': (1, [
        "content/editions/two-documents.yaml:11:1: error: file holds 2 YAML documents (keep one document per file: remove the '---' separator and move the rest to its own file)",
        'digest check: 1 error',
    ]),
    'utf16-bom.yaml': (1, [
        'content/editions/utf16-bom.yaml:1:1: error: file is UTF-16 (little-endian, with a byte order mark), not UTF-8 (save it as UTF-8: in most editors, Save with Encoding, then UTF-8)',
        'digest check: 1 error',
    ]),
    'utf16-no-bom.yaml': (1, [
        'content/editions/utf16-no-bom.yaml:1:1: error: file is UTF-16 (little-endian, without a byte order mark), not UTF-8 (save it as UTF-8: in most editors, Save with Encoding, then UTF-8)',
        'digest check: 1 error',
    ]),
    'unknown-category.yaml': (1, [
        "content/editions/unknown-category.yaml:6:15: error: entries[0].category: unknown category 'optimisation' (did you mean 'optimization'?)",
        'digest check: 1 error',
    ]),
    'unknown-field.yaml': (1, [
        "content/editions/unknown-field.yaml:7:5: error: entries[0].notes: unknown field 'notes' (did you mean 'note'?)",
        'digest check: 1 error',
    ]),
    'unknown-language.yaml': (1, [
        "content/editions/unknown-language.yaml:9:7: error: entries[0].note.fr: unknown language 'fr' (this site's languages are en, zh)",
        'digest check: 1 error',
    ]),
}


def test_every_case_file_has_an_expectation():
    names = sorted(p.name for p in BROKEN.iterdir())
    assert names == sorted(EXPECTED)
    assert len([n for n, (code, _) in EXPECTED.items() if code == 1]) >= 30


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_file_messages(name: str, tmp_path: Path):
    code, lines, _ = run_check(place(BROKEN / name, tmp_path))
    expected_code, expected_lines = EXPECTED[name]
    assert lines == expected_lines
    assert code == expected_code


def test_file_over_the_size_limit_is_refused_before_parsing(tmp_path: Path):
    root = place(BROKEN / "missing-translation.yaml", tmp_path)
    big = root / "content" / "editions" / "huge.yaml"
    # not even valid YAML: the size check must come first
    big.write_bytes(b"[" * (MAX_FILE_BYTES + 1))
    code, lines, _ = run_check(root)
    assert code == 1
    assert (
        f"content/editions/huge.yaml: error: file is {MAX_FILE_BYTES + 1:,} bytes, over the limit of "
        f"{MAX_FILE_BYTES:,} bytes (1 MiB) (split it into several editions)"
    ) in lines


def test_all_problems_of_a_run_are_reported_together(tmp_path: Path):
    root = place(BROKEN / "unknown-field.yaml", tmp_path)
    for name in ("unknown-category.yaml", "reference-as-number.yaml", "tabs.yaml"):
        shutil.copy(BROKEN / name, root / "content" / "editions" / name)
    code, lines, _ = run_check(root)
    assert code == 1
    assert lines[-1] == "digest check: 4 errors"
    files = [line.split(":", 1)[0] for line in lines[:-1]]
    assert files == sorted(files)


def test_warning_policy_can_make_missing_translations_errors(tmp_path: Path):
    root = place(BROKEN / "missing-translation.yaml", tmp_path)
    site = root / "content" / "site.yaml"
    site.write_text(site.read_text() + "policies:\n  missing_translation: error\n")
    code, lines, _ = run_check(root)
    assert code == 1
    assert lines == [
        "content/editions/missing-translation.yaml:8:7: error: entries[0].note.zh: missing the zh translation (add zh: under note)",
        "digest check: 1 error",
    ]
    site.write_text(site.read_text().replace("missing_translation: error", "missing_translation: ignore"))
    code, lines, out = run_check(root)
    assert (code, lines) == (0, [EMPTY_CATEGORY["model-compression"], EMPTY_CATEGORY["other"]])
    assert out == "digest check: 1 edition, 1 entry: 2 warnings\n"


def test_check_writes_nothing(tmp_path: Path):
    root = place(BROKEN / "bom-crlf.yaml", tmp_path)
    before = sorted((p, p.stat().st_mtime_ns) for p in root.rglob("*"))
    assert run_check(root)[0] == 0
    after = sorted((p, p.stat().st_mtime_ns) for p in root.rglob("*"))
    assert before == after
