from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

DEFAULT_SITE = "qinghai-demo"


class Site(models.Model):
    """A place whose electricity supply mix we know (or estimate)."""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, default="Asia/Shanghai")
    default_pue = models.FloatField(
        default=1.15, validators=[MinValueValidator(1.0), MaxValueValidator(3.0)]
    )
    default_workstation_watts = models.FloatField(default=60.0, validators=[MinValueValidator(0.0)])
    watts_per_core = models.FloatField(default=15.0, validators=[MinValueValidator(0.0)])
    # Fills gaps in measured data and serves as the forecast; blank means gaps stay unknown.
    static_profile = models.CharField(max_length=64, blank=True, default="qinghai-sample-v1")
    # Zone key asked of the HTTP feed, e.g. "CN-QH" on our own replay server.
    feed_zone = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(default_pue__gte=1.0) & Q(default_pue__lte=3.0), name="site_pue_range"
            ),
            models.CheckConstraint(
                condition=Q(default_workstation_watts__gte=0) & Q(watts_per_core__gte=0),
                name="site_watts_nonneg",
            ),
        ]

    def __str__(self) -> str:
        return self.slug


class Certificate(models.Model):
    """A contractual clean-energy claim (GEC, I-REC, green-power contract).

    Market-based: reported beside the physical (location-based) share and never
    mixed into it (GHG Protocol Scope 2 dual reporting).
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="certificates")
    instrument = models.CharField(max_length=32, default="GEC")
    reference = models.CharField(max_length=128, blank=True)
    mwh = models.FloatField(validators=[MinValueValidator(0.0)])
    period_start = models.DateField()
    period_end = models.DateField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["site", "period_start"]
        constraints = [
            models.CheckConstraint(condition=Q(mwh__gte=0), name="certificate_mwh_nonneg"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="certificate_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.mwh} MWh ({self.site})"
