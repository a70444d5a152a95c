from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy


class SupplyInterval(models.Model):
    """Average supply power at a site over [start, end), with its clean part by source.

    Intervals of one site never overlap: the import services enforce it (a
    later, better reading replaces an identical interval; a partial overlap is
    refused). Future intervals are the site's forecast.
    """

    class Quality(models.TextChoices):
        MEASURED = "measured", gettext_lazy("Measured")
        ESTIMATED = "estimated", gettext_lazy("Estimated")

    site = models.ForeignKey("energy.Site", on_delete=models.CASCADE, related_name="supply")
    start = models.DateTimeField()
    end = models.DateTimeField()
    total_kw = models.FloatField()
    clean_kw = models.FloatField()
    # kW per source: hydro, solar, wind, storage_clean, storage_other, coal, gas, ...
    by_source_kw = models.JSONField(default=dict, blank=True)
    pue = models.FloatField(null=True, blank=True)
    provider = models.CharField(max_length=128)  # "csv:meter.csv", "emaps:CN-QH", ...
    quality = models.CharField(max_length=10, choices=Quality.choices)
    fetched_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["site", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="supply_end_after_start"),
            models.CheckConstraint(
                condition=Q(total_kw__gte=0) & Q(clean_kw__gte=0), name="supply_power_nonneg"
            ),
            # A small tolerance for float sums of sources.
            models.CheckConstraint(
                condition=Q(clean_kw__lte=F("total_kw") * 1.000001), name="supply_clean_le_total"
            ),
            models.CheckConstraint(
                condition=Q(pue__isnull=True) | (Q(pue__gte=1.0) & Q(pue__lte=3.0)),
                name="supply_pue_range",
            ),
            models.CheckConstraint(
                condition=Q(quality__in=["measured", "estimated"]), name="supply_quality_valid"
            ),
            models.UniqueConstraint(fields=["site", "start"], name="supply_one_per_site_start"),
        ]
        indexes = [models.Index(fields=["site", "end", "start"], name="supply_site_time")]

    def __str__(self) -> str:
        return f"{self.site_id} {self.start:%Y-%m-%d %H:%M} {self.clean_kw}/{self.total_kw} kW"
