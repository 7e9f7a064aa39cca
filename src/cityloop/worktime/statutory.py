"""The statutory days off that the law itself fixes, for years without the yearly notice.

《全国年节及纪念日放假办法》 (as revised by State Council Decree No. 795 of November 2024, in
force from 2025-01-01), 第二条 fixes the holidays of all citizens: 元旦 1 day (1 January),
春节 4 days (农历除夕 and 正月初一 to 初三), 清明节 1 day (农历清明当日), 劳动节 2 days (1–2 May),
端午节 1 day (农历端午当日), 中秋节 1 day (农历中秋当日), 国庆节 3 days (1–3 October).
第六条: a holiday of all citizens that falls on a Saturday or Sunday is made up on a working
day (补假).

What only the State Council's yearly notice fixes is the 调休: which weekdays are given off to
join the holidays into longer breaks and which weekends are worked in return, and which
weekday a 补假 falls on. So a year counted from this rule alone is *provisional*.

The lunar and solar-term dates come from the ``holidays`` package (``holidays.China``), which
computes them by rule and places each 补假 on the next working day; its "substituted" days (its
own copy of a yearly notice's 调休) are left out, since they are the notice's, not the law's.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import holidays

# The years the rule is computed for: the 2024 revision is in force from 2025, and the package
# computes lunar dates up to 2100. Earlier years without the package's data stay unknown.
RULE_YEARS = range(2025, 2101)
SUBSTITUTED = "substituted"  # the package's name for a notice's 调休 day, never the law's


def rule_covers(year: int) -> bool:
    return year in RULE_YEARS


@cache
def statutory_days_off(year: int) -> dict[date, dict[str, str]]:
    """The days off the law fixes in ``year`` (holidays and their 补假), named in both languages.

    Empty for a year the rule is not computed for (see :data:`RULE_YEARS`).
    """
    if not rule_covers(year):
        return {}
    english = holidays.China(years=year, language="en_US")
    chinese = holidays.China(years=year, language="zh_CN")
    return {
        day: {"zh": chinese.get(day, name), "en": name}
        for day, name in sorted(english.items())
        if SUBSTITUTED not in name.lower()
    }
