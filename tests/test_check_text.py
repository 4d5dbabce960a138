"""digest check on what curators wrote: wrong language, Traditional characters, Chinese copy-editing."""

from __future__ import annotations

import io
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from digest.checks.texts import changes, han_share, simplified_characters, traditional_characters
from digest.cli import main

BASE = Path(__file__).parent / "cases" / "base"

#: An edition head that files nothing, so only the entries below are judged.
HEAD = "date: 2018-02-10\nconference: ICLR 2018\ntitle: {en: Notes, zh: 点评}\nentries:\n"
ENTRY = "  - paper: openreview:ryQu7f-RZ\n    category: optimization\n    note:\n"


def site(tmp_path: Path, edition: str, policies: str = "") -> Path:
    """The base site with one edition; every category used, so no empty-category warning."""
    root = tmp_path / "site"
    shutil.copytree(BASE, root)
    (root / "content" / "editions").mkdir()
    (root / "content" / "editions" / "w1.yaml").write_text(edition, encoding="utf-8")
    (root / "content" / "editions" / "w0.yaml").write_text(
        "date: 2018-01-01\nconference: ICLR 2018\ntitle: {en: Filed, zh: 归档}\nentries:\n"
        "  - {paper: 'openreview:SkhQHMW0W', category: model-compression}\n"
        "  - {paper: 'openreview:SkhQHMW0W-x', category: other}\n", encoding="utf-8")
    config = root / "content" / "site.yaml"
    # records missing from the snapshot are not what these tests are about
    config.write_text(config.read_text(encoding="utf-8") + "policies:\n  missing_metadata: ignore\n" + policies,
                      encoding="utf-8")
    return root


def check(root: Path, *extra: str) -> tuple[int, list[str], str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["check", "--root", str(root), *extra])
    return code, err.getvalue().splitlines(), out.getvalue()


def test_an_english_note_under_zh_and_a_chinese_note_under_en(tmp_path: Path):
    root = site(tmp_path, HEAD + ENTRY + (
        "      en: 本文指出 Adam 的指数移动平均会让有效学习率变大，并给出了一个凸问题上的反例。\n"
        "      zh: The paper shows that Adam can fail to converge even on a simple convex problem.\n"
    ))
    code, lines, _ = check(root)
    assert code == 0
    assert lines == [
        "content/editions/w1.yaml:8:11: warning: entries[0].note.en: reads as Chinese, not English "
        "(move it under zh: and write the English text here)",
        "content/editions/w1.yaml:9:11: warning: entries[0].note.zh: reads as English, not Chinese "
        "(move it under en: and write the Chinese text here)",
    ]


def test_chinese_full_of_english_terms_short_texts_and_quoted_terms_are_not_flagged(tmp_path: Path):
    root = site(tmp_path, HEAD + ENTRY + (
        "      en: Known in Chinese as 自适应矩估计 (adaptive moment estimation), Adam needs a fix.\n"
        "      zh: 作者在 CIFAR-10 和 ImageNet 上用 ResNet-50、DenseNet 比较了 Adam、AMSGrad 与 SGD 的收敛速度。\n"
        + ENTRY.replace("ryQu7f-RZ", "ryQu7f-RZ-x") +
        "      en: 短评：值得一读\n"  # under MIN_JUDGED characters: not judged
        "      zh: Worth a read.\n"
    ))
    assert check(root)[:2] == (0, [])
    share, length = han_share("本文用 `torch.optim.Adam` 训练，见 [代码](https://github.com/x/y)。")
    assert (share, length) == (1.0, 11)  # code, link targets and URLs are not prose


def test_traditional_characters_in_a_simplified_note(tmp_path: Path):
    root = site(tmp_path, HEAD + ENTRY + (
        "      en: A note.\n"
        "      zh: |\n"
        "        這篇論文指出 Adam 在凸问题上也可能不收敛。\n"
    ))
    code, lines, _ = check(root)
    assert code == 0
    assert lines == [
        "content/editions/w1.yaml:10:9: warning: entries[0].note.zh: Traditional characters 這論 in Simplified "
        "Chinese text (write them in Simplified form: the site's Chinese is zh-Hans)",
    ]
    assert traditional_characters("着于后里面干台么只系") == []  # shared or Simplified characters


def test_a_traditional_override_is_checked_like_chinese(tmp_path: Path):
    """A zh-Hant text is the one Traditional text a curator types by hand: its slips are found too."""
    root = site(tmp_path, HEAD + ENTRY + (
        "      en: Adam can fail to converge even on a simple convex problem.\n"
        "      zh: 本文证明 Adam 在凸问题上也可能不收敛。\n"
        "      zh-Hant: 本文證明Adam在凸问题上也可能不收斂,並提出AMSGrad.\n"
        "    meta_review:\n"
        "      en: Accepted as an oral.\n"
        "      zh: 评审一致同意。\n"
        "      zh-Hant: The reviewers agreed that the counterexample is convincing.\n"
    ), "languages: [en, zh, zh-Hant]\n")
    code, lines, _ = check(root)
    assert code == 0
    assert lines == [
        "content/editions/w1.yaml:10:20: warning: entries[0].note.zh-Hant: Chinese copy-editing: '文證明Adam在凸问' "
        "should read '文證明 Adam 在凸问'; '不收斂,並提出AMSGrad' should read '不收斂，並提出 AMSGrad' "
        "(run digest check --fix to apply the changes)",
        "content/editions/w1.yaml:10:26: warning: entries[0].note.zh-Hant: Simplified characters 问题 in Traditional "
        "Chinese text (write them in Traditional form, or drop the zh-Hant text to have it converted from zh)",
        "content/editions/w1.yaml:14:16: warning: entries[0].meta_review.zh-Hant: reads as English, not Chinese "
        "(move it under en: and write the Chinese text here)",
    ]
    check(root, "--fix")  # and --fix copy-edits it like a zh text
    fixed = (root / "content" / "editions" / "w1.yaml").read_text(encoding="utf-8")
    assert "      zh-Hant: 本文證明 Adam 在凸问题上也可能不收斂，並提出 AMSGrad.\n" in fixed
    assert simplified_characters("於後裡面乾臺麼隻係") == []  # Traditional characters
    assert [ch for _, ch in simplified_characters("這篇论文")] == ["论"]


def test_copy_editing_names_the_changes_and_points_at_the_first(tmp_path: Path):
    root = site(tmp_path, HEAD + ENTRY + (
        "      en: Adam can fail to converge.\n"
        "      zh: \"本文证明Adam在凸问题上也可能不收敛,并提出AMSGrad.\"\n"
        "    title:\n"
        "      zh: >\n"
        "        论Adam的收敛性\n"
    ))
    code, lines, _ = check(root)
    assert code == 0
    assert lines == [
        "content/editions/w1.yaml:9:16: warning: entries[0].note.zh: Chinese copy-editing: '文证明Adam在凸问' should "
        "read '文证明 Adam 在凸问'; '不收敛,并提出AMSGrad' should read '不收敛，并提出 AMSGrad' "
        "(run digest check --fix to apply the changes)",
        "content/editions/w1.yaml:11:11: warning: entries[0].title.zh: Chinese copy-editing: '论Adam的收敛' should "
        "read '论 Adam 的收敛' (fix it by hand: --fix rewrites only one-line texts and | blocks)",
    ]


def test_changes_are_grouped_with_context_and_counted():
    found = changes("会议于4月30日至5月3日举行,投稿995篇", "会议于 4 月 30 日至 5 月 3 日举行，投稿 995 篇")
    assert [(c.index, c.old, c.new) for c in found] == [
        (3, "会议于4月30日至5月3日举行,投稿995篇", "会议于 4 月 30 日至 5 月 3 日举行，投稿 995 篇"),
    ]
    found = changes("第一段用了GPU。这里有一段很长很长的话，中间没有任何问题。第二段用了TPU。",
                    "第一段用了 GPU。这里有一段很长很长的话，中间没有任何问题。第二段用了 TPU。")
    assert [(c.index, c.old, c.new) for c in found] == [
        (5, "段用了GPU", "段用了 GPU"), (35, "段用了TPU", "段用了 TPU")]


def test_placeholders_are_not_judged_and_policies_decide_the_level(tmp_path: Path):
    text = HEAD + ENTRY + "      en: A note.\n      zh: 本文证明Adam不收敛\n"
    root = site(tmp_path, text, "  copyediting: error\n")
    code, lines, _ = check(root)
    assert code == 1
    assert lines == [
        "content/editions/w1.yaml:9:15: error: entries[0].note.zh: Chinese copy-editing: '文证明Adam不收敛' "
        "should read '文证明 Adam 不收敛' (run digest check --fix to apply the changes)",
        "digest check: 1 error",
    ]
    config = root / "content" / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("copyediting: error", "copyediting: ignore\n"
                                                                  "  placeholder: warning"), encoding="utf-8")
    edition = root / "content" / "editions" / "w1.yaml"
    edition.write_text(text + ENTRY.replace("ryQu7f-RZ", "ryQu7f-RZ-x") +
                       "      en: <<your note in English>>\n      zh: <<中文点评, write it in Chinese, about GPU use>>\n",
                       encoding="utf-8")
    code, lines, _ = check(root)
    assert (code, [line.split(": placeholder")[0] for line in lines]) == (0, [
        "content/editions/w1.yaml:13:11: warning: entries[1].note.en",
        "content/editions/w1.yaml:14:11: warning: entries[1].note.zh",
    ])  # the English placeholder under zh is neither copy-edited nor judged for language


#: An edition with control characters written as double-quoted escapes, in a plain field,
#: in texts per language, and in a quoted text folded over two lines (which --fix cannot rewrite).
CONTROLS = (
    'date: 2018-02-10\nconference: "ICLR 2018\\a"\ntitle: {en: "Notes \\e[31m", zh: 点评}\nentries:\n'
    + ENTRY +
    '      en: "A bell\\x07, another\\u0007 and a form feed\\f."\n'
    '      zh: "用了 GPU\\b。"\n'
    + ENTRY.replace("ryQu7f-RZ", "ryQu7f-RZ-x") +
    '      en: "Folded over\n        two lines\\a."\n'
    '      zh: "一个 C1 控制字符\\x9b。"\n'
)


def test_control_characters_are_reported_where_they_are_written(tmp_path: Path):
    root = site(tmp_path, CONTROLS)
    code, lines, _ = check(root)
    assert code == 0
    assert lines == [
        "content/editions/w1.yaml:2:23: warning: conference: control character U+0007 (written \\a) in the text: "
        "pages and feeds drop it (run digest check --fix to remove it)",
        "content/editions/w1.yaml:3:20: warning: title.en: control character U+001B (written \\e) in the text: "
        "pages and feeds drop it (run digest check --fix to remove it)",
        "content/editions/w1.yaml:8:18: warning: entries[0].note.en: control characters U+0007 (written \\x07), "
        "U+0007 (written \\u0007), U+000C (written \\f) in the text: pages and feeds drop them "
        "(run digest check --fix to remove them)",
        "content/editions/w1.yaml:9:18: warning: entries[0].note.zh: control character U+0008 (written \\b) in the text: "
        "pages and feeds drop it (run digest check --fix to remove it)",
        "content/editions/w1.yaml:13:11: warning: entries[1].note.en: control character U+0007 in the text: "
        "pages and feeds drop it (remove it by hand: --fix rewrites only one-line texts and | blocks)",
        "content/editions/w1.yaml:15:22: warning: entries[1].note.zh: control character U+009B (written \\x9b) in the "
        "text: pages and feeds drop it (run digest check --fix to remove it)",
    ]
    config = root / "content" / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "  control_characters: error\n", encoding="utf-8")
    code, lines, _ = check(root)
    assert code == 1 and len(lines) == 7 and all(": error: " in line for line in lines[:-1])
    config.write_text(config.read_text(encoding="utf-8").replace("control_characters: error", "control_characters: ignore"),
                      encoding="utf-8")
    assert check(root)[:2] == (0, [])
