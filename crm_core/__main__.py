"""Command line: ``python -m crm_core demo|rebuild|bench``."""

from __future__ import annotations

import argparse
import sys

from . import demo, storage, writes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crm_core", description=__doc__)
    parser.add_argument("--db", help="database file (default: $CRM_DB or data/demo.db)")
    commands = parser.add_subparsers(dest="command", required=True)
    demo_cmd = commands.add_parser("demo", help="create the demo database")
    demo_cmd.add_argument("--replace", action="store_true", help="delete the file first")
    commands.add_parser("rebuild", help="recompute every summary table from the base rows")
    args = parser.parse_args(argv)
    path = storage.database_path(args.db)
    if args.command == "demo":
        if args.replace:
            for suffix in ("", "-wal", "-shm"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
        print("created" if demo.ensure_demo(path) else "kept (it already has customers)", path)
    elif args.command == "rebuild":
        with storage.connect(path) as db:
            writes.rebuild_summaries(db)
        print("rebuilt summaries in", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
