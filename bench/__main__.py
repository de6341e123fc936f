"""`python -m bench <name> [options]`: run one benchmark (`python -m bench <name> --help`)."""

from __future__ import annotations

import importlib
import sys

# name -> (module, what it measures)
BENCHMARKS = {
    "webhook": ("bench.webhook", "machine CPU per contact-log message against the floor, p99"),
    "reminders": ("bench.reminders", "the daily reminder run over a province"),
    "dashboard": ("bench.dashboard", "the county overview, overdue page and person page"),
    "import": ("bench.roster_import", "importing a roster of persons"),
    "parse": ("bench.parse", "the message parser against bare jieba"),
    "export": ("bench.export", "exporting the contact ledger: memory stays flat"),
}


def usage() -> str:
    lines = ["usage: python -m bench <name> [options]", ""]
    lines += [f"  {name:10s} {about}" for name, (_, about) in BENCHMARKS.items()]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in BENCHMARKS:
        print(usage(), file=sys.stderr)
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    module = importlib.import_module(BENCHMARKS[argv[0]][0])
    module.main(argv[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
