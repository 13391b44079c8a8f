import time

from django.core.management.base import BaseCommand, CommandError

from core.commands import english_output
from progress import rollups


class Command(BaseCommand):
    help = (
        "Recompute every roll-up table (progress.registry) from the domain rows. "
        "With --check, only compare and report differences (exit status 1 if any)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Compare only; change nothing.")

    @english_output
    def handle(self, *args, check: bool, **options):
        started = time.perf_counter()
        if check:
            diffs = rollups.differences(limit=50)
            for line in diffs:
                self.stdout.write(line)
            if diffs:
                raise CommandError(f"The roll-ups differ from a recomputation ({len(diffs)}+ differences).")
            self.stdout.write(self.style.SUCCESS(f"Roll-ups agree ({time.perf_counter() - started:.1f} s)."))
            return
        counts = rollups.rebuild()
        self.stdout.write(
            self.style.SUCCESS(
                "Rebuilt roll-ups: "
                + ", ".join(f"{name} {n} rows" for name, n in counts.items())
                + f" in {time.perf_counter() - started:.1f} s."
            )
        )
