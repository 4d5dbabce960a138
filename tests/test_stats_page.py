"""Venue statistics on an edition page: the blocks the curator asks for, the inline SVG charts
(parsed here: bar count, heights proportional, the table equals the bars, ids unique, the same
bytes twice), the labels in each language, official numbers, and a missing venue record."""

from __future__ import annotations

import io
import re
import shutil
import xml.etree.ElementTree as ET
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from digest.cli import main
from digest.site.charts import bars

REPO = Path(__file__).resolve().parent.parent
EDITION = "iclr2021-by-the-numbers"
SVG = "{http://www.w3.org/2000/svg}"


def run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, err.getvalue()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("stats") / "site"
    shutil.copytree(REPO / "content", root / "content")
    code, err = run("build", "--root", str(root))
    assert code == 0, err
    return root


def page(root: Path, lang: str) -> str:
    return (root / "output" / lang / EDITION / "index.html").read_text(encoding="utf-8")


def charts(html: str) -> list[tuple[ET.Element, list[tuple[str, str]]]]:
    """Each chart's SVG, parsed, with the rows of the table that follows it: (heading, last cell)."""
    found = []
    for m in re.finditer(r'<figure class="stats-chart" tabindex="0">\s*(<svg .*?</svg>)\s*(<table .*?</table>)', html, re.S):
        svg = ET.fromstring(m.group(1).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))
        rows = [(head, re.findall(r"<td>(.*?)</td>", cells)[-1])  # the bars show the last column
                for head, cells in re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', m.group(2))]
        found.append((svg, rows))
    return found


def number(text: str) -> float:
    return float(text.replace(",", "").rstrip("%"))


def test_every_block_asked_for_is_on_the_page_in_order(built: Path) -> None:
    html = page(built, "en")
    blocks = re.findall(r'<h3 id="stats-([a-z-]+)">', html)
    assert blocks == ["submissions", "acceptance", "reviews", "means", "summary", "spread", "controversial",
                      "top", "by-decision", "by-score", "confidence"]
    # the snapshot's date and the venue's scale are printed with the numbers
    assert "From the venue record of February 12, 2025." in html
    assert "Ratings on the venue's scale: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10." in html
    assert "Accepted: 860 of 2,997 (28.7%)." in html
    assert "Submissions count withdrawn papers and leave desk rejections out." in html


def test_charts_are_accessible_svg_whose_bars_match_their_table(built: Path) -> None:
    html = page(built, "en")
    found = charts(html)
    assert len(found) == 5  # reviews, means, spread, by-decision, by-score
    for svg, rows in found:
        assert svg.get("role") == "img"
        title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
        assert title is not None and title.text and desc is not None and desc.text
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        rects = svg.findall(f"{SVG}rect")
        assert len(rects) == len(rows) > 0
        labels = [t.text for t in svg.findall(f"{SVG}text") if t.get("class") == "chart-label"]
        shown = [t.text for t in svg.findall(f"{SVG}text") if t.get("class") == "chart-value"]
        assert labels == [label for label, _ in rows]  # never colour alone: each bar says its number
        tallest = max(rects, key=lambda r: float(r.get("data-value")))
        ratio = float(tallest.get("height")) / float(tallest.get("data-value"))
        for rect, (_label, value), text in zip(rects, rows, shown, strict=True):
            assert text == value
            height, drawn = float(rect.get("height")), float(rect.get("data-value"))
            if value == "–":  # a bin without papers has no rate, and no bar
                assert drawn == 0 and height == 0
                continue
            # the bar's value is the table's (to the table's rounding: 28.7% of 0.2867…)
            shown_value = number(value) / 100 if value.endswith("%") else number(value)
            assert drawn == pytest.approx(shown_value, abs=0.0051)
            assert height == pytest.approx(ratio * drawn, abs=0.011)  # heights are rounded to 0.01
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))


def test_the_reviews_chart_counts_every_rating_of_the_record(built: Path) -> None:
    import json
    papers = json.loads((REPO / "content/snapshot/venues/iclr-2021.json").read_text(encoding="utf-8"))["papers"]
    counts = [0] * 10
    for p in papers:
        if p["decision"] != "desk-reject":
            for r in p["ratings"]:
                counts[r - 1] += 1
    svg, rows = charts(page(built, "en"))[0]
    assert [int(number(v)) for _l, v in rows] == counts


def test_labels_come_from_the_catalogs_in_each_language(built: Path) -> None:
    zh, hant = page(built, "zh"), page(built, "zh-Hant")
    assert "审稿评分分布" in zh and "共录用2,997篇中的860篇（28.7%）。" in zh
    assert "審稿評分分佈" in hant and "錄用情況" in hant
    for html in (zh, hant):
        assert "Review ratings" not in html and "Acceptance rate by mean rating" not in html
        assert "2025年2月12日" in html


def test_the_page_is_byte_identical_when_built_again(built: Path, tmp_path: Path) -> None:
    again = tmp_path / "site"
    shutil.copytree(REPO / "content", again / "content")
    assert run("build", "--root", str(again))[0] == 0
    for lang in ("en", "zh", "zh-Hant"):
        assert page(again, lang) == page(built, lang)


def test_official_numbers_win_on_the_page(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(REPO / "content", root / "content")
    path = root / "content" / "editions" / f"{EDITION}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("submissions: 2997", "submissions: 3009"), encoding="utf-8")
    assert run("build", "--root", str(root))[0] == 0
    html = page(root, "en")
    assert "3,009 submissions (the venue's own number; computed from the record: 2,997)." in html
    assert "Accepted: 860 of 3,009 (28.6%)." in html


def test_a_missing_venue_record_stops_the_build_with_where_and_what_to_do(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(REPO / "content", root / "content")
    (root / "content/snapshot/venues/iclr-2021.json").unlink()
    code, err = run("build", "--root", str(root))
    assert code == 1 and "Traceback" not in err
    assert (f"content/editions/{EDITION}.yaml:24:10: error: stats.venue: no venue record for ICLR 2021 "
            "(content/snapshot/venues/iclr-2021.json) (run digest venue fetch ICLR 2021)") in err
    assert not (root / "output").exists()


def test_bar_heights_are_proportional_on_a_round_axis() -> None:
    chart = bars("c", [0, 5, 10, 40])
    heights = [b.height for b in chart.bars]
    assert heights[0] == 0 and heights[2] == 2 * heights[1] and heights[3] == 8 * heights[1]
    assert [t.value for t in chart.ticks] == [0, 10, 20, 30, 40]
    assert chart.bars[3].y == chart.top and chart.bars[0].y == chart.base
    assert bars("c", [0, 5, 10, 40]) == chart
    assert [t.value for t in bars("r", [0.1, 0.35]).ticks] == [0, 0.1, 0.2, 0.3, 0.4]


def test_check_warns_where_official_numbers_differ_from_computed_ones(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(REPO / "content", root / "content")
    path = root / "content" / "editions" / f"{EDITION}.yaml"
    text = path.read_text(encoding="utf-8")
    assert "accepted: 860" in text
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        assert main(["check", "--root", str(root)]) == 0
    assert "stats.official" not in out.getvalue() + err.getvalue()  # 2,997 and 860 are what the record says
    path.write_text(text.replace("accepted: 860", "accepted: 861"), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        assert main(["check", "--root", str(root)]) == 0
    line = next(i for i, x in enumerate(text.splitlines(), 1) if "accepted: 860" in x)
    assert (f"content/editions/{EDITION}.yaml:{line}:15: warning: stats.official.accepted: 861 differs from the 860 "
            "computed from the venue record (the page shows yours; check the number, or the record with digest "
            "venue fetch)") in out.getvalue() + err.getvalue()


def test_check_reports_a_damaged_venue_record_by_file_and_line(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(REPO / "content", root / "content")
    record = root / "content/snapshot/venues/iclr-2021.json"
    lines = record.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[7] = lines[7].replace('"decision": "', '"decision": "x', 1)
    record.write_text("".join(lines), encoding="utf-8")
    code, err = run("check", "--root", str(root))
    assert code == 1 and "Traceback" not in err
    assert "content/snapshot/venues/iclr-2021.json:8:" in err and "papers[0].decision: 'x" in err
