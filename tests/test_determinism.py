"""Same input, same bytes: whatever the machine's clock, time zone, locale, hash seed or line endings.

tests/test_build.py already builds in-process under three time zones, hash seeds and a faked
clock. Here the real ``digest build`` command runs in fresh processes with, in addition,
different locales (LC_ALL, LANG, LANGUAGE; one of them ASCII-only, as on a bare container),
and its output must equal the golden copy byte for byte. (The faked clocks are later than
every example edition: the clock may decide which editions are out yet, see ``--as-of``,
never what a file says.) Then the curated files are
rewritten with CRLF line endings and with a byte-order mark, which must change nothing.
"""

from __future__ import annotations

import calendar
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import REPO, digest_command, tree

from digest.core import layout
from digest.pipeline import build

GOLDEN = REPO / "tests" / "golden" / "site"

#: Loaded by every Python process started with this folder on PYTHONPATH (before digest is
#: imported): the wall clock reads DIGEST_FAKE_NOW instead of the real time.
FAKE_CLOCK = textwrap.dedent('''
    """Test helper: a wall clock stuck at DIGEST_FAKE_NOW (YYYY-MM-DDTHH:MM:SS, UTC)."""
    import datetime as _dt
    import os as _os
    import time as _time

    _stamp = _dt.datetime.fromisoformat(_os.environ["DIGEST_FAKE_NOW"]).replace(tzinfo=_dt.timezone.utc).timestamp()

    class _FakeDateTime(_dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return cls.fromtimestamp(_stamp, tz)

        @classmethod
        def utcnow(cls):
            return cls.utcfromtimestamp(_stamp)

        @classmethod
        def today(cls):
            return cls.fromtimestamp(_stamp)

    class _FakeDate(_dt.date):
        @classmethod
        def today(cls):
            return cls.fromtimestamp(_stamp)

    _dt.datetime, _dt.date = _FakeDateTime, _FakeDate
    _time.time = lambda: _stamp
    _time.time_ns = lambda: int(_stamp * 1e9)
''')

ENVIRONMENTS = {
    "utc-c-utf8": {"TZ": "UTC", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "PYTHONHASHSEED": "0"},
    "kiritimati-ascii-fake-2031": {"TZ": "Pacific/Kiritimati", "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0",
                                   "LANGUAGE": "zh_CN", "PYTHONHASHSEED": "4242",
                                   "DIGEST_FAKE_NOW": "2031-07-07T23:59:59"},
    "los-angeles-zh-fake-2099": {"TZ": "America/Los_Angeles", "LC_ALL": "zh_CN.UTF-8", "LANG": "zh_CN.UTF-8",
                                 "LANGUAGE": "zh:en", "PYTHONHASHSEED": "random",
                                 "DIGEST_FAKE_NOW": "2099-12-31T23:59:59"},
}
CLEARED = ("TZ", "LC_ALL", "LC_CTYPE", "LC_TIME", "LC_MESSAGES", "LANG", "LANGUAGE", "PYTHONHASHSEED",
           "PYTHONUTF8", "PYTHONIOENCODING", "PYTHONPATH", "DIGEST_FAKE_NOW")


@pytest.fixture()
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(REPO / "content", root / "content")
    return root


@pytest.mark.gate
def test_the_cli_gives_the_same_bytes_in_every_environment(site: Path, tmp_path: Path) -> None:
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(FAKE_CLOCK)
    outputs = {}
    for name, values in ENVIRONMENTS.items():
        env = {k: v for k, v in os.environ.items() if k not in CLEARED}
        env.update(values)
        if "DIGEST_FAKE_NOW" in values:
            env["PYTHONPATH"] = str(hooks)
        out = tmp_path / name
        done = subprocess.run([*digest_command(), "build", "--root", str(site), "--out", str(out)],
                              env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (name, done.stdout, done.stderr)
        assert "digest build:" in done.stdout, (name, done.stdout)
        outputs[name] = tree(out)
    first, *others = outputs.values()
    for name, files in zip(list(outputs)[1:], others, strict=True):
        assert sorted(files) == sorted(first), name
        assert [p for p in files if files[p] != first[p]] == [], name
    assert first == tree(GOLDEN)
    # no date from a clock; the search bundle's own script (Pagefind's, with a zip reader's
    # "date not in range 1980-2099" message) is not ours to read
    everything = b"".join(data for path, data in first.items() if not path.startswith(f"{layout.SEARCH_DIR}/"))
    assert b"2031" not in everything and b"2099" not in everything and b"2100" not in everything


def test_the_fake_clock_really_moves_the_clock(tmp_path: Path) -> None:
    """The helper above works, so the test cannot pass by not faking anything."""
    (tmp_path / "sitecustomize.py").write_text(FAKE_CLOCK)
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update(PYTHONPATH=str(tmp_path), DIGEST_FAKE_NOW="2031-07-07T23:59:59", TZ="UTC")
    probe = ("import datetime, time; from dateutil import tz; "
             "print(datetime.date.today(), datetime.datetime.now(tz.tzutc()).isoformat(), int(time.time()))")
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["2031-07-07", "2031-07-07T23:59:59+00:00", str(calendar.timegm((2031, 7, 7, 23, 59, 59)))]


def _rewrite_curated(root: Path, convert) -> int:
    """Apply ``convert`` to every curated YAML file below root/content; returns how many."""
    count = 0
    for path in sorted((root / "content").rglob("*.yaml")):
        path.write_bytes(convert(path.read_bytes()))
        count += 1
    return count


@pytest.mark.gate
@pytest.mark.parametrize("variant", ["crlf", "bom", "bom+crlf"])
def test_crlf_and_bom_inputs_give_the_same_output(site: Path, tmp_path: Path, variant: str) -> None:
    build(site, tmp_path / "lf")
    reference = tree(tmp_path / "lf")

    def convert(data: bytes) -> bytes:
        if "crlf" in variant:
            data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        if "bom" in variant:
            data = b"\xef\xbb\xbf" + data
        return data

    assert _rewrite_curated(site, convert) >= 5
    if "crlf" in variant:  # the snapshot's JSON records too
        for record in (site / "content" / "snapshot").rglob("*.json"):
            record.write_bytes(record.read_bytes().replace(b"\n", b"\r\n"))
    sample = next((site / "content" / "editions").glob("*.yaml")).read_bytes()
    assert sample.startswith(b"\xef\xbb\xbf") == ("bom" in variant) and (b"\r\n" in sample) == ("crlf" in variant)
    build(site, tmp_path / variant)
    changed = tree(tmp_path / variant)
    assert sorted(changed) == sorted(reference)
    assert [p for p in changed if changed[p] != reference[p]] == []
