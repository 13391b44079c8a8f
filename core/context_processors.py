from django.conf import settings


def portal(request):
    return {"PORTAL_NAME_SHORT": "CĐH", "DEBUG": settings.DEBUG}
