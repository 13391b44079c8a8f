from django.apps import AppConfig


class CongressesConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'congresses'
