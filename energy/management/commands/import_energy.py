"""``manage.py import_energy FILE.csv --site SITE``: a site meter's supply intervals.

Every row is checked first; any problem refuses the whole file, listing row
numbers, and nothing is written. Importing the same file again changes nothing.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from config.errors import DomainError
from energy.models import Site
from energy.providers.csv_meter import parse_csv
from energy.supply import ImportRefused, supply_store


class Command(BaseCommand):
    help = "Import supply intervals for a site from a meter CSV (see energy/providers/csv_meter.py)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--site", required=True)

    def handle(self, *args, file: str, site: str, **options):
        the_site = Site.objects.filter(slug=site).first()
        if the_site is None:
            known = ", ".join(Site.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(_("Unknown site %(site)s (known: %(known)s). Nothing imported.") % {"site": repr(site), "known": known})
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(_("Cannot read %(file)s: %(exc)s. Nothing imported.") % {"file": file, "exc": exc}) from None
        records, errors = parse_csv(text, provider=f"csv:{path.name}")
        if errors:
            raise CommandError(ImportRefused(errors).detail)
        try:
            result = supply_store(site=the_site, records=records, strict=True)
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        self.stdout.write(self.style.SUCCESS(
            _("%(file)s → %(site)s: %(created)s new, %(updated)s updated, %(unchanged)s unchanged, %(kept)s kept "
              "(better data already stored).") % {"file": path.name, "site": the_site.slug, "created": result.created,
                                                  "updated": result.updated, "unchanged": result.unchanged,
                                                  "kept": result.kept}
        ))
