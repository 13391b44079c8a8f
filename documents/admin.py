from django.contrib import admin

from .models import CommentRound, CongressDocument, Document, DraftingStep


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["number", "issued_on", "title", "issuer"]
    search_fields = ["number", "title"]
    date_hierarchy = "issued_on"


@admin.register(DraftingStep)
class DraftingStepAdmin(admin.ModelAdmin):
    """Each term's drafting sequence (six steps by default, given when the term's first
    document is created)."""

    list_display = ["term", "order", "code", "title", "effect"]
    list_filter = ["term"]
    ordering = ["term", "order"]


@admin.register(CongressDocument)
class CongressDocumentAdmin(admin.ModelAdmin):
    """Read-only: documents, versions and rounds change through the portal's pages,
    whose services keep the counts."""

    list_display = ["title", "kind", "congress", "review_state"]
    list_filter = ["kind", "review_state"]
    search_fields = ["title", "congress__unit__name"]
    readonly_fields = ["congress", "kind", "title", "review_state", "created_at", "created_by"]
    exclude = ["search_text"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CommentRound)
class CommentRoundAdmin(admin.ModelAdmin):
    list_display = ["document", "version", "deadline", "sent_at", "closed_at"]
    readonly_fields = ["document", "version", "deadline", "message", "sent_at", "sent_by", "closed_at", "closed_by",
                       "synthesis_file", "synthesis_name", "synthesis_note"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
