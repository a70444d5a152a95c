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
        self.stdout.write(f"Seeding 'Qinghai Lake survey' with {images} scenes (seed {seed})")
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
            f"Project {result.project.name} (id {result.project.pk}): "
            f"{result.created_images} new images, {result.project.tasks.count()} tasks"
        )
        if result.passwords:
            self.stdout.write("Demo logins:" if password else "Demo logins (shown once):")
            for username, chosen in result.passwords.items():
                self.stdout.write(f"  {username:<14} {chosen}")
        else:
            self.stdout.write("Demo users already existed; their passwords are unchanged.")
