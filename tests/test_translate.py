"""``digest translate`` end to end against a local chat-completions server (tests/chatserver.py):
drafts kept beside the snapshot, retries, guards, review and approval."""

from __future__ import annotations

import argparse
import difflib
import io
import json
import re
from pathlib import Path

import pytest
from apiserver import FakeClock
from chatserver import ChatServer

from digest.checks.drafts import guard, shown_drafts
from digest.checks.project import check_project
from digest.commands.translate import run_translate
from digest.content.project import load_project
from digest.core.ids import PaperRef
from digest.core.models import PaperMeta
from digest.metadata.drafts import site_drafts
from digest.metadata.http import Fetcher
from digest.metadata.pacing import RetryPolicy
from digest.metadata.store import site_store

KEY = "sk-test-5ecret-key-000111"
A, B = PaperRef("openreview", "SkhQHMW0W"), PaperRef("openreview", "S1XolQbRW")
ENGLISH = {
    (A, "title"): "Deep Gradient Compression: Reducing the Communication Bandwidth for Distributed Training",
    (A, "abstract"): "We find that 99.9% of the gradient exchange in distributed SGD is redundant, and cut the "
                     "gradient of ResNet-50 from 97 MB to 0.35 MB without losing accuracy.",
    (A, "tldr"): "Most of the gradient exchange is redundant, so only the large values need to be sent.",
    (B, "abstract"): r"We bound the error by $O(1/\sqrt{n})$ and show that quantized students with 4 bits "
                     "match their teachers on CIFAR-10.",
}
CHINESE = {
    (A, "title"): "深度梯度压缩：降低分布式训练的通信带宽",
    (A, "abstract"): "我们发现，分布式 SGD 中 99.9% 的梯度交换是冗余的，并在不损失精度的前提下，"
                     "把 ResNet-50 的梯度从 97 MB 压缩到 0.35 MB。",
    (A, "tldr"): "大部分梯度交换都是冗余的，只需发送数值较大的那一部分。",
    (B, "abstract"): r"我们给出了 $O(1/\sqrt{n})$ 的误差上界，并证明 4 bit 的量化学生网络在 CIFAR-10 上"
                     "能达到教师网络的水平。",
}

SITE = """\
title: {en: Digest, zh: 导读}
base_url: https://digest.example.org/
languages: [en, zh, zh-Hant]
translation:
  base_url: http://127.0.0.1:9/v1
  model: test-model
  key_env: TEST_CHAT_KEY
  batch: 2
  timeout: 1
  terms:
    overfitting: 过拟合
"""
CATEGORIES = """\
categories:
  - key: training
    name: {en: Training, zh: 训练}
"""
EDITION = """\
# a comment the approval must keep
date: 2018-02-10
conference: ICLR 2018
title:
  en: Two papers
  zh: 两篇论文
entries:
  - paper: openreview:SkhQHMW0W
    category: training
    note:
      en: A note long enough to be judged for its language, in English.
      zh: 一段足够长、可以判断语言的中文点评，写得像样一些。

  - paper: openreview:S1XolQbRW
    category: training
    title:
      zh: 基于蒸馏与量化的模型压缩
    note:
      en: Another note, in English, long enough to be judged as such.
      zh: 另一段中文点评，同样足够长，可以判断它的语言。
"""


def make_site(root: Path) -> Path:
    (root / "content" / "editions").mkdir(parents=True)
    (root / "content" / "site.yaml").write_text(SITE, encoding="utf-8")
    (root / "content" / "categories.yaml").write_text(CATEGORIES, encoding="utf-8")
    (root / "content" / "editions" / "two.yaml").write_text(EDITION, encoding="utf-8")
    store = site_store(root)
    store.put(PaperMeta(ref=A, source="openreview", fetched_at="2026-01-01T00:00:00Z", title=ENGLISH[(A, "title")],
                        abstract=ENGLISH[(A, "abstract")], tldr=ENGLISH[(A, "tldr")]))
    store.put(PaperMeta(ref=B, source="openreview", fetched_at="2026-01-01T00:00:00Z",
                        title="Model compression via distillation and quantization", abstract=ENGLISH[(B, "abstract")]))
    return root


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(tmp_path / "site")


@pytest.fixture
def server():
    with ChatServer({ENGLISH[k]: v for k, v in CHINESE.items()}) as chat:
        yield chat


def args(root: Path, *editions: str, **kw) -> argparse.Namespace:
    values = {"root": root, "editions": list(editions), "fields": ("abstract", "tldr", "title", "meta_review"),
              "to": "zh", "review": None, "approve": None}
    values.update(kw)
    return argparse.Namespace(**values)


class Run:
    def __init__(self, status: int, out: str, err: str, clock: FakeClock):
        self.status, self.out, self.err, self.clock = status, out, err, clock


def run(root: Path, server: ChatServer, attempts: int = 5, **kw) -> Run:
    clock = FakeClock()
    fetcher = Fetcher(clock=clock, timeout=0.5, intervals={"translation": 1.0},
                      retry=RetryPolicy(attempts=attempts, base=1.0, cap=4.0, max_wait=30.0), env={})
    out, err = io.StringIO(), io.StringIO()
    env = {"TEST_CHAT_KEY": KEY, "DIGEST_TRANSLATION_URL": server.base}
    try:
        status = run_translate(args(root, **kw), out, err, env=env, fetcher=fetcher)
    finally:
        fetcher.close()
    return Run(status, out.getvalue(), err.getvalue(), clock)


def drafts_of(root: Path) -> dict:
    return {ref: {k: d.text for k, d in found.items()} for ref, found in site_drafts(root).load().items()}


def files_of(root: Path) -> dict[str, bytes]:
    folder = root / "content" / "drafts"
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_translates_what_has_no_curator_text_and_a_rerun_asks_nothing(site, server):
    first = run(site, server)
    assert first.status == 0, first.err
    assert drafts_of(site) == {A: {("abstract", "zh"): CHINESE[(A, "abstract")], ("tldr", "zh"): CHINESE[(A, "tldr")],
                                   ("title", "zh"): CHINESE[(A, "title")]},
                               B: {("abstract", "zh"): CHINESE[(B, "abstract")]}}
    # B's title is the curator's, and neither paper has a fetched meta-review
    assert "8 texts: 4 translated" in first.out
    assert "1 skipped: the curator's own translation" in first.out
    assert "3 skipped: no English text in the snapshot" in first.out  # B's tldr, both meta-reviews
    asked = [body["messages"][-1]["content"] for body, _ in server.requests]
    assert sorted(asked) == sorted(ENGLISH.values())
    assert {auth for _, auth in server.requests} == {f"Bearer {KEY}"}
    system = server.requests[0][0]["messages"][0]["content"]
    assert "overfitting → 过拟合" in system  # the site's terms go to the model
    assert server.requests[0][0]["model"] == "test-model"
    # deterministic, committed-style JSON; the key is nowhere
    before = files_of(site)
    raw = before["openreview/SkhQHMW0W.json"].decode()
    assert raw.endswith("}\n") and json.loads(raw)["ref"] == "openreview:SkhQHMW0W"
    assert not any(KEY.encode() in data for data in before.values())
    assert KEY not in first.out + first.err
    again = run(site, server)
    assert again.status == 0 and "4 drafted already" in again.out
    assert len(server.requests) == 4  # nothing asked again
    assert files_of(site) == before


def test_429_with_retry_after_5xx_timeouts_and_malformed_answers_are_retried(site, server):
    server.fault("429", retry_after="7")
    server.fault("503")
    server.fault("slow", delay=1.5)
    server.fault("malformed")
    server.fault("garbled")
    result = run(site, server, attempts=6)
    assert result.status == 0, result.err
    assert len(drafts_of(site)[A]) == 3 and len(drafts_of(site)[B]) == 1
    assert 7.0 in result.clock.sleeps  # Retry-After was obeyed, to the second
    assert len(server.requests) == 4 + 5


def test_a_provider_that_keeps_failing_loses_nothing_and_a_rerun_finishes(site, server):
    run(site, server, fields=("title",))
    titled = files_of(site)
    server.fault("503", times=20)
    result = run(site, server, attempts=3)
    assert result.status == 1
    assert "HTTP 503 (gave up after 3 attempts" in result.err
    assert "3 failed" in result.out
    assert files_of(site) == titled  # the title's draft is intact
    assert KEY not in result.err
    server.faults.clear()
    rerun = run(site, server)
    assert rerun.status == 0 and "3 translated" in rerun.out and "1 drafted already" in rerun.out


def test_an_answer_in_english_or_without_its_formula_is_kept_but_never_shown(site, server):
    server.answers[ENGLISH[(A, "abstract")]] = ENGLISH[(A, "abstract")]  # the model answers in English
    server.answers[ENGLISH[(B, "abstract")]] = CHINESE[(B, "abstract")].replace(r"$O(1/\sqrt{n})$ ", "")
    result = run(site, server, fields=("abstract",))
    assert result.status == 1
    assert "2 rejected by a guard" in result.out
    assert f"rejected: {A} abstract: reads as English, not Chinese" in result.err
    assert rf"rejected: {B} abstract: not kept exactly as in the English: $O(1/\sqrt{{n}})$" in result.err
    assert set(drafts_of(site)) == {A, B}  # kept, for the curator to see
    project = load_project(site)
    metas = site_store(site).load()
    assert shown_drafts(project, metas) == {}
    _, problems = check_project(site)
    found = [str(p) for p in problems if p.field.startswith("abstract.")]
    assert any("content/drafts/openreview/SkhQHMW0W.json:" in p and "warning: abstract.zh: machine draft not shown: "
               "reads as English" in p for p in found), found
    assert any("numbers" not in p and r"$O(1/\sqrt{n})$" in p for p in found)
    # a rerun asks again for what failed a guard, and a good answer replaces it
    server.answers.update({ENGLISH[k]: v for k, v in CHINESE.items()})
    rerun = run(site, server, fields=("abstract",))
    assert rerun.status == 0 and "2 translated" in rerun.out
    assert set(shown_drafts(load_project(site), metas)) == {A, B}


def test_a_changed_english_text_is_translated_again_and_only_it(site, server):
    run(site, server)
    store = site_store(site)
    meta = store.get(B)
    changed = ENGLISH[(B, "abstract")].replace("4 bits", "4 bits or fewer")
    server.answers[changed] = CHINESE[(B, "abstract")].replace("4 bit 的", "4 bit 及以下的")
    from dataclasses import replace
    store.put(replace(meta, abstract=changed))
    _, problems = check_project(site)
    assert any("the English text has changed" in p.message for p in problems)
    asked = len(server.requests)
    result = run(site, server)
    assert result.status == 0 and "1 translated" in result.out and "3 drafted already" in result.out
    assert [b["messages"][-1]["content"] for b, _ in server.requests[asked:]] == [changed]
    assert "4 bit 及以下" in drafts_of(site)[B][("abstract", "zh")]


def test_interrupted_run_keeps_what_was_answered(site, server, monkeypatch):
    from digest.metadata import translate as stage

    calls = []
    real = stage.chat.parse_answer

    def parse(body, content_type=""):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(body, content_type)

    monkeypatch.setattr(stage.chat, "parse_answer", parse)
    result = run(site, server)
    assert result.status == 130 and "interrupted" in result.err
    assert sum(len(d) for d in drafts_of(site).values()) == 2
    monkeypatch.setattr(stage.chat, "parse_answer", real)
    rerun = run(site, server)
    assert rerun.status == 0 and "2 translated" in rerun.out and "2 drafted already" in rerun.out


def test_review_lists_drafts_and_approve_inserts_only_new_lines(site, server):
    run(site, server)
    out = io.StringIO()
    assert run_translate(args(site, review="two"), out, io.StringIO(), env={}) == 0
    listing = out.getvalue()
    assert f"{A} abstract (test-model): shown, marked as a machine translation" in listing
    assert "    " + CHINESE[(A, "title")] in listing
    assert "two: 4 drafts not approved" in listing
    path = site / "content" / "editions" / "two.yaml"
    before = path.read_text(encoding="utf-8")
    out = io.StringIO()
    assert run_translate(args(site, approve=[str(A), "abstract"]), out, io.StringIO(), env={}) == 0
    assert run_translate(args(site, approve=[str(A), "title"]), out, io.StringIO(), env={}) == 0
    after = path.read_text(encoding="utf-8")
    ops = difflib.SequenceMatcher(None, before.split("\n"), after.split("\n"), autojunk=False).get_opcodes()
    assert {op for op, *_ in ops} == {"equal", "insert"}  # every line of the file as it was, in order
    inserted = [line for op, _, _, j1, j2 in ops if op == "insert" for line in after.split("\n")[j1:j2]]
    assert inserted == ["    abstract:", "      zh: |", "        " + CHINESE[(A, "abstract")],
                        "    title:", "      zh: " + json.dumps(CHINESE[(A, "title")], ensure_ascii=False)]
    entry = load_project(site).editions[0].entries[0]
    assert entry.abstract["zh"].strip() == CHINESE[(A, "abstract")]
    assert entry.title["zh"] == CHINESE[(A, "title")]
    out = io.StringIO()
    assert run_translate(args(site, review="two"), out, io.StringIO(), env={}) == 0
    assert "two: 2 drafts not approved" in out.getvalue()  # approved texts are the curator's now
    import contextlib

    from digest.cli import main
    status = io.StringIO()
    with contextlib.redirect_stdout(status):
        assert main(["status", "--root", str(site), "--as-of", "2018-03-01"]) == 0
    assert "two: zh texts: 1 curator, 2 approved, 2 machine drafts, 0 original" in status.getvalue()


def test_a_tldr_draft_is_approved_into_the_entry_tldr_and_a_second_approval_is_refused(site, server):
    import contextlib

    from digest.cli import main

    run(site, server, fields=("tldr",))
    out = io.StringIO()
    assert run_translate(args(site, review="two"), out, io.StringIO(), env={}) == 0
    assert f"{A} tldr (test-model): shown, marked as a machine translation" in out.getvalue()
    assert "    " + CHINESE[(A, "tldr")] in out.getvalue()
    assert "two: 1 draft not approved" in out.getvalue()
    path = site / "content" / "editions" / "two.yaml"
    before = path.read_text(encoding="utf-8")
    out = io.StringIO()
    assert run_translate(args(site, approve=[str(A), "tldr"]), out, io.StringIO(), env={}) == 0
    assert "approved openreview:SkhQHMW0W tldr: written to content/editions/two.yaml" in out.getvalue()
    after = path.read_text(encoding="utf-8")
    ops = difflib.SequenceMatcher(None, before.split("\n"), after.split("\n"), autojunk=False).get_opcodes()
    assert {op for op, *_ in ops} == {"equal", "insert"}
    inserted = [line for op, _, _, j1, j2 in ops if op == "insert" for line in after.split("\n")[j1:j2]]
    assert inserted == ["    tldr:", "      zh: " + json.dumps(CHINESE[(A, "tldr")], ensure_ascii=False)]
    assert load_project(site).editions[0].entries[0].tldr == {"zh": CHINESE[(A, "tldr")]}
    _, problems = check_project(site)
    assert not [p for p in problems if p.severity == "error"], problems
    out = io.StringIO()
    assert run_translate(args(site, review="two"), out, io.StringIO(), env={}) == 0
    assert "two: 0 drafts not approved" in out.getvalue()
    status = io.StringIO()
    with contextlib.redirect_stdout(status):
        assert main(["status", "--root", str(site), "--as-of", "2018-03-01"]) == 0
    assert "two: zh texts: 1 curator, 1 approved, 0 machine drafts, 3 original" in status.getvalue()
    # the curator's TL;DR is never asked of the provider again
    asked = len(server.requests)
    again = run(site, server, fields=("tldr",))
    assert again.status == 0 and "1 skipped: the curator's own translation" in again.out
    assert len(server.requests) == asked
    # approving it again is refused, with where the curator's text is, and the file is untouched
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["translate", "--root", str(site), "--approve", str(A), "tldr"]) == 1
    assert "content/editions/two.yaml:13:5: error: tldr.zh: the curator has written this text already " \
           "(edit it in the file; a machine draft never replaces the curator's words)" in err.getvalue()
    assert "Traceback" not in err.getvalue()
    assert path.read_text(encoding="utf-8") == after


def test_guards():
    src = "Accuracy rises from 71.2% to 74.5% with $\\alpha = 0.1$; code at https://github.com/a/b and `pip install x`."
    good = "准确率从 71.2% 提高到 74.5%（$\\alpha = 0.1$），代码见 https://github.com/a/b，可用 `pip install x` 安装。"
    assert guard(src, good) == []
    assert any("numbers dropped: 74.5" in r for r in guard(src, good.replace("74.5", "七十四点五")))
    assert any("numbers added: 80" in r for r in guard(src, good + "共 80 次实验。"))
    assert any("https://github.com/a/b" in r for r in guard(src, good.replace("https://github.com/a/b", "GitHub")))
    assert any("`pip install x`" in r for r in guard(src, good.replace("`pip install x`", "pip")))
    assert any("Traditional characters" in r for r in guard(src, good.replace("准确率", "準確率")))
    assert any("copy-editing" in r for r in guard(src, good.replace("从 71.2%", "从71.2%")))
    long_src = src * 8
    assert any("times the English text's length" in r for r in guard(long_src, good))


def _build(root: Path) -> Path:
    from digest.pipeline import build

    out = root / "output"
    build(root, out)
    return out


def test_pages_and_feeds_show_a_draft_marked_only_with_fallback_machine_and_never_a_failing_one(site, server):
    import feedparser

    server.answers[ENGLISH[(B, "abstract")]] = CHINESE[(B, "abstract")].replace(r"$O(1/\sqrt{n})$ ", "")
    run(site, server)  # B's abstract lost its formula: kept, not shown
    out = _build(site)
    page = (out / "zh" / "two" / "index.html").read_text(encoding="utf-8")
    assert "机器翻译，未经审校" not in page  # the default fallback keeps the original
    assert 'lang="en"' in page and ENGLISH[(A, "tldr")] in page
    site_yaml = site / "content" / "site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8")
                         + "fallback:\n  abstract: machine\n  tldr: machine\n  meta_review: machine\n", encoding="utf-8")
    out = _build(site)
    page = (out / "zh" / "two" / "index.html").read_text(encoding="utf-8")
    assert '<section class="abstract" data-source="machine">' in page
    assert '<span class="original machine">机器翻译，未经审校</span>' in page
    assert CHINESE[(A, "abstract")] in page and CHINESE[(A, "tldr")] in page
    assert ENGLISH[(A, "abstract")] not in page
    # the draft that failed a guard is not shown: B's abstract is the English, marked as such
    assert CHINESE[(B, "abstract")].replace(r"$O(1/\sqrt{n})$ ", "") not in page
    assert "We bound the error by" in page
    hant = (out / "zh-Hant" / "two" / "index.html").read_text(encoding="utf-8")
    assert "機器翻譯，未經審校" in hant and "梯度交換" in hant  # converted from the Simplified draft
    english = (out / "en" / "two" / "index.html").read_text(encoding="utf-8")
    assert "Machine translation" not in english and ENGLISH[(A, "abstract")] in english
    feed = feedparser.parse((out / "zh" / "feed.xml").read_bytes())
    body = feed.entries[0].content[0].value if "content" in feed.entries[0] else feed.entries[0].summary
    assert "机器翻译，未经审校" in body and CHINESE[(A, "tldr")] in body
    # a page's description never carries a machine draft (it cannot be marked there)
    paper = out / "zh" / "two" / "openreview-SkhQHMW0W" / "index.html"
    assert CHINESE[(A, "abstract")] in paper.read_text(encoding="utf-8")
    description = [line for line in paper.read_text(encoding="utf-8").splitlines() if 'name="description"' in line]
    assert all(CHINESE[(A, "tldr")] not in line for line in description)
    # the same inputs give the same bytes
    first = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    again = _build(site)
    assert {p: p.read_bytes() for p in again.rglob("*") if p.is_file()} == first


ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("with_drafts", [True, False])
def test_the_example_site_builds_with_its_drafts_and_without(tmp_path, with_drafts):
    import shutil

    root = tmp_path / "example"
    shutil.copytree(ROOT / "content", root / "content")
    if not with_drafts:
        shutil.rmtree(root / "content" / "drafts")
    out = _build(root)
    page = (out / "zh" / "iclr2018-by-category" / "index.html").read_text(encoding="utf-8")
    hant = (out / "zh-Hant" / "iclr2018-by-category" / "index.html").read_text(encoding="utf-8")
    vnq = "In this paper, the preparation of a neural network for pruning"
    if with_drafts:
        assert page.count("机器翻译，未经审校") == 6 and hant.count("機器翻譯，未經審校") == 6  # 3 abstracts, 3 TL;DRs
        assert "变分网络量化" in page and vnq not in page
    else:
        assert "机器翻译，未经审校" not in page and "機器翻譯，未經審校" not in hant
        assert vnq in page


def test_a_killed_run_leaves_every_drafts_file_whole_and_a_rerun_finishes(site, server):
    import os
    import signal
    import subprocess
    import sys
    import time

    server.fault("slow", times=8, delay=0.2)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TEST_CHAT_KEY": KEY, "DIGEST_TRANSLATION_URL": server.base}
    proc = subprocess.Popen([sys.executable, "-m", "digest.cli", "translate", "--root", str(site)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    folder = site / "content" / "drafts"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(folder.rglob("*.json")):
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    kept = drafts_of(site)  # every file reads back whole (a damaged one raises)
    assert 1 <= sum(len(d) for d in kept.values()) < 4
    server.faults.clear()
    rerun = run(site, server)
    assert rerun.status == 0 and "translated" in rerun.out and "drafted already" in rerun.out
    assert sum(len(d) for d in drafts_of(site).values()) == 4


def _exports(root: Path, lang: str) -> dict[str, str]:
    """Every export of the edition in ``lang``, by channel (the email's text part as ``email.txt``)."""
    from digest.exports.channels import EXPORTS
    from digest.pipeline import export_context

    out = {}
    for name, channel in EXPORTS.items():
        for esp in channel.choices.get("esp", ("",)):
            result = channel.render(export_context(root, "two", lang, {"esp": esp} if esp else {}))
            key = f"{name}.{esp}" if esp else name
            out[key] = result.data.decode("utf-8")
            if result.text is not None:
                out[key + ".txt"] = result.text.decode("utf-8")
    return out


def test_exports_show_a_draft_with_its_mark_in_words_only_with_fallback_machine(site, server):
    run(site, server)
    mark = {"zh": "机器翻译，未经审校", "zh-Hant": "機器翻譯，未經審校"}
    tldr = {"zh": CHINESE[(A, "tldr")], "zh-Hant": "大部分梯度交換都是冗餘的，只需傳送數值較大的那一部分。"}
    kept = _exports(site, "zh")
    assert set(kept) == {"markdown", "zhihu", "wechat", "email.generic", "email.generic.txt", "email.buttondown",
                         "email.listmonk", "email.listmonk.txt"}
    for name, body in kept.items():  # fallback original: the English, and no mark
        assert mark["zh"] not in body and CHINESE[(A, "tldr")] not in body, name
        assert ENGLISH[(A, "tldr")] in body, name
    site_yaml = site / "content" / "site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8")
                         + "fallback:\n  abstract: machine\n  tldr: machine\n", encoding="utf-8")
    for lang in ("zh", "zh-Hant"):
        shown = _exports(site, lang)
        for name, body in shown.items():
            assert tldr[lang] in body, (lang, name)
            assert ENGLISH[(A, "tldr")] not in body, (lang, name)
        # the mark, in words, before the draft it marks
        for name in ("markdown", "zhihu", "email.buttondown"):
            assert f"* *{mark[lang]}* {tldr[lang]}" in shown[name], (lang, name)
            assert shown[name].count(f"* *{mark[lang]}*") == 3, (lang, name)  # A's TL;DR, A's and B's abstracts
        if lang == "zh":
            assert CHINESE[(A, "abstract")].replace("*", r"\*") in shown["markdown"]
        for name in ("wechat", "email.generic", "email.listmonk"):
            assert re.search(rf"<span [^>]*>{mark[lang]}</span> {tldr[lang]}</p>", shown[name]), (lang, name)
        for name in ("email.generic.txt", "email.listmonk.txt"):
            assert f"  TL;DR [{mark[lang]}] {tldr[lang]}" in shown[name], (lang, name)
    english = _exports(site, "en")
    assert all("Machine translation" not in body and ENGLISH[(A, "tldr")] in body for body in english.values())


def test_a_title_draft_is_shown_under_the_english_title_marked_only_with_fallback_title_machine(site, server):
    import feedparser

    run(site, server)
    site_yaml = site / "content" / "site.yaml"
    base = site_yaml.read_text(encoding="utf-8")
    site_yaml.write_text(base + "fallback:\n  tldr: machine\n", encoding="utf-8")
    out = _build(site)
    page = (out / "zh" / "two" / "index.html").read_text(encoding="utf-8")
    assert CHINESE[(A, "tldr")] in page and CHINESE[(A, "title")] not in page  # titles: original by default
    assert CHINESE[(A, "title")] not in _exports(site, "zh")["markdown"]
    site_yaml.write_text(base + "fallback:\n  title: machine\n", encoding="utf-8")
    out = _build(site)
    for lang, title, mark in (("zh", CHINESE[(A, "title")], "机器翻译，未经审校"),
                              ("zh-Hant", "深度梯度壓縮：降低分散式訓練的通訊頻寬", "機器翻譯，未經審校")):
        for path in (f"{lang}/two/index.html", f"{lang}/two/openreview-SkhQHMW0W/index.html"):
            html = (out / path).read_text(encoding="utf-8")
            # the English title stays the heading; the draft is under it, marked, in the page's language
            found = re.search(r'<h\d class="entry-title" lang="en" data-source="fetched"><a [^>]*>Deep Gradient '
                              r'Compression: Reducing the Communication Bandwidth for Distributed Training</a></h\d>\s*'
                              r'<p class="entry-local-title" data-source="machine"><span>(.*?)</span> '
                              r'<span class="original machine">(.*?)</span></p>', html)
            assert found and found.groups() == (title, mark), path
            assert html.count(title) == 1, path  # not in the table of contents, the <title> or the description
            assert html.count('<p class="entry-local-title" data-source="machine">') == 1, path
        # B's title is the curator's: shown as the curator wrote it, and no draft under it
        edition = (out / lang / "two" / "index.html").read_text(encoding="utf-8")
        own = "基于蒸馏与量化的模型压缩" if lang == "zh" else "基於蒸餾與量化的模型壓縮"
        assert f'<p class="entry-local-title">{own}</p>' in edition
        feed = feedparser.parse((out / lang / "category" / "training" / "feed.xml").read_bytes())
        body = " ".join(e.content[0].value for e in feed.entries)
        assert f"<span>{title}</span> <span class=\"original machine\">{mark}</span>" in body, lang
        exported = _exports(site, lang)
        assert f"{title} *{mark}*" in exported["markdown"] and f"{title} *{mark}*" in exported["zhihu"]
        assert re.search(rf'>{title} <span [^>]*>{mark}</span></p>', exported["wechat"])
        assert f"  {title} [{mark}]" in exported["email.generic.txt"]
    english = (out / "en" / "two" / "index.html").read_text(encoding="utf-8")
    assert CHINESE[(A, "title")] not in english and "entry-local-title" not in english


def test_a_draft_that_fails_a_guard_or_a_meta_review_draft_is_not_approved(site, server):
    import contextlib

    from digest.cli import main
    from digest.content.edit import insert_translation
    from digest.metadata.drafts import Draft, site_drafts, source_hash

    server.answers[ENGLISH[(A, "abstract")]] = ENGLISH[(A, "abstract")]  # in English: fails a guard
    run(site, server, fields=("abstract",))
    path = site / "content" / "editions" / "two.yaml"
    before = path.read_bytes()
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["translate", "--root", str(site), "--approve", str(A), "abstract"]) == 1
    assert f"{A} abstract: the draft fails a guard (reads as English" in err.getvalue()
    assert "Traceback" not in err.getvalue() and path.read_bytes() == before

    def warned() -> list[str]:
        return [str(p) for p in check_project(site)[1] if "SkhQHMW0W.json" in str(p) and "abstract.zh" in str(p)]

    assert warned()  # the failing draft is reported...
    rel = "content/editions/two.yaml"
    insert_translation(path, rel, A, "abstract", "zh", CHINESE[(A, "abstract")])
    assert warned() == []  # ...until the curator writes the text: the draft is no longer shown or asked for
    # a meta-review draft translates the fetched meta-review; the entry's meta_review is the curator's summary
    site_drafts(site).put(B, Draft("meta_review", "zh", "test-model", "p", source_hash("A fetched meta-review."),
                                   "一段机器翻译的元评审。"))
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["translate", "--root", str(site), "--approve", str(B), "meta_review"]) == 1
    assert "a meta-review draft stays a draft" in err.getvalue() and "Traceback" not in err.getvalue()
