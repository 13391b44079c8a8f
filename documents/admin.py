from django.contrib import admin

from .models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["number", "issued_on", "title", "issuer"]
    search_fields = ["number", "title"]
    date_hierarchy = "issued_on"
