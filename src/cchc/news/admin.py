from django.contrib import admin

from .models import PostingPolicy


@admin.register(PostingPolicy)
class PostingPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "updated_at", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not PostingPolicy.objects.exists()

    def save_model(self, request, obj, form, change):
        obj.pk = 1
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
