import time

from django.conf import settings

# The layout shows the province's name on every page: read once per process and kept
# PROVINCE_MEMO_SECONDS (cleared in this process when an administrative unit is saved or
# deleted; other processes see a renamed province within that time).
PROVINCE_MEMO_SECONDS = 60
_province_memo: dict[str, tuple[float, object]] = {}


def clear_province_memo(**kwargs) -> None:
    _province_memo.clear()


def home_province():
    """``org.selectors.home_province()`` without a query while the memo is fresh."""
    from cchc.org.selectors import home_province as lookup

    code = str(settings.CCHC_PROVINCE_CODE)
    now = time.monotonic()
    memo = _province_memo.get(code)
    if memo is None or memo[0] < now:
        memo = (now + PROVINCE_MEMO_SECONDS, lookup())
        _province_memo.clear()
        _province_memo[code] = memo
    return memo[1]


def site(request):
    return {
        "CCHC_PROVINCE": home_province(),
        "CCHC_DEBUG": settings.DEBUG,
    }
