"""The benchmarks, one entry point: `python -m bench webhook|reminders|dashboard|import|parse|export`.

Run from the repository root with the project's virtual environment (the project is installed
editable): `.venv/bin/python -m bench webhook --help`. Figures and their commands are in
docs/benchmarks.md.
"""
