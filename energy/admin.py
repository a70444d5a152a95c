from django.contrib import admin

from energy.models import Certificate, DeferredJob, LedgerEntry, SchedulingDecision, Site, SupplyInterval


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "timezone", "default_pue", "default_workstation_watts", "watts_per_core", "static_profile")
    search_fields = ("slug", "name")


@admin.register(SupplyInterval)
class SupplyIntervalAdmin(admin.ModelAdmin):
    list_display = ("site", "start", "end", "total_kw", "clean_kw", "pue", "provider", "quality")
    list_filter = ("site", "quality", "provider")
    date_hierarchy = "start"


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ("site", "instrument", "reference", "mwh", "period_start", "period_end")
    list_filter = ("site", "instrument")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    list_display = ("consumer", "project_id", "task_id", "user_id", "job_kind", "start", "end", "kwh", "pue_applied", "basis")
    list_filter = ("consumer", "basis", "site", "job_kind")
    search_fields = ("job_id",)
    date_hierarchy = "start"


class DecisionInline(admin.TabularInline):
    model = SchedulingDecision
    extra = 0
    readonly_fields = ("decided_at", "decision", "reason", "planned_start", "share_now", "share_planned", "params")


@admin.register(DeferredJob)
class DeferredJobAdmin(admin.ModelAdmin):
    list_display = ("kind", "task_name", "decision", "reason", "state", "planned_start", "deadline", "share_now", "share_planned")
    list_filter = ("state", "decision", "kind")
    inlines = [DecisionInline]


@admin.register(SchedulingDecision)
class SchedulingDecisionAdmin(admin.ModelAdmin):
    list_display = ("job", "decided_at", "decision", "reason", "planned_start", "share_now", "share_planned")
