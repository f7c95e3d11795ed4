"""cchc.i18n.translated: the same text as ``str()`` of the lazy translation, in each language,
looked up once."""

from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy

from cchc.i18n import translated
from cchc.onestop.models import Status
from cchc.workcal.calendar import WEEKDAY_NAMES

MONDAY = WEEKDAY_NAMES[0]


def test_the_label_is_the_lazy_translation_in_the_active_language():
    with translation.override("vi"):
        assert translated(Status.RECEIVED.label) == str(Status.RECEIVED.label) == "Được tiếp nhận"
        assert translated(MONDAY) == "Thứ Hai"
    with translation.override("en"):
        assert translated(MONDAY) == str(MONDAY) != "Thứ Hai"
        assert translated(Status.RECEIVED.label) == str(Status.RECEIVED.label)
    with translation.override("vi"):
        assert translated(MONDAY) == "Thứ Hai"


def test_each_label_is_looked_up_once_per_language():
    lookups = []

    def counted_gettext(message):
        lookups.append((translation.get_language(), message))
        return translation.gettext(message)

    label = lazy(counted_gettext, str)("Thứ Ba")
    with translation.override("vi"):
        assert [translated(label) for _ in range(3)] == ["Thứ Ba"] * 3
    with translation.override("en"):
        english = translated(label)
        assert translated(label) == english
    assert lookups == [("vi", "Thứ Ba"), ("en", "Thứ Ba")]


def test_another_message_is_not_mistaken_for_a_cached_one():
    first = gettext_lazy("Thứ Tư")
    with translation.override("vi"):
        assert translated(first) == "Thứ Tư"
        second = gettext_lazy("Thứ Năm")
        assert translated(second) == "Thứ Năm"
