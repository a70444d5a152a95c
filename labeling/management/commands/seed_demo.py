import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from labeling.demo.seed import seed_demo


def progress_bar(done: int, total: int, *, stream=sys.stderr, width: int = 30) -> None:
    filled = int(width * done / total) if total else width
    stream.write(f"\r  [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done == total:
        stream.write("\n")
    stream.flush()


class Command(BaseCommand):
    help = "Create the demo project of generated plateau scenes and the demo users."

    def add_arguments(self, parser):
        parser.add_argument("--images", type=int, default=12)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--annotators", type=int, default=2)
        parser.add_argument("--password", help="one password for every demo user (else random, printed once)")
        parser.add_argument("--size", default="1600x1200", help="scene size WIDTHxHEIGHT")

    def handle(self, *args, images, seed, annotators, password, size, **options):
        try:
            width, height = (int(v) for v in size.lower().split("x"))
        except ValueError:
            raise CommandError(_("--size takes WIDTHxHEIGHT, e.g. 1600x1200")) from None
        if images < 0 or annotators < 1 or not (64 <= width <= 20000 and 64 <= height <= 20000):
            raise CommandError(_("--images must be >= 0, --annotators >= 1, sizes 64..20000 px"))
        self.stdout.write(_("Seeding 'Qinghai Lake survey' with %(images)s scenes (seed %(seed)s)")
                          % {"images": images, "seed": seed})
        result = seed_demo(
            images=images,
            seed=seed,
            annotators=annotators,
            password=password,
            width=width,
            height=height,
            progress=progress_bar,
        )
        self.stdout.write(
            _("Project %(name)s (id %(id)s): %(new)s new images, %(tasks)s tasks") % {
                "name": result.project.name, "id": result.project.pk, "new": result.created_images,
                "tasks": result.project.tasks.count()}
        )
        if result.passwords:
            self.stdout.write(_("Demo logins:") if password else _("Demo logins (shown once):"))
            for username, chosen in result.passwords.items():
                self.stdout.write(f"  {username:<14} {chosen}")
        else:
            self.stdout.write(_("Demo users already existed; their passwords are unchanged."))
