"""Command line: ``python -m crm_core demo|rebuild|user|checklist|target|currency|import|export|pack|backup|``
``restore|copy`` (the benchmark is ``tests/benchmarks/bench.py``)."""

from __future__ import annotations

import argparse
import getpass
import sys

from . import accounts, backup, checklist, demo, i18n, importer, outcomes, risk, service, storage, writes
from .catalogue import STAGES
from .storage import files, transfer
from .storage.dialects import is_url
from .validation import ValidationError


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit status. A database the command cannot use (not a
    database, empty, of a newer version, read-only...) is said in one sentence, exit 2."""
    try:
        return _command(argv)
    except storage.StorageError as error:
        print(f"refused: {error}", file=sys.stderr)
        return 2


def _command(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crm_core", description=__doc__)
    parser.add_argument("--db", help="database file or postgresql:// URL (default: $CRM_DB or data/demo.db)")
    commands = parser.add_subparsers(dest="command", required=True)
    demo_cmd = commands.add_parser("demo", help="create the demo database")
    demo_cmd.add_argument("--replace", action="store_true", help="delete the file first")
    commands.add_parser("rebuild", help="recompute every summary table from the base rows")
    user_cmd = commands.add_parser("user", help="manage accounts (the first one must be an admin)")
    user_cmd.add_argument("action", choices=("add", "disable", "enable", "role", "list"),
                          help="role: give NAME the role --role")
    user_cmd.add_argument("name", nargs="?")
    user_cmd.add_argument("--role", choices=accounts.ROLES, default="viewer")
    user_cmd.add_argument("--as", dest="author", help="the admin doing it (not needed for the first account)")
    checklist_cmd = commands.add_parser("checklist", help="list, add, reword, reorder, retire or restore checklist "
                                                          "items (admins)")
    checklist_cmd.add_argument("action", choices=("list", "add", "reword", "up", "down", "retire", "restore"),
                               help="add STAGE WORDING; reword KEY WORDING (empty: the catalogue's words); "
                                    "up|down|retire|restore KEY")
    checklist_cmd.add_argument("subject", nargs="?", help="the item's KEY (the stage for add)")
    checklist_cmd.add_argument("wording", nargs="?", help="the item's words in --lang")
    checklist_cmd.add_argument("--lang", choices=tuple(i18n.LANGUAGES), default=i18n.DEFAULT_LANGUAGE)
    checklist_cmd.add_argument("--as", dest="author", help="the admin doing it")
    target_cmd = commands.add_parser("target", help="list or set the service hours allowed per priority (admins)")
    target_cmd.add_argument("action", choices=("list", "set"))
    target_cmd.add_argument("priority", nargs="?", choices=service.PRIORITIES)
    target_cmd.add_argument("hours", nargs="*", type=float, metavar="HOURS",
                            help="first reply, attention and repair hours")
    target_cmd.add_argument("--as", dest="author", help="the admin doing it")
    currency_cmd = commands.add_parser("currency", help="show the currency of every amount, or set it (admins)")
    currency_cmd.add_argument("code", nargs="?", help="an ISO 4217 code, e.g. USD")
    currency_cmd.add_argument("--as", dest="author", help="the admin doing it")
    import_cmd = commands.add_parser("import", help="import customers, responses or opinions from a CSV file "
                                                    "or a workbook (.xlsx, .ods)")
    import_cmd.add_argument("file")
    import_cmd.add_argument("--sheet", help="the workbook's sheet to read (default: the first)")
    import_cmd.add_argument("--kind", choices=importer.KINDS, required=True)
    import_cmd.add_argument("--only-valid", action="store_true",
                            help="write the valid rows and report the others (default: all or nothing)")
    import_cmd.add_argument("--author", help="who is importing, recorded in the audit trail")
    import_cmd.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN", type=_field_column,
                            help="read FIELD from COLUMN (repeatable; the rest is guessed from the header)")
    export_cmd = commands.add_parser("export", help="write customers, responses or opinions to a CSV file")
    export_cmd.add_argument("--kind", choices=importer.KINDS, required=True)
    export_cmd.add_argument("--out", required=True, help="the CSV file to write")
    export_cmd.add_argument("--as-of", help="the state at the end of this day (YYYY-MM-DD)")
    pack_cmd = commands.add_parser("pack", help="write the meeting pack (PDF) of a customer's journey, or without "
                                                "--customer of the portfolio overview")
    pack_cmd.add_argument("--customer", type=int, help="the customer's id (default: the portfolio)")
    pack_cmd.add_argument("--as-of", help="the state at the end of this day (YYYY-MM-DD; default: now)")
    pack_cmd.add_argument("--lang", choices=i18n.LANGUAGES, default=i18n.DEFAULT_LANGUAGE)
    pack_cmd.add_argument("--period", type=int, choices=risk.PERIODS, default=risk.DEFAULT_PERIOD,
                          help="days over which the portfolio's opinion change is measured (default: %(default)s)")
    pack_cmd.add_argument("--out", required=True, help="the PDF file to write")
    backup_cmd = commands.add_parser("backup", help="copy the database safely while it is in use")
    backup_cmd.add_argument("out", help="the backup file to write")
    restore_cmd = commands.add_parser("restore", help="replace the database with a checked backup")
    restore_cmd.add_argument("file", help="the backup file")
    copy_cmd = commands.add_parser("copy", help="copy every row into an empty database and compare them")
    copy_cmd.add_argument("--to", required=True, help="the empty target: a postgresql:// URL or a new file")
    args = parser.parse_args(argv)
    path = storage.database_location(args.db)
    if args.command == "demo":
        if args.replace and is_url(str(path)):
            print("refused: --replace deletes a file; for PostgreSQL drop and create the database instead",
                  file=sys.stderr)
            return 2
        if args.replace:
            files.remove(path)
        print("created" if demo.ensure_demo(path) else "kept (it already has customers)", path)
    elif args.command == "rebuild":
        with storage.connect(path) as db:
            writes.rebuild_summaries(db)
        print("rebuilt summaries in", path)
    elif args.command == "user":
        return _user(path, args)
    elif args.command in ("checklist", "target", "currency"):
        return _admin(path, args)
    elif args.command == "import":
        return _import(path, args)
    elif args.command == "export":
        with storage.connect(path) as db:
            try:
                table = importer.export_table(db, args.kind, as_of=args.as_of)
            except ValidationError as error:
                print(f"refused: {error}", file=sys.stderr)
                return 2
        with open(args.out, "wb") as out:
            out.write(importer.export_csv(table))
        print(f"wrote {len(table)} {args.kind} to {args.out}")
    elif args.command == "pack":
        return _pack(path, args)
    elif args.command == "copy":
        return _copy(path, args.to)
    elif args.command in ("backup", "restore"):
        try:
            if args.command == "backup":
                print("backed up", path, "to", backup.backup(path, args.out))
            else:
                kept = backup.restore(args.file, path)
                print("restored", path, "from", args.file, f"(the replaced file is kept as {kept})" if kept else "")
        except storage.StorageError as error:
            print(f"refused: {error}", file=sys.stderr)
            return 2
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
                password = _new_password()
                if password is None:
                    print("refused: the two passwords differ", file=sys.stderr)
                    return 2
                user = accounts.add_user(db, args.name, password, args.role, author=args.author)
                print(f"added {user.name} ({user.role})")
            elif args.action == "role":
                accounts.set_role(db, args.name, args.role, author=args.author)
                print(f"{args.name} is now {args.role}")
            else:
                accounts.set_disabled(db, args.name, args.action == "disable", author=args.author)
                print(f"{args.action}d {args.name}")
        except (ValidationError, accounts.AccessDenied, storage.StorageError) as error:
            print(f"refused: {error}", file=sys.stderr)
            return 2
    return 0


def _admin(path, args) -> int:
    """The admin's verbs: each opens the database, calls one library function and prints
    what it did (a refusal in one line, exit status 2)."""
    with storage.connect(path) as db:
        try:
            if args.command == "currency":
                if args.code:
                    print("the currency is now", outcomes.set_currency(db, args.code, author=args.author))
                else:
                    print(outcomes.currency(db))
            elif args.command == "target":
                _target(db, args)
            else:
                _checklist(db, args)
        except (ValidationError, accounts.AccessDenied, storage.StorageError) as error:
            print(f"refused: {error}", file=sys.stderr)
            return 2
    return 0


def _target(db, args) -> None:
    if args.action == "set":
        if args.priority is None or len(args.hours) != 3:
            raise ValidationError("hours", "give the priority and three numbers of hours: first reply, attention, "
                                           "repair")
        service.set_service_target(db, args.priority, *args.hours, author=args.author)
    for target in service.service_targets(db).itertuples():
        print(f"{target.priority}\tfirst reply {target.first_reply_hours:g} h\tattention {target.attention_hours:g} h"
              f"\trepair {target.repair_hours:g} h")


def _checklist(db, args) -> None:
    if args.action == "add":
        if args.subject not in STAGES:
            raise ValidationError("stage", f"give the stage ({', '.join(STAGES)}) and the wording")
        print("added", checklist.add_item(db, args.subject, args.wording, language=args.lang, author=args.author))
        return
    if args.action != "list":
        if not args.subject:
            raise ValidationError("key", "give the item's key (see: checklist list)")
        if args.action == "reword":
            checklist.reword_item(db, args.subject, args.lang, args.wording, author=args.author)
        elif args.action in ("up", "down"):
            checklist.move_item(db, args.subject, -1 if args.action == "up" else 1, author=args.author)
        else:
            (checklist.retire_item if args.action == "retire" else checklist.restore_item)(
                db, args.subject, author=args.author)
    for item in checklist.items(db, args.lang).itertuples():
        print(f"{item.stage}\t{item.key}\t{'active' if item.active else 'retired'}\t{item.wording}")


def _new_password() -> str | None:
    """A new password: typed twice on a terminal (None when the two differ, so a typo does not
    become the password), or one line of standard input for scripts."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass("Password: ")
    return password if getpass.getpass("Password again: ") == password else None


def _copy(path, target: str) -> int:
    """Copy, then print each table's rows and checksum on both sides (a URL never with its password)."""
    checks = transfer.copy_database(path, target)
    print(f"{'table':<24}{'rows':>12}{'copied':>12}  checksum")
    for check in checks:
        mark = "same" if check.same else f"DIFFERENT ({check.target_checksum[:16]})"
        print(f"{check.table:<24}{check.source_rows:>12,}{check.target_rows:>12,}  {check.source_checksum[:16]} {mark}")
    print(f"copied {sum(c.source_rows for c in checks):,} rows of {len(checks)} tables into "
          f"{storage.describe(target)}: every count and checksum is the same")
    return 0


def _pack(path, args) -> int:
    """Write the customer's or the portfolio's meeting pack to ``--out``."""
    # Imported here: the chart renderer and the PDF writer would add half a second to every other command.
    from . import pack
    with storage.connect(path) as db:
        try:
            if args.customer is None:
                document = pack.portfolio_pack(db, args.as_of, args.lang, args.period)
            else:
                document = pack.customer_pack(db, args.customer, args.as_of, args.lang)
        except ValidationError as error:
            print(f"refused: {error}", file=sys.stderr)
            return 2
    with open(args.out, "wb") as out:
        out.write(document)
    print(f"wrote the meeting pack of {'the portfolio' if args.customer is None else f'customer {args.customer}'} "
          f"to {args.out}")
    return 0


def _field_column(text: str) -> tuple[str, str]:
    """``FIELD=COLUMN`` from ``--map``."""
    field, equals, column = text.partition("=")
    if not (field and equals and column):
        raise argparse.ArgumentTypeError(f"{text!r} is not FIELD=COLUMN")
    return field.strip(), column.strip()


def _import(path, args) -> int:
    """Read, map (guessed, then ``--map`` overrides), preview and apply one file;
    print the counts and every refused row. Exit status 2 when nothing was written."""
    try:
        with open(args.file, "rb") as handle:
            table = importer.read_table(handle.read(), args.file, sheet=args.sheet)
    except (OSError, importer.TableError) as error:
        print(f"refused: {error}", file=sys.stderr)
        return 2
    mapping = importer.suggest_mapping(table.columns, args.kind)
    mapping.update(args.map)
    shape = f"sheet {table.sheet!r}" if table.sheet else f"{table.encoding}, {table.delimiter!r} separated"
    print(f"{args.file}: {len(table.rows)} rows ({shape})")
    print("columns:", ", ".join(f"{field} <- {column}" for field, column in mapping.items()))
    with storage.connect(path) as db:
        try:
            result = importer.apply(db, importer.preview(db, table, args.kind, mapping), args.author,
                                    only_valid=args.only_valid)
        except (ValidationError, accounts.AccessDenied, storage.StorageError) as error:
            print(f"refused: {error}", file=sys.stderr)
            return 2
    for problem in result.problems.itertuples():
        print(f"row {problem.row}: {problem.field}: {problem.message}", file=sys.stderr)
    if not result.written:
        print(f"nothing written: {result.failed} rows failed (use --only-valid to write the others)")
        return 2
    print(f"created {result.created}, updated {result.updated}, skipped {result.skipped} (already there), "
          f"failed {result.failed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
