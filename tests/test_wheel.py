"""The package as a user gets it: a wheel built from this repository, installed in a fresh venv,
starting a site in an empty folder outside the checkout (the "done when" of issue 11)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path
from urllib.parse import urljoin

import pytest

pytestmark = pytest.mark.gate

REPO = Path(__file__).resolve().parent.parent
#: What the wheel is built from (a copy, so the build leaves no build/ folder in the checkout).
SOURCES = ("pyproject.toml", "README.md", "digest")
STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')


def run(argv: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{' '.join(argv)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout


def get(url: str) -> tuple[int, str, str]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.headers["Content-Type"], response.read().decode("utf-8")


def test_a_wheel_in_a_fresh_venv_starts_checks_builds_and_serves_a_site(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(REPO / name, source / name)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "wheels"), str(source)],
        tmp_path, env)
    [wheel] = (tmp_path / "wheels").glob("digest-*.whl")

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], tmp_path, env)
    python, digest = venv / "bin" / "python", str(venv / "bin" / "digest")
    run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(wheel)], tmp_path, env)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    where = Path(run([str(python), "-c", "import digest; print(digest.__file__)"], tmp_path, env).strip())
    assert where.is_relative_to(venv), f"the venv imports digest from {where}, not from the wheel"

    work = tmp_path / "empty"
    work.mkdir()
    assert not work.resolve().is_relative_to(REPO)
    run([digest, "init", "site"], work, env)
    site = work / "site"
    assert "1 edition, 3 entries" in run([digest, "check"], site, env)
    assert "1 edition, 3 entries" in run([digest, "build"], site, env)
    assert (site / "output/static/style.css").is_file()
    # every file of the package that is not Python came with the wheel (templates, catalogs...)
    data = {p.relative_to(REPO / "digest").as_posix() for p in (REPO / "digest").rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts}
    assert {name for name in data if not (where.parent / name).is_file()} == set()
    for channel in ("wechat", "email"):
        run([digest, "export", channel, "iclr2018-three-papers", "--lang", "zh", "--out", "-"], site, env)

    serve = subprocess.Popen([digest, "serve", "--port", "0"], cwd=site, env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    guard = threading.Timer(120, serve.kill)  # a server that never says where it listens
    guard.start()
    try:
        line = serve.stdout.readline()
        found = re.match(r"digest serve: serving (http://127\.0\.0\.1:\d+/) ", line)
        assert found, f"digest serve printed {line!r}; stderr: {serve.stderr.read() if serve.poll() is not None else ''}"
        base = found.group(1)
        stylesheets = set()
        for lang, tag, words in (("en", "en", "three papers that stood the test of time"),
                                 ("zh", "zh-Hans", "三篇经得起时间检验的论文")):
            for path in (f"{lang}/", f"{lang}/iclr2018-three-papers/"):
                status, kind, page = get(base + path)
                assert (status, kind.split(";")[0]) == (200, "text/html") and words in page
                assert f'<html lang="{tag}"' in page
                # the preview adds a stylesheet of its own (for its banners) to served pages
                links = [href for href in STYLESHEET.findall(page) if "/__digest__/" not in href]
                assert links, f"{path} links no stylesheet"
                stylesheets |= {urljoin(base + path, href) for href in links}
        assert {url.split("?")[0] for url in stylesheets} == {base + "static/style.css"}
        for url in stylesheets:
            status, kind, css = get(url)
            assert (status, kind.split(";")[0]) == (200, "text/css") and css == (
                where.parent / "templates/static/style.css").read_text(encoding="utf-8")
    finally:
        guard.cancel()
        serve.terminate()
        serve.communicate(timeout=30)
