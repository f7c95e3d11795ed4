"""The texts of the messages sent to citizens are translatable, and are sent in the site's
language (Vietnamese) whatever language the sender has active."""

from django.utils import translation

from cchc.onestop import notifications


def test_messages_are_translatable_and_sent_in_vietnamese():
    with translation.override("en"):
        english_subject = str(notifications.MESSAGES["received"][0])
        subject, text = notifications.render_message(
            "received", code="000.10.50.H20-260424-0001", name="Nguyễn Văn An",
            due="10:00 04/05/2026")
        assert translation.get_language() == "en"
    assert english_subject != "Đã tiếp nhận hồ sơ"
    assert subject == "[000.10.50.H20-260424-0001] Đã tiếp nhận hồ sơ"
    assert text == ("Kính gửi Nguyễn Văn An: hồ sơ 000.10.50.H20-260424-0001 đã được tiếp nhận. "
                    "Ngày hẹn trả kết quả: 10:00 04/05/2026.")
    for kind in notifications.MESSAGES:
        subject, text = notifications.render_message(kind, code="C", name="N", due="D")
        assert subject.startswith("[C] ") and "Kính gửi N" in text
