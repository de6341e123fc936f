"""`python -m bench dashboard`: the county overview, overdue page and person page.

For now the measurement is bench/dashboard_bench.py's (its options: `--help`).
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> None:
    from bench import dashboard_bench

    sys.argv = ["python -m bench dashboard", *argv]  # dashboard_bench reads its options there
    dashboard_bench.main()
