"""The copy-editing house rule on dates: set solid, as the pages print them (2018年1月5日)."""

from digest.checks.texts import corrected


def test_dates_stay_solid_while_other_spacing_is_corrected():
    assert corrected("大会将于4月30日至5月3日在温哥华举行，共有995篇投稿。", False) == \
        "大会将于4月30日至5月3日在温哥华举行，共有 995 篇投稿。"
    assert corrected("ICLR 2018已于1月底公布结果", False) == "ICLR 2018 已于1月底公布结果"
    assert corrected("论文发表于2018年1月5日，代码在GitHub上", False) == "论文发表于2018年1月5日，代码在 GitHub 上"
