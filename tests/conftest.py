"""Shared fixtures and tool locations for the quality gates (browser, HTML checker, feeds).

The external tools are installed by ``.ci/run`` (and by a developer, see README "Quality
gates"); a test that needs one and does not find it fails with the command that installs
it, rather than skipping: a gate that silently does not run is no gate.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from digest.pipeline import build

REPO = Path(__file__).resolve().parent.parent
TESTS = REPO / "tests"
#: npm packages pinned in tests/package.json, installed with ``npm ci --prefix tests``.
NODE_MODULES = TESTS / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
#: Debian's Chromium (apt-get install chromium); DIGEST_CHROMIUM points elsewhere.
CHROMIUM = Path(os.environ.get("DIGEST_CHROMIUM", "/usr/bin/chromium"))
#: Screenshots and other things worth looking at after a run (git-ignored).
ARTIFACTS = TESTS / "artifacts"

NPM_HINT = "npm ci --prefix tests --ignore-scripts (the versions are pinned in tests/package.json)"
INSTALL_HINTS = {
    "chromium": "apt-get install -y chromium (Debian's package; or set DIGEST_CHROMIUM to a Chromium binary)",
    "java": "apt-get install -y default-jre-headless",
    "playwright": "pip install -e '.[test]' (never run 'playwright install': the tests use Debian's Chromium)",
    "axe-core": NPM_HINT,
    "vnu-jar": NPM_HINT,
}


def require_file(path: Path, what: str) -> Path:
    """``path`` if it exists; otherwise fail the test, saying how to install ``what``."""
    if not path.is_file():
        pytest.fail(f"{what} is missing ({path.relative_to(REPO) if path.is_relative_to(REPO) else path}); "
                    f"install it with: {INSTALL_HINTS[what]}", pytrace=False)
    return path


def require_program(name: str, what: str) -> str:
    """The full path of the program ``name``; otherwise fail, saying how to install ``what``."""
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not on PATH; install it with: {INSTALL_HINTS[what]}", pytrace=False)
    return found


#: Elements that run code, load other documents, submit data or restyle a page; none may appear.
FORBIDDEN_TAGS = frozenset({
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "form", "input",
    "button", "textarea", "select", "svg", "template", "noscript", "portal", "xmp", "plaintext",
})
#: MathML may appear (the math of titles, abstracts and notes, digest/site/tex.py): these
#: presentation elements (HTML inside a token such as mtext is HTML, held to the rules above)
MATHML_ELEMENTS = frozenset(
    "math menclose mfrac mi mn mo mover mpadded mphantom mroot mrow mspace msqrt mstyle msub msubsup msup "
    "mtable mtd mtext mtr munder munderover".split())
#: and none of those that act, carry other markup or switch the parser's namespace.
FORBIDDEN_MATHML = frozenset("maction annotation annotation-xml malignmark maligngroup mglyph semantics".split())
#: Attributes that hold a URL a browser follows or loads.
URL_ATTRIBUTES = frozenset({
    "href", "src", "action", "formaction", "data", "xlink:href", "poster", "background", "cite", "longdesc",
    "ping", "manifest", "codebase", "srcset", "imagesrcset",
})
#: What a page's <head> may carry besides the title: these meta and link kinds, nothing else.
HEAD_META = frozenset({"charset", "viewport", "description", "color-scheme", "content-security-policy"})
HEAD_LINKS = frozenset({"canonical", "alternate", "stylesheet", "icon"})
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def url_problem(value: str, absolute: bool = False) -> str | None:
    """Why a URL in an attribute is unsafe (or, with ``absolute``, relative), or None.

    The value is read as a browser reads it: HTML entities decoded (by the parser), tabs and
    newlines removed anywhere, control characters and spaces stripped from both ends.
    """
    url = re.sub(r"[\t\n\r]", "", value).strip("".join(map(chr, range(0x21))))
    scheme = _SCHEME.match(url)
    if scheme:
        return None if scheme.group(1).lower() in SAFE_SCHEMES else f"scheme {scheme.group(1)!r}"
    if url[:2].replace("\\", "/") == "//":
        return "protocol-relative URL"
    return "relative URL" if absolute else None


class SafetyCheck(HTMLParser):
    """Everything in an HTML document or fragment that could run, load or submit something.

    ``fragment``: HTML from a feed's content (no <head>; links must be absolute).
    """

    def __init__(self, fragment: bool = False):
        super().__init__(convert_charrefs=True)
        self.fragment = fragment
        self.problems: list[str] = []
        self.in_head = False
        self.math_depth = 0  # how deep in a <math> element the parser is

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "head":
            self.in_head = True
        elif tag == "body":
            self.in_head = False
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        if self.math_depth and tag in FORBIDDEN_MATHML:
            self.problems.append(f"<{tag}> inside <math>")
        if tag == "math" or self.math_depth:
            self.math_depth += 1
        if tag == "meta":
            kind = ("charset" if "charset" in values else values.get("name") or values.get("http-equiv", "")).lower()
            if self.fragment or not self.in_head or kind not in HEAD_META:
                self.problems.append(f"<meta {kind}>")
        if tag == "link":
            rels = set(values.get("rel", "").lower().split())
            if self.fragment or not self.in_head or not rels or not rels <= HEAD_LINKS:
                self.problems.append(f"<link rel={values.get('rel')!r}>")
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}>")
            elif name in ("style", "srcdoc", "formaction"):
                self.problems.append(f"<{tag} {name}>")
            elif name in URL_ATTRIBUTES:
                why = url_problem(value, absolute=self.fragment)
                if why:
                    self.problems.append(f"<{tag} {name}={value!r}>: {why}")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.math_depth:
            self.math_depth -= 1


def unsafe_html(html: str, fragment: bool = False) -> list[str]:
    """The problems :class:`SafetyCheck` finds in ``html`` (empty when it is safe)."""
    check = SafetyCheck(fragment)
    check.feed(html)
    check.close()
    if re.search(r"<\s*/?\s*script", html, re.I):
        check.problems.append("the text '<script' outside an escape")
    return check.problems


def digest_command() -> list[str]:
    """The installed ``digest`` console script, as a user runs it."""
    script = Path(sys.executable).with_name("digest")
    found = str(script) if script.is_file() else shutil.which("digest")
    if found is None:
        pytest.fail("the digest command is not installed; run: pip install -e '.[test]'", pytrace=False)
    return [found]


def is_feed(path: str) -> bool:
    """Whether an output path is a feed: RSS or Atom (``.xml``, the sitemap aside) or a JSON Feed."""
    return (path.endswith(".xml") and path != "sitemap.xml") or path.endswith("/feed.json")


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` as {relative POSIX path: bytes}."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def example_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example site (content/ of this repository) built once per test session."""
    out = tmp_path_factory.mktemp("example-site") / "output"
    build(REPO, out)
    return out


#: The hostile corpus: a small site whose every text field tries to inject markup or script.
HOSTILE = TESTS / "cases" / "hostile"
#: Paragraphs in the generated very long note (about 300 kB of YAML, under the 1 MiB file limit).
LONG_NOTE_PARAGRAPHS = 2500


def long_note_edition() -> str:
    """An edition whose one note is very long and hostile all the way through."""
    lines = [
        "date: 2024-06-01",
        "conference: ICLR 2024",
        "title: {en: A very long note, zh: 很长的点评}",
        "entries:",
        "  - paper: openreview:HostileLong01",
        "    category: scripts",
        "    title: {en: The longest note, zh: 最长的点评}",
        "    note:",
        "      en: |",
    ]
    for i in range(LONG_NOTE_PARAGRAPHS):
        lines += [f"        Paragraph {i} <script>alert({i})</script> [link {i}](javascript:alert({i})) "
                  f"<img src=x onerror=alert({i})> KEEP-long-{i}.", ""]
    lines += ["      zh: 很长。", ""]
    return "\n".join(lines)


@pytest.fixture(scope="session")
def hostile_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile corpus plus a very long note, built by the real pipeline."""
    root = tmp_path_factory.mktemp("hostile") / "site"
    shutil.copytree(HOSTILE, root)
    (root / "content" / "editions" / "long-note.yaml").write_text(long_note_edition(), encoding="utf-8")
    out = root / "output"
    build(root, out)
    return out
