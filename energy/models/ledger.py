from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy


class LedgerEntry(models.Model):
    """One consumption interval: who or what used how much energy, when.

    Plain ids for project, task and user: the energy app keeps no foreign keys
    into labeling, so deleting a task never rewrites energy history. Tags are
    always recomputed from these rows against the supply data.
    """

    class Consumer(models.TextChoices):
        WORKSTATION = "workstation", gettext_lazy("Annotator workstation")
        SERVER = "server", gettext_lazy("Server job")

    class Basis(models.TextChoices):
        MEASURED = "measured", gettext_lazy("Measured")
        ESTIMATED = "estimated", gettext_lazy("Estimated")

    consumer = models.CharField(max_length=12, choices=Consumer.choices)
    site = models.ForeignKey("energy.Site", on_delete=models.PROTECT, related_name="ledger")
    project_id = models.BigIntegerField()
    task_id = models.BigIntegerField(null=True, blank=True)
    user_id = models.BigIntegerField(null=True, blank=True)
    job_kind = models.CharField(max_length=64, blank=True)
    job_id = models.CharField(max_length=128, blank=True)
    start = models.DateTimeField()
    end = models.DateTimeField()
    it_kwh = models.FloatField()  # device / IT energy, before PUE
    pue_applied = models.FloatField(default=1.0)
    kwh = models.FloatField()  # it_kwh × pue_applied (facility level)
    basis = models.CharField(max_length=10, choices=Basis.choices, default=Basis.ESTIMATED)
    method = models.CharField(max_length=32)  # active_time_x_watts | cpu_time_x_w_per_core | ...
    details = models.JSONField(default=dict, blank=True)  # active_seconds, cpu_seconds, watts
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="ledger_end_not_before_start"),
            models.CheckConstraint(condition=Q(it_kwh__gte=0) & Q(kwh__gte=0), name="ledger_kwh_nonneg"),
            models.CheckConstraint(
                condition=Q(consumer__in=["workstation", "server"]), name="ledger_consumer_valid"
            ),
            models.CheckConstraint(
                condition=Q(basis__in=["measured", "estimated"]), name="ledger_basis_valid"
            ),
            # PUE belongs to data centres: never on a workstation.
            models.CheckConstraint(
                condition=~Q(consumer="workstation") | Q(pue_applied=1.0), name="ledger_workstation_no_pue"
            ),
        ]
        indexes = [
            models.Index(fields=["task_id"], name="ledger_task"),
            models.Index(fields=["project_id", "start"], name="ledger_project_time"),
        ]

    def __str__(self) -> str:
        return f"{self.consumer} {self.kwh:.6f} kWh (task {self.task_id})"
