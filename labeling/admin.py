from django.contrib import admin

from labeling import models


class LabelClassInline(admin.TabularInline):
    model = models.LabelClass
    extra = 0


class MembershipInline(admin.TabularInline):
    model = models.Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(models.Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "overlap", "lease_seconds", "gold_rate", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [LabelClassInline, MembershipInline]


@admin.register(models.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "project", "role", "created_at"]
    list_filter = ["role", "project"]
    search_fields = ["user__username", "project__name"]
    autocomplete_fields = ["user", "project"]


@admin.register(models.LabelClass)
class LabelClassAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "supercategory", "hotkey", "order"]
    list_filter = ["project"]


@admin.register(models.Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "original_name", "width", "height", "derivatives", "captured_at"]
    list_filter = ["project", "derivatives", "format"]
    search_fields = ["original_name", "sha256"]
    readonly_fields = ["sha256", "byte_size"]


@admin.register(models.Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "status", "priority", "is_gold", "submitted_count"]
    list_filter = ["project", "status", "is_gold"]
    raw_id_fields = ["image"]


@admin.register(models.Lease)
class LeaseAdmin(admin.ModelAdmin):
    list_display = ["id", "task", "annotator", "expires_at", "released_at", "release_reason"]
    list_filter = ["release_reason"]
    raw_id_fields = ["task"]


class BoxInline(admin.TabularInline):
    model = models.Box
    extra = 0


@admin.register(models.Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    list_display = ["id", "task", "annotator", "status", "version", "active_seconds", "submitted_at"]
    list_filter = ["status", "task__project"]
    raw_id_fields = ["task"]
    inlines = [BoxInline]


@admin.register(models.AnnotationHistory)
class AnnotationHistoryAdmin(admin.ModelAdmin):
    list_display = ["annotation", "version", "action", "status", "actor", "created_at"]
    raw_id_fields = ["annotation"]


@admin.register(models.Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["task", "decision", "reviewer", "created_at"]
    list_filter = ["decision"]
    raw_id_fields = ["task", "annotation"]


@admin.register(models.QualityReport)
class QualityReportAdmin(admin.ModelAdmin):
    list_display = ["annotation", "annotation_version", "state", "score", "created_at"]
    list_filter = ["state"]
    raw_id_fields = ["annotation"]


@admin.register(models.Export)
class ExportAdmin(admin.ModelAdmin):
    list_display = ["project", "version", "state", "progress", "image_count", "annotation_count"]
    list_filter = ["state", "project"]
