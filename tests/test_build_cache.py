"""The build cache (digest/incremental.py, digest/core/cache.py): a rebuild renders and
writes only what changed, a no-op reads no YAML, and nothing about the cache can make the
site differ from a cold build of the same input."""

from __future__ import annotations

import os
import pickle
import shutil
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import REPO, digest_command, tree

from digest.content import yamlload
from digest.core import cache as cache_module
from digest.core.cache import CACHE_DIR, CACHE_FILE, Cache
from digest.pipeline import build

NOTE_FILE = "content/editions/iclr2017-highlights.yaml"
NOTE_TEXT = "A deflating result, in the best sense."


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(REPO / "content", root / "content")
    return root


def identities(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file below ``folder``: (inode, modification time), to tell which were rewritten."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            st = path.stat()
            found[path.relative_to(folder).as_posix()] = (st.st_ino, st.st_mtime_ns)
    return found


def cold(root: Path, tmp: Path) -> dict[str, bytes]:
    """The output of a cold build of ``root``'s input, made in another folder with no cache."""
    copy = tmp / "cold-site"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(CACHE_DIR, "output"))
    build(copy, copy / "output", cache=False)
    assert not (copy / CACHE_DIR).exists()
    return tree(copy / "output")


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{rel} no longer holds {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_no_op_rebuild_reads_no_yaml_and_writes_nothing(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = site / "output"
    first = build(site, out)
    assert first.written == first.files
    before = identities(out)

    def refuse(*args: object) -> None:
        raise AssertionError("a no-op rebuild parsed YAML")

    monkeypatch.setattr(yamlload, "read", refuse)
    again = build(site, out)
    assert (again.written, again.unchanged, again.files) == (0, first.files, first.files)
    assert again.warnings == first.warnings and again.pages == first.pages and again.feeds == first.feeds
    assert identities(out) == before


def test_one_edited_note_rewrites_only_the_files_that_show_it(site: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    out = site / "output"
    build(site, out)
    before = identities(out)
    parsed: list[str] = []
    real_read = yamlload.read

    def counting(path: Path, rel: str) -> yamlload.Document:
        parsed.append(rel)
        return real_read(path, rel)

    monkeypatch.setattr(yamlload, "read", counting)
    edit(site, NOTE_FILE, NOTE_TEXT, "A deflating result, in the very best sense.")
    report = build(site, out)
    after = identities(out)
    changed = sorted(p for p in after if after[p] != before.get(p))
    # only the edited edition file is parsed again (site.yaml and categories.yaml are always read),
    # by the loader and by the text checks whose policies are errors (digest.checks.project)
    assert {rel for rel in parsed if rel.startswith("content/editions/")} == {NOTE_FILE}
    slug, paper, category = "iclr2017-highlights", "openreview-BJhZeLsxx", "generative-models"
    # with digest[search]: the English index and the list of indexes, nothing of the others'
    indexed = [p for p in changed if p.startswith("pagefind/")]
    assert all(p == "pagefind/pagefind-entry.json" or p.rsplit("/", 1)[-1].removeprefix("pagefind.").startswith("en_")
               for p in indexed), indexed
    assert sorted(p for p in changed if p not in indexed) == sorted([
        ".digest-output",  # the marker of the new output folder
        f"en/{slug}/index.html", f"en/{slug}/{paper}/index.html", f"en/category/{category}/index.html",
        f"en/category/{category}/feed.xml", "en/feed.xml", "en/atom.xml", "en/feed.json",
        *(f"en/tag/{tag}/{name}" for tag in ("random-features", "texture-synthesis")  # the entry's tags
          for name in ("index.html", "feed.xml", "atom.xml")),
    ]), changed
    assert report.written == len(changed) - 1
    assert tree(out) == cold(site, tmp_path)


def test_deleting_the_cache_gives_a_cold_build_of_the_same_bytes(site: Path) -> None:
    out = site / "output"
    build(site, out)
    before = tree(out)
    shutil.rmtree(site / CACHE_DIR)
    report = build(site, out)
    assert report.written == 0 and report.unchanged == report.files  # rendered again, all the same
    assert tree(out) == before
    assert (site / CACHE_DIR / CACHE_FILE).is_file()


def test_a_cache_of_other_code_is_not_used(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = site / "output"
    build(site, out)
    with sqlite3.connect(site / CACHE_DIR / CACHE_FILE) as db:
        assert db.execute("SELECT count(*) FROM value").fetchone()[0] > 0
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda: "another version")
    monkeypatch.setattr(yamlload, "read", _counted(yamlload.read, calls := []))
    build(site, out)
    assert any(rel.startswith("content/editions/") for rel in calls), "a cache of other code was trusted"
    with sqlite3.connect(site / CACHE_DIR / CACHE_FILE) as db:
        assert db.execute("SELECT value FROM about WHERE name='code'").fetchone()[0] == "another version"


def _counted(func, calls: list[str]):
    def wrapper(path: Path, rel: str):
        calls.append(rel)
        return func(path, rel)
    return wrapper


@pytest.mark.parametrize("damage", ["garbage", "empty", "truncated"])
def test_a_damaged_cache_file_gives_a_correct_build(site: Path, tmp_path: Path, damage: str) -> None:
    out = site / "output"
    build(site, out)
    path = site / CACHE_DIR / CACHE_FILE
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    data = path.read_bytes()
    path.write_bytes({"garbage": b"not a database " * 100, "empty": b"", "truncated": data[:len(data) // 3]}[damage])
    edit(site, NOTE_FILE, NOTE_TEXT, "Rewritten after the cache broke.")
    build(site, out)
    assert tree(out) == cold(site, tmp_path)


def test_a_planted_value_cannot_run_code(site: Path, tmp_path: Path) -> None:
    out = site / "output"
    build(site, out)
    witness = tmp_path / "ran"

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {witness}",))

    with sqlite3.connect(site / CACHE_DIR / CACHE_FILE) as db:
        db.execute("UPDATE value SET data=?", (pickle.dumps(Exploit()),))
        db.execute("UPDATE target SET data=?", (pickle.dumps(Exploit()),))
    edit(site, NOTE_FILE, NOTE_TEXT, "After the planted values.")
    build(site, out)
    assert not witness.exists()
    assert tree(out) == cold(site, tmp_path)


def test_an_output_file_changed_by_hand_is_rendered_again(site: Path) -> None:
    out = site / "output"
    build(site, out)
    before = tree(out)
    page = out / "en" / "index.html"
    page.write_bytes(b"<p>edited by hand</p>\n")
    (out / "en" / "stray.html").write_bytes(b"not from the build\n")
    (out / "zh" / "feed.xml").unlink()
    build(site, out)
    assert tree(out) == before


def test_a_template_edit_reaches_every_page_and_only_pages_that_change(site: Path, tmp_path: Path) -> None:
    out = site / "output"
    build(site, out)
    own = site / "templates"
    own.mkdir()
    text = (REPO / "digest" / "templates" / "paper.html").read_text(encoding="utf-8")
    (own / "paper.html").write_text(text.replace("{% block main %}", "{% block main %}\n<p class=x>own</p>"),
                                    encoding="utf-8")
    before = identities(out)
    build(site, out)
    after = identities(out)
    changed = {p for p in after if after[p] != before.get(p)}
    papers = {p for p in after if p.count("/") == 3 and p.endswith("/index.html")
              and not any(f"/{folder}/" in p for folder in ("category", "tag", "papers"))}
    assert papers and papers <= changed
    assert "en/index.html" not in changed
    assert tree(out) == cold(site, tmp_path)


def test_a_scheduled_edition_appears_on_its_day(site: Path, tmp_path: Path) -> None:
    out = site / "output"
    text = (site / "content" / "editions" / "iclr2020-best-papers.yaml").read_text(encoding="utf-8")
    day = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("date:"))
    first = date.fromisoformat(day.strip("'\""))
    before = build(site, out, as_of=date.fromordinal(first.toordinal() - 1))
    assert build(site, out, as_of=date.fromordinal(first.toordinal() - 1)).written == 0
    on_the_day = build(site, out, as_of=first)
    assert on_the_day.editions == before.editions + 1
    assert on_the_day.written > 0


def test_no_cache_builds_cold_and_leaves_no_cache(site: Path) -> None:
    out = site / "output"
    report = build(site, out, cache=False)
    assert report.written == report.files
    assert not (site / CACHE_DIR).exists()


def test_inputs_changed_while_a_build_reads_them_are_not_recorded_as_built(site: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A file edited while the build runs: the next build must not take the output as current."""
    out = site / "output"
    build(site, out)
    real_read = yamlload.read
    state = {"done": False}

    def edit_midway(path: Path, rel: str):
        document = real_read(path, rel)
        if rel == NOTE_FILE and not state["done"]:
            state["done"] = True
            edit(site, NOTE_FILE, "Rewritten once.", "Rewritten twice.")
        return document

    edit(site, NOTE_FILE, NOTE_TEXT, "Rewritten once.")
    monkeypatch.setattr(yamlload, "read", edit_midway)
    build(site, out)  # read the first edit; the second came while it ran
    monkeypatch.setattr(yamlload, "read", real_read)
    assert "Rewritten once." in (out / "en" / "iclr2017-highlights" / "index.html").read_text(encoding="utf-8")
    build(site, out)
    assert "Rewritten twice." in (out / "en" / "iclr2017-highlights" / "index.html").read_text(encoding="utf-8")


def test_a_save_between_hashing_a_file_and_parsing_it_leaves_no_value_under_the_wrong_key(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file is hashed (its key), then saved by the curator, then parsed: the value holds
    the new bytes under the old bytes' key. Once the file is back to the old bytes (an undo),
    no build may take that value."""
    out = site / "output"
    edit(site, NOTE_FILE, NOTE_TEXT, "A note this cache has never seen.")  # a key with no value yet
    real_read = yamlload.read
    state = {"done": False}

    def saved_just_before_parsing(path: Path, rel: str):
        if rel == NOTE_FILE and not state["done"]:
            state["done"] = True
            edit(site, NOTE_FILE, "A note this cache has never seen.", "Saved while the build read it.")
        return real_read(path, rel)

    monkeypatch.setattr(yamlload, "read", saved_just_before_parsing)
    build(site, out)
    monkeypatch.setattr(yamlload, "read", real_read)
    edit(site, NOTE_FILE, "Saved while the build read it.", "A note this cache has never seen.")  # the undo
    build(site, out)
    assert tree(out) == cold(site, tmp_path)


def test_a_link_loop_among_the_inputs_is_not_followed_forever(site: Path, tmp_path: Path) -> None:
    (site / "content" / "images").mkdir(exist_ok=True)
    os.symlink(".", site / "content" / "images" / "self")
    out = site / "output"
    build(site, out)
    assert build(site, out).written == 0
    os.unlink(site / "content" / "images" / "self")
    assert tree(out) == cold(site, tmp_path)


def test_cache_values_round_trip_and_refuse_foreign_classes(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    value = {"when": date(2018, 1, 5), "words": ("a", "b"), "set": frozenset({1})}
    cache.put("k", value)
    assert cache.get("k") == value
    assert cache.get("missing") is None
    with pytest.raises(pickle.UnpicklingError):
        cache_module.loads(pickle.dumps(subprocess.Popen))
    cache.close()


def test_build_timings_and_no_cache_on_the_command_line(site: Path) -> None:
    run = subprocess.run([*digest_command(), "build", "--root", str(site), "--timings"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    stages = lines[lines.index("digest build: time by stage") + 1:]
    names = [line.split("  ")[1].strip() for line in stages]
    assert names[0] == "check for changes" and "render languages" in names and names[-1] == "total"
    again = subprocess.run([*digest_command(), "build", "--root", str(site), "--timings"],
                           capture_output=True, text=True, timeout=120)
    assert "(0 written," in again.stdout and "render languages" not in again.stdout
    shutil.rmtree(site / CACHE_DIR)
    plain = subprocess.run([*digest_command(), "build", "--root", str(site), "--no-cache"],
                           capture_output=True, text=True, timeout=120)
    assert plain.returncode == 0, plain.stderr
    assert not (site / CACHE_DIR).exists()


def test_a_reader_that_goes_away_gets_no_traceback(site: Path) -> None:
    """``digest build | true``: the summary meets a pipe whose reader left without reading."""
    reader = subprocess.Popen(["true"], stdin=subprocess.PIPE)
    reader.wait()
    writer = subprocess.run([sys.executable, "-c", "from digest.cli import main; raise SystemExit(main())",
                             "build", "--root", str(site)], stdin=subprocess.DEVNULL, stdout=reader.stdin,
                            stderr=subprocess.PIPE, text=True, timeout=120, cwd=REPO)
    reader.stdin.close()
    assert "Traceback" not in writer.stderr, writer.stderr
    assert writer.returncode == 141
