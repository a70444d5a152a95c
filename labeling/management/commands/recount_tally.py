"""``manage.py recount_tally [--check]``: the annotators' tally against a count of its rows."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from labeling.tally import tally_drift


class Command(BaseCommand):
    help = "Compare each annotator's kept tally with a count of their annotations and set it to the count."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true",
                            help="only report the rows that differ; exit with status 1 if any do")

    def handle(self, *args, check, **options):
        drift = tally_drift(repair=not check)
        for row in drift:
            self.stdout.write(_("annotator %(annotator)s in project %(project)s: kept %(kept)s, counted %(counted)s")
                              % {"annotator": row.annotator_id, "project": row.project_id,
                                 "kept": "/".join(map(str, row.kept)), "counted": "/".join(map(str, row.counted))})
        if check and drift:
            raise CommandError(_("%(count)d tally rows differ from the count (seen/gold/submitted).")
                               % {"count": len(drift)})
        done = _("set to the count") if drift and not check else _("no change")
        self.stdout.write(_("%(count)d tally rows differed: %(done)s.") % {"count": len(drift), "done": done})
