from django.contrib import admin

from .models import Membership, Programme


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "created_at")
    search_fields = ("name",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "programme", "role", "created_at")
    list_filter = ("programme", "role")
    search_fields = ("user__username",)
