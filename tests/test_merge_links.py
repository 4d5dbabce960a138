"""Links taken from fetched records are shown only when they are absolute http(s) URLs."""

from datetime import date

from digest.core.ids import PaperRef
from digest.core.models import Edition, Entry, PaperMeta
from digest.site.merge import merge_entry

REF = PaperRef("openreview", "ryQu7f-RZ")


def test_unsafe_fetched_links_are_dropped_and_the_safe_fallback_kept():
    meta = PaperMeta(ref=REF, source="openreview-v1", fetched_at="2026-01-01T00:00:00Z", title="T",
                     pdf_url="javascript:alert(1)", code_url="data:text/html,<script>alert(1)</script>")
    entry = Entry(paper=REF, category="optimization")
    edition = Edition(date=date(2018, 2, 10), conference="ICLR 2018", title={"en": "T"}, entries=(entry,), slug="w1")
    item = merge_entry(entry, meta, edition, 0, "en", ("en", "zh"))
    assert [(link.kind, link.url) for link in item.links] == [
        ("openreview", "https://openreview.net/forum?id=ryQu7f-RZ"),
        ("pdf", "https://openreview.net/pdf?id=ryQu7f-RZ"),
    ]
