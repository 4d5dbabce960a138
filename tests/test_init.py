"""digest init: the files of a new site, the folders it refuses, and a result that checks and builds."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from datetime import date
from pathlib import Path

import pytest

from digest.cli import main
from digest.content import yamlload as Y
from digest.content.edit import MODELINE
from digest.content.project import load_project
from digest.pipeline import build

REPO = Path(__file__).resolve().parent.parent
PAPERS = ("openreview:ryQu7f-RZ", "openreview:B1QRgziT-", "openreview:SkhQHMW0W")
WRITTEN = [".github/workflows/publish.yml", ".gitignore", "content/categories.yaml",
           "content/editions/iclr2018-three-papers.yaml", "content/site.yaml",
           "content/snapshot/openreview/B1QRgziT-.json", "content/snapshot/openreview/SkhQHMW0W.json",
           "content/snapshot/openreview/ryQu7f-RZ.json",
           "schema/categories.schema.json", "schema/edition.schema.json", "schema/site.schema.json"]


def digest(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def files_below(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("init") / "my-digest"
    code, out, err = digest("init", str(root))
    assert (code, err) == (0, "")
    return root, out


def test_writes_the_skeleton_and_says_what_to_do_next(site: tuple[Path, str]) -> None:
    root, out = site
    assert files_below(root) == WRITTEN
    lines = out.splitlines()
    assert lines[0] == f"digest init: wrote a new site in {root}/:"
    assert lines[1:1 + len(WRITTEN)] == [f"  {name}" for name in WRITTEN]
    steps = [line.split()[:2] for line in lines[1 + len(WRITTEN):] if line.startswith("  ")]
    assert steps == [["cd", str(root)], ["digest", "check"], ["digest", "build"], ["digest", "serve"],
                     ["digest", "new"], ["digest", "add"]]
    assert "base_url in content/site.yaml" in lines[-1] and "DIGEST_REPOSITORY" in lines[-1]


def test_the_new_site_checks_without_errors_and_schema_is_current(site: tuple[Path, str]) -> None:
    root, _ = site
    code, out, err = digest("check", "--root", str(root))
    assert code == 0 and out == "digest check: 1 edition, 3 entries: 4 warnings\n"
    problems = err.splitlines()
    # a new site's only warnings: the categories its example edition files nothing under
    assert [p.split(": ", 3)[2] for p in problems] == [f"categories[{i}].key" for i in (0, 3, 4, 6)]
    assert all(": warning: " in p and "has no entries in any edition" in p for p in problems)


def test_the_new_site_builds_offline_with_fetched_titles(site: tuple[Path, str], tmp_path: Path) -> None:
    root, _ = site
    report = build(root, tmp_path / "output")
    assert (report.editions, report.entries) == (1, 3) and report.warnings == ()
    for lang, title in (("en", "Spectral Normalization for Generative Adversarial Networks"), ("zh", "生成对抗网络的谱归一化")):
        page = (tmp_path / "output" / lang / "iclr2018-three-papers" / "index.html").read_text(encoding="utf-8")
        assert title in page and "On the Convergence of Adam and Beyond" in page


def test_site_categories_and_edition(site: tuple[Path, str]) -> None:
    root, _ = site
    project = load_project(root)
    assert project.site.languages == ("en", "zh") and project.site.base_url == "https://example.org/"
    assert project.site.feeds.id_date == str(date.today().year)
    assert 6 <= len(project.categories) <= 8
    for category in project.categories:
        assert set(category.name) == {"en", "zh"} and set(category.description) == {"en", "zh"}
    [edition] = project.editions
    assert [str(e.paper) for e in edition.entries] == list(PAPERS)
    assert (root / edition.loc.file).read_text(encoding="utf-8").splitlines()[0] == MODELINE
    for ref in PAPERS:  # the snapshot records are this repository's, byte for byte
        scheme, value = ref.split(":")
        assert (root / f"content/snapshot/{scheme}/{value}.json").read_bytes() == \
            (REPO / f"content/snapshot/{scheme}/{value}.json").read_bytes()
        assert json.loads((root / f"content/snapshot/{scheme}/{value}.json").read_text())["ref"] == ref


def test_gitignore_and_publishing_workflow(site: tuple[Path, str]) -> None:
    root, _ = site
    ignored = (root / ".gitignore").read_text().splitlines()
    assert {"/output/", "/exports/", ".*.tmp", "/.output.*", ".digest-cache/"} <= set(ignored)
    workflow = root / ".github/workflows/publish.yml"
    doc = Y.read(workflow, ".github/workflows/publish.yml")
    assert doc.problems == [] and doc.root is not None
    runs = [line.strip().removeprefix("run: ") for line in workflow.read_text().splitlines() if line.strip().startswith("run: ")]
    assert runs[1:] == ["digest check", 'digest build --as-of "$(date -u +%F)"']
    assert runs[0].startswith("pip install ") and "-e" not in runs[0].split()  # a plain install: the theme is in the package


def test_base_url_is_written_into_site_yaml(tmp_path: Path) -> None:
    code, out, err = digest("init", str(tmp_path / "s"), "--base-url", "https://me.github.io/papers/")
    assert code == 0 and err == ""
    assert load_project(tmp_path / "s").site.base_url == "https://me.github.io/papers/"
    assert "base_url" not in out.splitlines()[-1]


def test_the_current_folder_by_default_and_a_git_folder_is_empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    code, out, err = digest("init")
    assert code == 0 and err == ""
    assert out.splitlines()[0] == "digest init: wrote a new site in the current folder:"
    assert "  cd " not in out
    assert files_below(tmp_path) == WRITTEN


@pytest.mark.parametrize(("prepare", "message"), [
    (lambda d: (d / "content").mkdir(parents=True) or (d / "content/site.yaml").write_text("title: {en: x}\n"),
     "{d}/ already holds a site (content/site.yaml exists): work on it with digest check, digest new and "
     "digest build, or give digest init a new folder"),
    (lambda d: d.mkdir() or (d / "notes.txt").write_text("mine\n"),
     "{d}/ is not empty (it holds notes.txt): give digest init a new or empty folder, such as digest init my-digest"),
    (lambda d: d.write_text("a file\n"),
     "{d} is a file, not a folder: give digest init a new or empty folder"),
], ids=["a-site", "not-empty", "a-file"])
def test_refuses_a_folder_that_holds_anything(tmp_path: Path, prepare, message: str) -> None:
    target = tmp_path / "here"
    prepare(target)
    before = files_below(tmp_path)
    code, out, err = digest("init", str(target))
    assert (code, out) == (1, "")
    assert err == f"digest init: error: {message.format(d=target)}\n"
    assert files_below(tmp_path) == before


def test_refuses_a_base_url_that_is_not_one(tmp_path: Path) -> None:
    code, out, err = digest("init", str(tmp_path / "s"), "--base-url", "example.org")
    assert (code, out) == (1, "")
    assert err.startswith("digest init: error: --base-url: 'example.org' is not an http(s) URL (")
    assert not (tmp_path / "s").exists()
