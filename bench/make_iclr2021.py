#!/usr/bin/env python3
"""Write a large digest site: every ICLR 2021 submission (3,014 papers) in 20 weekly editions.

    python bench/make_iclr2021.py --out bench/work/iclr2021

The paper records are real (the bundled corpus ``tests/data/iclr2021.jsonl.gz``, parsed by
:mod:`scripts.corpus` and stored in ``content/snapshot/`` exactly as ``digest fetch``
would store them). The curation is synthetic and deterministic, made for benchmarking only:

* 12 categories; each paper goes to the first category one of whose words starts a word of
  its keywords or title, or, when none does, to a category picked by a hash of its forum id;
* editions: papers are ordered by a hash of their forum id and cut into 20 weekly editions
  (Mondays from 2021-01-18), about 150 entries each, listed by category then decision;
* tags: up to three of the paper's own keywords, as slugs (its decision when it has none);
* notes in English and Chinese are generated from the record (decision, ratings, category,
  keywords) by a template; they say they are benchmark filler and are not commentary;
* one paper in four gets a Chinese title (the category name in Chinese before the English
  title); orals are marked as highlights;
* ``--hant`` adds a third language, Traditional Chinese (``zh-Hant``), which digest derives
  from the Chinese texts with OpenCC.

Same input, same output, byte for byte.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date, timedelta
from pathlib import Path
from statistics import mean

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))  # the repository, for scripts.corpus

from sitegen import prepare_out, slugify, stable_hash, write_site  # noqa: E402

from digest.core.models import DECISIONS, PaperMeta  # noqa: E402
from scripts.corpus import iter_corpus  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "data" / "iclr2021.jsonl.gz"
N_EDITIONS = 20
FIRST_MONDAY = date(2021, 1, 18)

#: key, English name, Chinese name, words that file a paper here (matched in keywords and title).
CATEGORIES: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("reinforcement-learning", "Reinforcement learning", "强化学习",
     ("reinforcement", "policy", "imitation", "multi-agent", "reward", "exploration", "planning", "bandit")),
    ("graph-learning", "Graph learning", "图学习", ("graph", "gnn", "message passing", "node classification")),
    ("generative-models", "Generative models", "生成模型",
     ("generative", "gan", "vae", "autoencoder", "normalizing flow", "diffusion", "density estimation")),
    ("robustness-security", "Robustness, privacy and fairness", "鲁棒性、隐私与公平",
     ("adversarial", "robust", "privacy", "security", "attack", "backdoor", "fairness", "poisoning")),
    ("language", "Language", "自然语言处理",
     ("language", "nlp", "translation", "bert", "text", "question answering", "dialogue")),
    ("vision", "Vision", "计算机视觉",
     ("image", "vision", "object detection", "segmentation", "video", "3d", "point cloud", "visual")),
    ("efficiency", "Efficiency and compression", "高效模型与压缩",
     ("pruning", "quantization", "compression", "distillation", "architecture search", "nas",
      "efficient", "sparsity", "sparse")),
    ("optimization", "Optimization", "优化",
     ("optimization", "sgd", "gradient descent", "convergence", "optimizer", "learning rate", "momentum")),
    ("theory", "Theory", "理论",
     ("theory", "generalization", "neural tangent", "implicit regularization", "bound", "kernel",
      "overparameterization", "expressivity")),
    ("representation-learning", "Representation learning", "表示学习",
     ("self-supervised", "contrastive", "representation", "unsupervised", "disentangle", "embedding")),
    ("learning-settings", "Meta, continual and federated learning", "元学习、持续学习与联邦学习",
     ("meta-learning", "meta learning", "few-shot", "continual", "transfer", "domain adaptation",
      "federated", "semi-supervised", "active learning", "lifelong")),
    ("probabilistic", "Probabilistic and causal methods", "概率与因果方法",
     ("bayesian", "uncertainty", "calibration", "causal", "variational", "gaussian process",
      "time series", "probabilistic")),
]

#: One regex per category: any of its words at the start of a word ("gan" finds "gans", not "organ").
_PATTERNS = [re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + ")") for *_names, words in CATEGORIES]

DECISION_WORDS = {
    "oral": ("accepted as an oral", "口头报告（Oral）"),
    "spotlight": ("accepted as a spotlight", "亮点报告（Spotlight）"),
    "poster": ("accepted as a poster", "海报（Poster）"),
    "reject": ("rejected", "被拒稿"),
    "withdrawn": ("withdrawn by its authors", "作者撤稿"),
    "desk-reject": ("desk-rejected", "直接拒稿（Desk Reject）"),
}


def category_of(meta: PaperMeta) -> int:
    """Index into CATEGORIES: first keyword match, else a hash of the forum id."""
    haystack = " ".join((*meta.keywords, meta.title or "")).lower()
    for index, pattern in enumerate(_PATTERNS):
        if pattern.search(haystack):
            return index
    return stable_hash(meta.ref.value) % len(CATEGORIES)


def tags_of(meta: PaperMeta) -> list[str]:
    tags: list[str] = []
    for keyword in meta.keywords:
        tag = slugify(keyword)
        if tag and len(tag) <= 40 and tag not in tags:
            tags.append(tag)
        if len(tags) == 3:
            break
    return tags or [meta.decision or "pending"]


def notes_of(meta: PaperMeta, cat: int) -> dict[str, str]:
    """Template notes in both languages (benchmark filler, said so in the text)."""
    _key, cat_en, cat_zh, _words = CATEGORIES[cat]
    en_decision, zh_decision = DECISION_WORDS.get(meta.decision or "", ("still under review", "尚无结果"))
    ratings = meta.ratings
    if ratings:
        score_en = f"{len(ratings)} reviewers gave it {', '.join(map(str, ratings))} (mean {mean(ratings):.2f})"
        score_zh = f"{len(ratings)} 位审稿人打分 {'、'.join(map(str, ratings))}，平均 {mean(ratings):.2f}"
    else:
        score_en, score_zh = "it has no ratings", "暂无评分"
    keywords = ", ".join(meta.keywords[:4]) or "none given"
    keywords_zh = "、".join(meta.keywords[:4]) or "未提供"
    en = (
        f"ICLR 2021 submission {en_decision}; {score_en}. Filed under *{cat_en}* for its keywords "
        f"({keywords}). [Forum]({meta.ref.url}).\n\n"
        "_Benchmark filler: this note is generated from the paper's record, not written by a curator._"
    )
    zh = (
        f"ICLR 2021 投稿，结果：{zh_decision}；{score_zh}。按关键词（{keywords_zh}）归入"
        f"**{cat_zh}**。[讨论页]({meta.ref.url})\n\n"
        "_性能测试用的示例文字：由论文记录自动生成，并非编辑点评。_"
    )
    return {"en": en, "zh": zh}


def entry_of(meta: PaperMeta, cat: int) -> dict:
    entry: dict = {
        "paper": str(meta.ref),
        "category": CATEGORIES[cat][0],
        "tags": tags_of(meta),
        "note": notes_of(meta, cat),
    }
    if stable_hash("zh-title:" + meta.ref.value) % 4 == 0 and meta.title:
        entry["title"] = {"zh": f"{CATEGORIES[cat][2]}：{meta.title}"}
    if meta.decision == "oral":
        entry["highlight"] = True
    return entry


def build_site(records: list[PaperMeta], hant: bool = False) -> tuple[dict, list[dict], dict[str, dict]]:
    site = {
        "title": {"en": "ICLR 2021, every submission", "zh": "ICLR 2021 全部投稿"},
        "description": {
            "en": "A benchmark roundup: all 3,014 ICLR 2021 submissions in 20 weekly editions.",
            "zh": "性能测试用的周报：ICLR 2021 全部 3014 篇投稿，分 20 期刊出。",
        },
        "base_url": "https://bench.example.org/iclr2021/",
        "languages": ["en", "zh", "zh-Hant"] if hant else ["en", "zh"],
        "default_language": "en",
        "author": "digest benchmarks",
    }
    categories = [
        {"key": key, "name": {"en": en, "zh": zh},
         "description": {"en": f"Papers whose keywords or title mention {words[0]} and related words.",
                         "zh": f"关键词或标题涉及「{zh}」的论文。"}}
        for key, en, zh, words in CATEGORIES
    ]
    order = sorted(records, key=lambda m: (stable_hash(m.ref.value), m.ref.value))
    rank = {d: i for i, d in enumerate(DECISIONS)}
    editions: dict[str, dict] = {}
    for number in range(N_EDITIONS):
        chunk = order[number * len(order) // N_EDITIONS:(number + 1) * len(order) // N_EDITIONS]
        filed = sorted(((category_of(m), m) for m in chunk),
                       key=lambda cm: (cm[0], rank.get(cm[1].decision or "pending", 99), cm[1].title or "",
                                       cm[1].ref.value))
        day = FIRST_MONDAY + timedelta(weeks=number)
        iso_year, iso_week, _ = day.isocalendar()
        slug = f"{iso_year}-w{iso_week:02d}"
        accepted = sum(1 for _c, m in filed if m.decision in ("oral", "spotlight", "poster"))
        editions[slug] = {
            "date": day.isoformat(),
            "conference": "ICLR 2021",
            "series": "iclr2021-weekly",
            "title": {"en": f"ICLR 2021 roundup, week {number + 1}", "zh": f"ICLR 2021 论文周报 第 {number + 1} 期"},
            "intro": {
                "en": f"{len(filed)} submissions this week, {accepted} of them accepted. "
                      "Entries are grouped by category.",
                "zh": f"本期收录 {len(filed)} 篇投稿，其中 {accepted} 篇被接收，按类别排列。",
            },
            "entries": [entry_of(m, c) for c, m in filed],
        }
    return site, categories, editions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="site folder to write (created; must be empty or an earlier output)")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="ICLR 2021 corpus file (default: tests/data/iclr2021.jsonl.gz)")
    parser.add_argument("--limit", type=int, default=0, help="use only the first N records (for a quick smoke run)")
    parser.add_argument("--hant", action="store_true",
                        help="a third language, zh-Hant, derived from the Chinese texts with OpenCC")
    args = parser.parse_args(argv)
    records = list(iter_corpus(args.corpus))
    if args.limit:
        records = records[: args.limit]
    site, categories, editions = build_site(records, hant=args.hant)
    prepare_out(args.out)
    header = "Benchmark content written by bench/make_iclr2021.py; notes are generated filler."
    counts = write_site(args.out, site, categories, editions, records, header)
    print(f"wrote {counts['editions']} editions, {counts['entries']} entries, "
          f"{counts['records']} snapshot records under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
