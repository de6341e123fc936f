"""`python -m bench reminders`: the daily reminder run over a generated province.

For now the measurement is bench/province_bench.py's (its options: `--help`).
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> None:
    from bench import province_bench

    sys.argv = ["python -m bench reminders", *argv]  # province_bench reads its options there
    province_bench.main()
