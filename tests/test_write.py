"""digest.output.staging: the output folder is replaced whole, or not at all."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from digest.core.errors import BuildError
from digest.output import system
from digest.output.staging import MARKER, Part, Staging, recover, start_cleanup, write_output
from digest.output.system import can_fork, map_keys


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (marker excluded) as {relative path: bytes}."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MARKER
    }


def leftovers(out: Path) -> list[str]:
    """Temporary folders beside the output, the spare and the trash of replaced outputs excepted."""
    return sorted(p.name for p in out.parent.iterdir()
                  if p.name.startswith(f".{out.name}.") and not p.name.startswith(f".{out.name}.trash-")
                  and p.name != f".{out.name}.spare")


def spare(out: Path) -> Path:
    return out.parent / f".{out.name}.spare"


def folders(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_dir())


def trash(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.trash-*"))


FIRST = {"index.html": b"<p>one</p>\n", "en/index.html": b"en\n", "static/style.css": b"body{}\n"}


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_new_then_replaced_exactly(tmp_path: Path, exchange: bool) -> None:
    out = tmp_path / "output"
    report = write_output(FIRST, out, exchange=exchange)
    assert tree(out) == FIRST
    assert report.files == 3 and report.linked == 0
    second = {"index.html": b"<p>two</p>\n", "zh/index.html": b"zh\n", "static/style.css": b"body{}\n"}
    report = write_output(second, out, exchange=exchange)
    assert tree(out) == second  # en/index.html is gone: the folder is replaced, not patched
    assert not (out / "en").exists()
    assert report.linked == 1  # style.css (and the marker) unchanged
    assert leftovers(out) == []


def test_unchanged_files_are_hard_links_of_the_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_output(FIRST, out)
    before = {name: (out / name).stat().st_ino for name in FIRST}
    changed = dict(FIRST, **{"en/index.html": b"en, edited\n"})
    report = write_output(changed, out)
    after = {name: (out / name).stat().st_ino for name in FIRST}
    assert after["index.html"] == before["index.html"]
    assert after["static/style.css"] == before["static/style.css"]
    assert after["en/index.html"] != before["en/index.html"]
    assert (out / "en/index.html").read_bytes() == b"en, edited\n"
    assert report.written == 1


def test_failure_while_writing_leaves_previous_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_output(FIRST, out)
    inode = (out / "index.html").stat().st_ino
    # "a" is a file and also a folder: the second cannot be created.
    with pytest.raises(BuildError, match="previous output is unchanged"):
        write_output({"a": b"file\n", "a/b.html": b"under a file\n", "index.html": b"new\n"}, out)
    assert tree(out) == FIRST
    assert (out / "index.html").stat().st_ino == inode
    assert leftovers(out) == []


def test_interrupted_two_rename_swap_is_undone_by_next_run(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_output(FIRST, out)
    # A run killed between "output -> .output.old-X" and "new -> output":
    old = tmp_path / ".output.old-abc123"
    os.rename(out, old)
    half = tmp_path / ".output.new-def456"
    half.mkdir()
    (half / "index.html").write_bytes(b"half-written\n")
    recover(out)
    assert tree(out) == FIRST
    assert leftovers(out) == []


def test_replaced_output_is_the_spare_the_next_write_starts_from(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_output(FIRST, out)
    assert not spare(out).exists()
    first_root = out.stat().st_ino
    write_output({"index.html": b"two\n", "en/index.html": b"en\n"}, out)
    assert tree(spare(out)) == FIRST  # the replaced output, kept for the next write
    assert spare(out).stat().st_ino == first_root
    cleanup = start_cleanup(out)  # a build starts this before it renders
    third = {"index.html": b"three\n", "en/index.html": b"en\n", "zh/index.html": b"zh\n"}
    report = write_output(third, out, cleanup=cleanup)
    assert tree(out) == third
    assert out.stat().st_ino == first_root  # the first tree, brought up to date
    assert folders(out) == ["en", "zh"]  # static/ went with its only file
    assert tree(spare(out)) == {"index.html": b"two\n", "en/index.html": b"en\n"}
    assert report.written == 2 and report.linked == 1
    assert trash(out) == [] and leftovers(out) == []


def test_a_tampered_spare_still_gives_exactly_the_new_files(tmp_path: Path) -> None:
    out = tmp_path / "output"
    outside = tmp_path / "outside"
    outside.mkdir()
    files = {"index.html": b"home\n", "a/b/index.html": b"b\n", "c/index.html": b"c\n", "d.html": b"d\n",
             "e/f.html": b"f\n", "g/h.html": b"h\n", "static/style.css": b"body{}\n"}
    write_output(files, out)
    write_output(files, out)  # a no-op: nothing replaced, so no spare yet
    write_output(dict(files, **{"index.html": b"home 2\n"}), out)
    kept = spare(out)
    (kept / "a/b/index.html").unlink()
    (kept / "a/b/index.html").write_bytes(b"stale\n")  # another inode, other bytes
    (kept / "extra.html").write_bytes(b"extra\n")
    (kept / "empty/deeper").mkdir(parents=True)
    os.unlink(kept / "d.html")
    (kept / "d.html").mkdir()  # a folder where a file goes
    (kept / "d.html" / "x").write_bytes(b"x\n")
    for name in os.listdir(kept / "e"):
        os.unlink(kept / "e" / name)
    os.rmdir(kept / "e")
    (kept / "e").write_bytes(b"a file where a folder goes\n")
    os.unlink(kept / "g/h.html")
    os.rmdir(kept / "g")
    os.symlink(outside, kept / "g")  # a link where a folder goes: never written through
    with open(kept / "static/style.css", "ab") as fh:  # the same inode as the output's: the output changes too
        fh.write(b"/* tampered */")
    latest = dict(files, **{"index.html": b"home 3\n"})
    write_output(latest, out)
    assert tree(out) == latest
    assert folders(out) == ["a", "a/b", "c", "e", "g", "static"]
    assert not (out / "g").is_symlink() and list(outside.iterdir()) == []
def test_leftovers_are_cleaned_by_the_next_write(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_output(FIRST, out)
    for name in (".output.new-1", ".output.old-2"):
        (tmp_path / name / "x").mkdir(parents=True)
    write_output(FIRST, out)
    assert leftovers(out) == []
    assert tree(out) == FIRST


def test_refuses_to_replace_a_folder_it_did_not_write(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    with pytest.raises(BuildError, match=r"not empty and was not written by digest \(no \.digest-output file\)"):
        write_output(FIRST, out)
    assert (out / "thesis.tex").read_text() == "precious"


def test_an_empty_folder_is_fine(tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    write_output(FIRST, out)
    assert tree(out) == FIRST


def test_refuses_a_file_in_place_of_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "output"
    out.write_text("a file")
    with pytest.raises(BuildError, match="exists and is not a folder"):
        write_output(FIRST, out)


@pytest.mark.parametrize("bad", ["../escape.html", "/etc/passwd", "a//b", "a/./b", ""])
def test_refuses_paths_outside_the_output(tmp_path: Path, bad: str) -> None:
    with pytest.raises(BuildError, match="not a plain path inside the output folder"):
        write_output({bad: b"x"}, tmp_path / "output")
    assert not (tmp_path / "output").exists()
    assert not (tmp_path / "escape.html").exists()


def test_exchange_is_used_where_the_system_has_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On Linux the swap is one renameat2 call; the fallback is taken only when it is missing."""
    calls: list[tuple[Path, Path]] = []
    real = system.exchange

    def spy(a: Path, b: Path) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(system, "exchange", spy)
    out = tmp_path / "output"
    write_output(FIRST, out)
    write_output({"index.html": b"two\n"}, out)
    assert len(calls) == 1  # the first write had nothing to swap with
    if system.has_exchange():
        assert tree(out) == {"index.html": b"two\n"}


def test_fallback_when_exchange_is_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(system, "exchange", lambda a, b: False)
    out = tmp_path / "output"
    write_output(FIRST, out)
    write_output({"index.html": b"two\n"}, out)
    assert tree(out) == {"index.html": b"two\n"}
    assert leftovers(out) == []


def test_output_folder_is_readable_by_others_as_the_umask_allows(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_output({"index.html": b"<p>hi</p>"}, tmp_path / "output")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "output").stat().st_mode) == 0o755


def test_identical_output_is_left_in_place(tmp_path: Path) -> None:
    out = tmp_path / "output"
    files = {"index.html": b"<p>hi</p>", "en/index.html": b"<p>en</p>"}
    write_output(files, out)
    inode = out.stat().st_ino
    report = write_output(files, out)
    assert (report.written, report.linked) == (0, 2)
    assert out.stat().st_ino == inode  # not rebuilt and swapped
    assert leftovers(out) == [] and trash(out) == []
    report = write_output({**files, "en/index.html": b"<p>changed</p>"}, out)
    assert report.written == 1
    assert out.stat().st_ino != inode


# --------------------------------------------------------------------------- Staging: files as they come


def test_a_file_removed_from_an_otherwise_identical_site_is_removed(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_output(FIRST, out)
    inode = (out / "index.html").stat().st_ino
    fewer = {k: v for k, v in FIRST.items() if k != "en/index.html"}
    report = write_output(fewer, out)  # every file it has is unchanged, but one is gone
    assert tree(out) == fewer
    assert (report.written, report.linked) == (0, 2)
    assert (out / "index.html").stat().st_ino == inode
    assert leftovers(out) == []


def test_children_write_beside_the_output_and_are_merged(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_output(FIRST, out)
    unchanged = (out / "en/index.html").stat().st_ino
    with Staging(out) as staging:
        en, zh = staging.child(), staging.child()
        en.add("en/index.html", b"en\n")  # as before: linked, no folder made
        zh.add("zh/index.html", b"zh\n")  # new: the child makes its own folder
        zh.add("zh/a/b/index.html", b"deep\n")
        assert en.part().folder is None
        assert sorted(p.name for p in tmp_path.iterdir() if ".new-" in p.name) == [Path(zh.part().folder).name]
        for child in (en, zh):
            staging.absorb(child.part())
        staging.add("index.html", b"<p>one</p>\n")
        staging.add("static/style.css", b"body{}\n")
        report = staging.commit()
    assert tree(out) == {**FIRST, "zh/index.html": b"zh\n", "zh/a/b/index.html": b"deep\n"}
    assert (report.files, report.written, report.linked) == (5, 2, 3)
    assert (out / "en/index.html").stat().st_ino == unchanged
    assert leftovers(out) == []


def test_children_with_nothing_new_leave_the_output_in_place(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_output(FIRST, out)
    inode = out.stat().st_ino
    with Staging(out) as staging:
        child = staging.child()
        child.add("en/index.html", b"en\n")
        staging.absorb(child.part())
        staging.add("index.html", b"<p>one</p>\n")
        staging.add("static/style.css", b"body{}\n")
        report = staging.commit()
    assert (report.written, report.linked) == (0, 3)
    assert out.stat().st_ino == inode
    assert leftovers(out) == [] and trash(out) == []


def test_an_error_while_adding_leaves_the_output_and_no_staging_folder(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_output(FIRST, out)
    with pytest.raises(RuntimeError, match="template blew up"), Staging(out) as staging:
        child = staging.child()
        child.add("zh/index.html", b"zh\n")  # written in the child's folder
        staging.add("index.html", b"<p>changed</p>\n")  # written in the staging folder
        assert len(leftovers(out)) == 3  # the two folders and the lock file (.output.lock)
        raise RuntimeError("template blew up")
    assert tree(out) == FIRST
    assert leftovers(out) == []
    write_output(FIRST, out)  # and the lock is free again


def test_the_same_path_twice_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "output"
    with pytest.raises(BuildError, match=r"refusing to write 'en/index.html' twice"), Staging(out) as staging:
        child = staging.child()
        child.add("en/index.html", b"one\n")
        staging.add("en/index.html", b"two\n")
        staging.absorb(child.part())
    assert not out.exists()
    assert leftovers(out) == []


@pytest.mark.skipif(not can_fork(), reason="needs fork")
def test_a_worker_killed_while_writing_leaves_nothing_behind(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_output(FIRST, out)
    with Staging(out) as staging:
        children = {"en": staging.child(), "zh": staging.child()}

        def work(lang: str) -> Part:
            children[lang].add(f"{lang}/index.html", b"new\n")
            children[lang].add(f"{lang}/more.html", b"more\n")
            if lang == "zh":
                os._exit(3)  # as if killed: no answer, its folder half-written
            return children[lang].part()

        with pytest.raises(BuildError, match=r"^rendering 'zh' failed: its worker process ended early \(exit code 3\)"):
            map_keys(work, ["en", "zh"], parallel=True)
        assert len(leftovers(out)) == 3  # the lock file, and the two languages' folders, until the staging closes
    assert tree(out) == FIRST
    assert leftovers(out) == []
