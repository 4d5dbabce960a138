"""digest check --fix: the copy-editing changes, written into the YAML and nowhere else (byte-exact)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from digest.checks import fix as fix_module
from digest.checks.fix import _rewrite
from digest.checks.texts import Source
from digest.content import yamlload as Y
from digest.content.sourcemap import line_starts, source_map
from digest.core.models import Edition
from tests.test_check_text import CONTROLS, check
from tests.test_check_text import site as text_site

HERE = Path(__file__).parent
CASE = HERE / "cases" / "fix"
BASE = HERE / "cases" / "base"

#: What is still reported after --fix: the > block and the plain text over two lines are left alone.
LEFT = [
    "content/editions/w1.yaml:25:12: warning: entries[2].paper: arxiv:1710.10571 has no record in the metadata snapshot "
    "(run digest fetch, or check the reference; until then the entry shows the curator's fields only)",
    "content/editions/w1.yaml:30:11: warning: entries[2].note.zh: Chinese copy-editing: '块里的GPU不会被' should read "
    "'块里的 GPU 不会被' (fix it by hand: --fix rewrites only one-line texts and | blocks)",
    "content/editions/w1.yaml:33:7: warning: entries[2].meta_review.en: missing the en translation (add en: under meta_review)",
    "content/editions/w1.yaml:33:11: warning: entries[2].meta_review.zh: Chinese copy-editing: '不改写GPU' should read "
    "'不改写 GPU' (fix it by hand: --fix rewrites only one-line texts and | blocks)",
]


def site(tmp_path: Path, data: bytes) -> tuple[Path, Path]:
    root = tmp_path / "site"
    shutil.copytree(BASE, root)
    (root / "content" / "editions").mkdir()
    path = root / "content" / "editions" / "w1.yaml"
    path.write_bytes(data)
    return root, path


@pytest.mark.parametrize("variant", ["lf", "crlf-bom"])
def test_fix_rewrites_only_the_changed_characters(tmp_path: Path, variant: str):
    def form(data: bytes) -> bytes:
        return b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n") if variant == "crlf-bom" else data

    root, path = site(tmp_path, form((CASE / "edition.yaml").read_bytes()))
    code, lines, out = check(root, "--fix")
    assert code == 0
    assert out == ("fixed content/editions/w1.yaml: entries[0].note.zh, entries[1].note.zh, intro.zh, title.zh\n"
                   "digest check: 1 edition, 3 entries: 4 warnings\n")
    assert lines == LEFT
    assert path.read_bytes() == form((CASE / "edition.fixed.yaml").read_bytes())
    # a second run finds nothing more to fix and leaves the file alone
    before = path.stat().st_mtime_ns
    code, lines, out = check(root, "--fix")
    assert (code, lines, out) == (0, LEFT, "digest check: 1 edition, 3 entries: 4 warnings\n")
    assert path.stat().st_mtime_ns == before


def test_an_edit_that_would_not_read_back_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    original = ("date: 2018-02-10\nconference: ICLR 2018\ntitle: {en: T, zh: 题}\nentries:\n"
                "  - paper: openreview:ryQu7f-RZ\n    category: optimization\n    note: {en: N, zh: 用了GPU}\n")
    root, path = site(tmp_path, original.encode())
    real = fix_module.corrected
    # a linter answer that, written into a plain scalar, would start a comment and cut the title short
    monkeypatch.setattr(fix_module, "corrected", lambda value, markdown: value + " #1" if value == "题" else real(value, markdown))
    code, lines, out = check(root, "--fix")
    assert path.read_text(encoding="utf-8") == original.replace("用了GPU", "用了 GPU")  # the other text is fixed
    assert out.startswith("fixed content/editions/w1.yaml: entries[0].note.zh\n")
    assert lines[0] == ("content/editions/w1.yaml:3:20: warning: title.zh: --fix left this text alone: the edited file "
                        "would not read back the same (apply the change by hand)")
    assert (BASE / "content" / "site.yaml").read_bytes() == (root / "content" / "site.yaml").read_bytes()


def test_a_file_with_mixed_line_ends_is_left_alone(tmp_path: Path):
    original = (CASE / "edition.yaml").read_bytes().replace(b"\n", b"\r\n", 3)
    root, path = site(tmp_path, original)
    _, lines, out = check(root, "--fix")
    assert path.read_bytes() == original
    assert "fixed" not in out
    assert lines[0] == ("content/editions/w1.yaml:7:7: warning: title.zh: --fix left this text alone: the file mixes "
                        "line ends (save the file with one kind of line end and run digest check --fix again)")


def _texts(tmp_path: Path, text: str):
    path = tmp_path / "e.yaml"
    path.write_text(text, encoding="utf-8")
    source = Source("e.yaml", path, text, Y.read(path, "e.yaml").root, Edition)
    return {t.path: t for t in source.texts()}


def test_rewrites_escape_what_the_style_needs(tmp_path: Path):
    text = ("title:\n  en: 'It''s'\n  zh: \"a\\u00e9b \\\"q\\\"\"\n"
            "intro:\n  zh: |-\n    one\n\n      two\n")
    texts = _texts(tmp_path, text)
    single, double, block = texts["title.en"], texts["title.zh"], texts["intro.zh"]
    assert (single.value, double.value, block.value) == ("It's", 'aéb "q"', "one\n\n  two")
    assert _rewrite(text, single, "It's 'x'") == text.replace("'It''s'", "'It''s ''x'''")
    assert _rewrite(text, double, 'aéb "q" \\') == text.replace('\\"q\\""', '\\"q\\" \\\\"')
    assert _rewrite(text, double, 'aéXb "q"') == text.replace("\\u00e9b", "\\u00e9Xb")
    assert _rewrite(text, block, "one\n\n  two, three") == text.replace("two\n", "two, three\n")
    assert _rewrite(text, block, "one two") is None  # a line break would go: never rewritten
    assert _rewrite(text, block, "one\n\n  two\nthree") is None


def test_source_maps_only_what_they_can_rebuild(tmp_path: Path):
    text = ("a:\n  zh: >\n    folded\n  en: plain over\n    two lines\n  de: \"bad \\q\"\n  fr: |2\n     indented\n")
    path = tmp_path / "x.yaml"
    path.write_text(text.replace('"bad \\q"', '"ok"'), encoding="utf-8")
    nodes = {k.value: v for k, v in Y.read(path, "x.yaml").root.value[0][1].value}
    starts = line_starts(text)
    assert source_map(text, starts, nodes["zh"]) is None  # folded
    assert source_map(text, starts, nodes["en"]) is None  # plain over two lines
    assert source_map(text, starts, nodes["fr"]) is None  # explicit indentation indicator


def test_fix_removes_control_characters_and_only_them(tmp_path: Path):
    root = text_site(tmp_path, CONTROLS.replace("用了 GPU", "用了GPU"))
    path = root / "content" / "editions" / "w1.yaml"
    code, lines, out = check(root, "--fix")
    assert code == 0
    assert out == ("fixed content/editions/w1.yaml: conference, entries[0].note.en, entries[0].note.zh, "
                   "entries[1].note.zh, title.en\ndigest check: 2 editions, 4 entries: 1 warning\n")
    assert lines == ["content/editions/w1.yaml:13:11: warning: entries[1].note.en: control character U+0007 in the "
                     "text: pages and feeds drop it (remove it by hand: --fix rewrites only one-line texts and | blocks)"]
    expected = (CONTROLS.replace("\\a\"\ntitle", "\"\ntitle").replace("\\e[31m", "[31m").replace("\\x07", "")
                .replace("\\u0007", "").replace("\\f", "").replace("用了 GPU\\b", "用了 GPU").replace("\\x9b", ""))
    assert path.read_text(encoding="utf-8") == expected  # copy-edited too; the folded text left as it was
    assert "two lines\\a." in expected


def test_fix_leaves_control_characters_when_their_policy_is_ignore(tmp_path: Path):
    root = text_site(tmp_path, CONTROLS.replace("用了 GPU", "用了GPU"), "  control_characters: ignore\n")
    path = root / "content" / "editions" / "w1.yaml"
    code, lines, out = check(root, "--fix")
    assert (code, lines) == (0, [])
    assert out.startswith("fixed content/editions/w1.yaml: entries[0].note.zh\n")
    assert path.read_text(encoding="utf-8") == CONTROLS  # copy-edited, every control character kept
