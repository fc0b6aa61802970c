"""Command line: ``python -m crm_core demo|rebuild|user|bench``."""

from __future__ import annotations

import argparse
import getpass
import sys

from . import accounts, demo, storage, writes
from .validation import ValidationError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crm_core", description=__doc__)
    parser.add_argument("--db", help="database file (default: $CRM_DB or data/demo.db)")
    commands = parser.add_subparsers(dest="command", required=True)
    demo_cmd = commands.add_parser("demo", help="create the demo database")
    demo_cmd.add_argument("--replace", action="store_true", help="delete the file first")
    commands.add_parser("rebuild", help="recompute every summary table from the base rows")
    user_cmd = commands.add_parser("user", help="manage accounts (the first one must be an admin)")
    user_cmd.add_argument("action", choices=("add", "disable", "enable", "list"))
    user_cmd.add_argument("name", nargs="?")
    user_cmd.add_argument("--role", choices=accounts.ROLES, default="viewer")
    user_cmd.add_argument("--as", dest="acting", help="the admin doing it (not needed for the first account)")
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
    elif args.command == "user":
        return _user(path, args)
    return 0


def _user(path, args) -> int:
    """Passwords are read from the terminal (or one line of standard input), never from arguments,
    so they stay out of shell history and process lists."""
    with storage.connect(path) as db:
        try:
            if args.action == "list":
                for account in accounts.users(db):
                    print(f"{account['name']}\t{account['role']}\t{'disabled' if account['disabled'] else 'active'}")
            elif args.action == "add":
                password = getpass.getpass("Password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
                user = accounts.add_user(db, args.name, password, args.role, acting=args.acting)
                print(f"added {user.name} ({user.role})")
            else:
                accounts.set_disabled(db, args.name, args.action == "disable", acting=args.acting)
                print(f"{args.action}d {args.name}")
        except (ValidationError, accounts.AccessDenied) as error:
            print(f"refused: {error}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
