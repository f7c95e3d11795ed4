from django.conf import settings


def site(request):
    from cchc.org.selectors import home_province

    return {
        "CCHC_PROVINCE": home_province(),
        "CCHC_DEBUG": settings.DEBUG,
    }
