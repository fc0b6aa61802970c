"""Versioned schema migrations. Each migration keeps the rows that exist.

A migration states what it does at its point in history and imports no live
code: one that creates a summary table leaves it empty and asks for the
summaries to be rebuilt (``rebuilds_summaries``), which ``connect`` does with
today's code once every pending migration is applied.

One history serves both databases: the statements are written in SQLite's
types and each dialect reads them (``dialect.ddl``); the few steps they take
differently (ids never reused, a trigger, where change numbers start) are the
dialect's functions. Applied migrations are recorded in the dialect's
``MIGRATIONS_TABLE`` (for SQLite the table sqlite-utils kept them in, so older
files carry on); ``apply`` runs the pending ones in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Callable

from ..catalogue import CHECKLIST, STAGES

if TYPE_CHECKING:
    from . import Handle

MIGRATION_SET = "crm_core"
# The migrations in order, by name.
MIGRATIONS: dict[str, Callable] = {}
# The migrations after which the summary tables must be rebuilt from the base rows.
_REBUILDS_SUMMARIES: set[str] = set()


def migration(*, rebuilds_summaries: bool = False) -> Callable:
    """Register the decorated function as the next migration; ``rebuilds_summaries``:
    the summary tables are to be rebuilt once the database is fully migrated."""
    def register(function):
        if rebuilds_summaries:
            _REBUILDS_SUMMARIES.add(function.__name__)
        MIGRATIONS[function.__name__] = function
        return function
    return register


@migration()
def m001_base_tables(db: Handle) -> None:
    """Customers, contacts, checklist items, stage entries, responses, opinions."""
    run_script(
        db,
        """
        CREATE TABLE checklist_items (
            key TEXT PRIMARY KEY,
            stage TEXT NOT NULL,
            position INTEGER NOT NULL,
            label TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE customers (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            name_key TEXT NOT NULL UNIQUE,
            sector TEXT,
            region TEXT,
            account_manager TEXT,
            acquisition_cost REAL,
            created_on TEXT NOT NULL,
            notes TEXT,
            external_id TEXT
        );
        CREATE TABLE contacts (
            id INTEGER PRIMARY KEY,
            customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            role TEXT,
            email TEXT,
            phone TEXT
        );
        CREATE INDEX contacts_customer ON contacts(customer_id);
        CREATE TABLE stage_entries (
            id INTEGER PRIMARY KEY,
            customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
            stage TEXT NOT NULL,
            entered_on TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'forward',
            reason TEXT,
            author TEXT
        );
        CREATE INDEX stage_entries_customer ON stage_entries(customer_id, entered_on, id, stage);
        CREATE TABLE responses (
            id INTEGER PRIMARY KEY,
            customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
            stage TEXT NOT NULL,
            responded_on TEXT NOT NULL,
            mode TEXT NOT NULL,
            summary TEXT NOT NULL,
            quality INTEGER NOT NULL CHECK (quality BETWEEN 1 AND 5),
            completeness INTEGER NOT NULL CHECK (completeness BETWEEN 1 AND 5),
            author TEXT
        );
        CREATE INDEX responses_customer ON responses(customer_id, responded_on);
        CREATE INDEX responses_date ON responses(responded_on);
        CREATE INDEX responses_stage_mode ON responses(stage, mode, responded_on, quality, completeness);
        CREATE TABLE response_items (
            response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
            item_key TEXT NOT NULL REFERENCES checklist_items(key),
            customer_id INTEGER NOT NULL,
            stage TEXT NOT NULL,
            responded_on TEXT NOT NULL,
            PRIMARY KEY (response_id, item_key)
        );
        CREATE INDEX response_items_customer ON response_items(customer_id, item_key, responded_on);
        CREATE TABLE opinions (
            id INTEGER PRIMARY KEY,
            customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
            stage TEXT NOT NULL,
            opinion_on TEXT NOT NULL,
            score INTEGER NOT NULL CHECK (score BETWEEN -2 AND 2),
            source TEXT,
            note TEXT,
            author TEXT
        );
        CREATE INDEX opinions_customer ON opinions(customer_id, stage, opinion_on, id);
        """
    )
    positions = {stage: 0 for stage in STAGES}
    for item in CHECKLIST:
        positions[item.stage] += 1
        db.execute(
            "INSERT INTO checklist_items (key, stage, position, label) VALUES (:key, :stage, :position, :label)",
            {"key": item.key, "stage": item.stage, "position": positions[item.stage], "label": item.label},
        )


@migration(rebuilds_summaries=True)
def m002_summaries(db: Handle) -> None:
    """Summary tables kept up to date in the write transaction, built (by the rebuild it
    asks for) from the rows already there.

    * ``stage_summary``: per customer and stage, response count, rating sums, first/last date.
    * ``item_coverage``: per customer and checklist item, first/last date addressed and times.
    * ``opinion_steps``: per customer, the changes of each stage opinion and of the final
      opinion (series ``final``), so sums over dates give any day's state.
    * ``mode_month``: per stage, mode and month, response count and rating sums.
    * ``change_counter``: bumped by every write, so caches know when to refresh.
    """
    run_script(
        db,
        """
        CREATE TABLE stage_summary (
            customer_id INTEGER NOT NULL,
            stage TEXT NOT NULL,
            responses INTEGER NOT NULL,
            quality_sum INTEGER NOT NULL,
            completeness_sum INTEGER NOT NULL,
            first_response_on TEXT,
            last_response_on TEXT,
            PRIMARY KEY (customer_id, stage)
        );
        CREATE TABLE item_coverage (
            customer_id INTEGER NOT NULL,
            item_key TEXT NOT NULL,
            stage TEXT NOT NULL,
            first_on TEXT NOT NULL,
            last_on TEXT NOT NULL,
            times INTEGER NOT NULL,
            PRIMARY KEY (customer_id, item_key)
        );
        CREATE INDEX item_coverage_stage ON item_coverage(stage, first_on);
        CREATE TABLE opinion_steps (
            customer_id INTEGER NOT NULL,
            series TEXT NOT NULL,
            on_date TEXT NOT NULL,
            d_value INTEGER NOT NULL,
            d_square INTEGER NOT NULL,
            d_rated INTEGER NOT NULL,
            PRIMARY KEY (customer_id, series, on_date)
        );
        CREATE INDEX opinion_steps_series ON opinion_steps(series, on_date, customer_id, d_value, d_square, d_rated);
        CREATE TABLE mode_month (
            stage TEXT NOT NULL,
            mode TEXT NOT NULL,
            month TEXT NOT NULL,
            responses INTEGER NOT NULL,
            quality_sum INTEGER NOT NULL,
            completeness_sum INTEGER NOT NULL,
            PRIMARY KEY (stage, mode, month)
        );
        CREATE TABLE change_counter (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
        INSERT INTO change_counter (id, n) VALUES (1, 0);
        """
    )


@migration()
def m003_audit(db: Handle) -> None:
    """Append-only audit trail: one row per entity a write changed, with its full
    state before and after (JSON; NULL when absent). Rows of one write share a
    ``change_id``; the rows of an undo name the change they undo in ``undoes``,
    so no audit row is ever updated. Also indexes responses by author, for the
    author's last used mode in the entry form."""
    run_script(
        db,
        """
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            change_id INTEGER NOT NULL,
            at TEXT NOT NULL,
            author TEXT,
            action TEXT NOT NULL,
            entity TEXT NOT NULL,
            entity_id INTEGER NOT NULL,
            customer_id INTEGER,
            before TEXT,
            after TEXT,
            undoes INTEGER
        );
        CREATE INDEX audit_author ON audit(author, change_id);
        CREATE INDEX audit_customer ON audit(customer_id, id);
        CREATE INDEX audit_undoes ON audit(undoes);
        CREATE INDEX responses_author ON responses(author, id)
        """,
    )


@migration()
def m004_users(db: Handle) -> None:
    """Accounts: a name, a role (viewer, editor, admin), a salted scrypt hash of
    the password, a disabled flag and the failed-login counter that slows
    down guessing."""
    run_script(
        db,
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            name_key TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
            password_hash TEXT NOT NULL,
            disabled INTEGER NOT NULL DEFAULT 0,
            failed_logins INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT,
            created_at TEXT NOT NULL
        )
        """,
    )


@migration()
def m005_relationship(db: Handle) -> None:
    """The rest of the relationship (see ``crm_core.service``, ``promises``, ``outcomes``):

    * ``service_cases``: a fault reported after delivery, its clock events
      (ISO date-times, NULL until they happen), expert and spare-part prices.
    * ``service_targets``: hours allowed per priority for first reply, attention
      and repair, where an admin changed the defaults (``crm_core.service.DEFAULT_TARGETS``;
      defaults live in code so an empty database holds no row nobody wrote).
    * ``promises``: what sales promised, by whom and when; kept, broken or
      renegotiated later.
    * ``outcomes``: additional sales and referrals given or lost.
    """
    run_script(
        db,
        """
        CREATE TABLE service_cases (
            id INTEGER PRIMARY KEY,
            customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
            reported_at TEXT NOT NULL,
            description TEXT NOT NULL,
            priority TEXT NOT NULL CHECK (priority IN ('critical', 'high', 'normal', 'low')),
            first_reply_at TEXT,
            attention_at TEXT,
            expert TEXT,
            repaired_at TEXT,
            spare_quoted_price REAL,
            spare_reference_price REAL,
            closed_at TEXT,
            author TEXT
        );
        CREATE INDEX service_cases_customer ON service_cases(customer_id, reported_at);
        CREATE INDEX service_cases_reported ON service_cases(reported_at, priority);
        CREATE INDEX service_cases_open ON service_cases(closed_at, reported_at);
        CREATE TABLE service_targets (
            id INTEGER PRIMARY KEY,
            priority TEXT NOT NULL UNIQUE,
            first_reply_hours REAL NOT NULL,
            attention_hours REAL NOT NULL,
            repair_hours REAL NOT NULL
        );
        CREATE TABLE promises (
            id INTEGER PRIMARY KEY,
            customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
            stage TEXT NOT NULL,
            made_on TEXT NOT NULL,
            made_by TEXT,
            kind TEXT NOT NULL CHECK (kind IN ('performance', 'quality', 'price', 'date', 'training', 'other')),
            what TEXT NOT NULL,
            promised_value TEXT,
            due_on TEXT,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'kept', 'broken', 'renegotiated')),
            resolved_on TEXT,
            actual_value TEXT,
            author TEXT
        );
        CREATE INDEX promises_customer ON promises(customer_id, made_on);
        CREATE INDEX promises_due ON promises(due_on, status);
        CREATE INDEX promises_resolved ON promises(resolved_on, status);
        CREATE TABLE outcomes (
            id INTEGER PRIMARY KEY,
            customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('additional_sale', 'referral_given', 'referral_lost')),
            on_date TEXT NOT NULL,
            amount REAL,
            counterpart TEXT,
            note TEXT,
            author TEXT
        );
        CREATE INDEX outcomes_customer ON outcomes(customer_id, on_date);
        CREATE INDEX outcomes_date ON outcomes(on_date, kind)
        """,
    )



@migration()
def m006_import_mappings(db: Handle) -> None:
    """The column mapping last used to import a file of a kind with a given set of
    headers (``headers``: the file's column names, sorted, as JSON), so the next
    file with the same headers is mapped the same way without asking again."""
    run_script(
        db,
        """
        CREATE TABLE import_mappings (
            kind TEXT NOT NULL,
            headers TEXT NOT NULL,
            mapping TEXT NOT NULL,
            author TEXT,
            saved_at TEXT NOT NULL,
            PRIMARY KEY (kind, headers)
        )
        """,
    )


@migration()
def m007_per_customer_indexes(db: Handle) -> None:
    """Per-customer indexes on the summary tables. Without them the portfolio's
    per-customer lookups (a customer's opinion steps of one series, its items
    covered in one stage) take the covering (series, on_date) and (stage, first_on)
    indexes and scan every customer's rows for each customer: minutes at 10,000
    customers. These answer each lookup with one seek."""
    run_script(
        db,
        """
        CREATE INDEX opinion_steps_customer ON opinion_steps(customer_id, series, on_date, d_value, d_rated);
        CREATE INDEX item_coverage_customer ON item_coverage(customer_id, stage, first_on)
        """,
    )


@migration(rebuilds_summaries=True)
def m008_customer_summary(db: Handle) -> None:
    """``customer_summary``: per customer, the portfolio's computed columns for "now"
    (stage, final opinion steps summed, current-stage opinion and coverage, response
    count, last response), refreshed with the other summaries in every write's
    transaction (filled by the rebuild it asks for). The portfolio for "now" reads it
    instead of eleven lookups per customer; past days are still computed from the
    other summaries."""
    run_script(
        db,
        """
        CREATE TABLE customer_summary (
            customer_id INTEGER PRIMARY KEY,
            stage TEXT,
            final_value INTEGER,
            stage_rated INTEGER,
            stage_opinion INTEGER,
            rated_stages INTEGER,
            items_covered INTEGER NOT NULL,
            responses INTEGER NOT NULL,
            last_response_on TEXT
        )
        """,
    )


@migration(rebuilds_summaries=True)
def m009_mode_coverage(db: Handle) -> None:
    """``mode_coverage``: per customer, stage and mode, the first day we responded in
    that mode at that stage (``crm_core.analysis``: did a customer get a response
    face to face before its opinion?), refreshed with the other summaries in every
    write's transaction (filled by the rebuild it asks for). It replaces a walk
    through a customer's responses per mode."""
    run_script(
        db,
        """
        CREATE TABLE mode_coverage (
            customer_id INTEGER NOT NULL,
            stage TEXT NOT NULL,
            mode TEXT NOT NULL,
            first_on TEXT NOT NULL,
            PRIMARY KEY (customer_id, stage, mode)
        )
        """,
    )


@migration()
def m010_item_coverage_by_stage_covering(db: Handle) -> None:
    """A covering (stage, first_on, ...) index on ``item_coverage``: the coverage grid
    of one stage reads every customer's items of that stage (about 50,000 rows at
    10,000 customers) from the index alone instead of one table lookup per row."""
    run_script(
        db,
        """
        CREATE INDEX item_coverage_stage_covering
            ON item_coverage(stage, first_on, customer_id, item_key, last_on, times)
        """,
    )


@migration()
def m011_drop_item_coverage_by_stage_covering(db: Handle) -> None:
    """Drop m010's covering (stage, first_on, ...) index again. Without statistics
    SQLite prefers a covering index, so joins that look up each customer's items of
    a stage (what moves opinion) scanned every customer's items per customer through
    it: 15 s instead of 90 ms at 10,000 customers, for a third off the coverage grid."""
    run_script(db, "DROP INDEX item_coverage_stage_covering")


# The tables whose ids the audit trail, undo and links refer to, with the audit's name
# for their rows, as they stood when m012 was written.
_M012_AUDITED = {"customers": "customer", "contacts": None, "stage_entries": "stage_entry",
                 "responses": "response", "opinions": "opinion", "audit": None, "users": "account",
                 "service_cases": "service_case", "service_targets": "service_target",
                 "promises": "promise", "outcomes": "outcome"}


@migration()
def m012_ids_never_reused(db: Handle) -> None:
    """Ids are never handed out again: without ``AUTOINCREMENT`` SQLite gives a new row the
    highest id + 1, so deleting (or undoing the creation of) the newest row let the next one
    inherit its id, its audit rows and its links. Each table hands out ids after the highest
    ever used, counting ids that survive only in the audit trail (``dialect.continue_ids_after``:
    SQLite rebuilds the table with ``AUTOINCREMENT``, every row, index and foreign key kept;
    the keys are checked afterwards)."""
    for table, entity in _M012_AUDITED.items():
        highest = db.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()[0]
        if entity is not None:
            audited = db.execute("SELECT COALESCE(MAX(entity_id), 0) FROM audit WHERE entity = :entity",
                                 {"entity": entity}).fetchone()[0]
            highest = max(highest, audited)
        db.dialect.continue_ids_after(db.conn, table, highest)
    broken = db.dialect.broken_foreign_keys(db.conn)
    if broken:
        raise RuntimeError(f"m012 would leave rows without their parent: {broken}")


@migration()
def m013_remembered_sign_ins(db: Handle) -> None:
    """Remembered sign-ins: the SHA-256 digest of a random token a browser keeps in a
    cookie, naming an account (or, in open mode, a typed author) until it expires.

    A trigger revokes an account's tokens in the statement that disables it or
    changes its role or password, whichever code path makes the change."""
    run_script(
        db,
        """
        CREATE TABLE remembered_sign_ins (
            token_digest TEXT PRIMARY KEY,
            user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
            author TEXT,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            CHECK ((user_id IS NULL) <> (author IS NULL))
        );
        CREATE INDEX remembered_sign_ins_user ON remembered_sign_ins(user_id);
        CREATE INDEX remembered_sign_ins_expiry ON remembered_sign_ins(expires_at)
        """,
    )
    db.dialect.create_update_trigger(
        db.conn, "account_change_revokes_remembered_sign_ins", "users", "role, password_hash, disabled",
        "NEW.role IS DISTINCT FROM OLD.role OR NEW.password_hash IS DISTINCT FROM OLD.password_hash"
        " OR NEW.disabled <> 0",
        "DELETE FROM remembered_sign_ins WHERE user_id = NEW.id")


@migration()
def m014_change_counter_slots(db: Handle) -> None:
    """The change counter in 16 slots (``slot``, ``n``; the count is their sum) instead of
    one row: on a server, concurrent writers each bump the slot of their transaction
    instead of queueing for one row (``dialect.NEXT_CHANGE``). The count so far goes to
    slot 0, where SQLite, whose writers take turns anyway, keeps counting; the numbers
    of changes continue after it."""
    count = db.execute("SELECT n FROM change_counter WHERE id = 1").fetchone()[0]
    run_script(
        db,
        """
        CREATE TABLE change_counter_slots (slot INTEGER PRIMARY KEY, n INTEGER NOT NULL);
        DROP TABLE change_counter;
        ALTER TABLE change_counter_slots RENAME TO change_counter
        """,
    )
    for slot in range(16):
        db.execute("INSERT INTO change_counter (slot, n) VALUES (:slot, :n)",
                   {"slot": slot, "n": count if slot == 0 else 0})
    db.dialect.start_change_numbers(db.conn, count)


@migration()
def m015_checklist_wordings_and_settings(db: Handle) -> None:
    """What the admin screens change:

    * ``checklist_items.id``: a number per item (the seeded ones in checklist order), so the
      audit trail can name an item as it names every other entity.
    * ``checklist_item_wordings``: an item's wording in one language where an admin reworded
      it (the others keep the catalogue's translation of ``label``).
    * ``settings``: one value per name that an admin sets for the whole team (the currency).
    """
    run_script(
        db,
        """
        ALTER TABLE checklist_items ADD COLUMN id INTEGER;
        CREATE TABLE checklist_item_wordings (
            item_key TEXT NOT NULL REFERENCES checklist_items(key),
            language TEXT NOT NULL,
            label TEXT NOT NULL,
            PRIMARY KEY (item_key, language)
        );
        CREATE TABLE settings (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            value TEXT NOT NULL
        )
        """,
    )
    items = db.execute("SELECT key, stage, position FROM checklist_items").fetchall()
    ranked = sorted(items, key=lambda item: (STAGES.index(item[1]) if item[1] in STAGES else len(STAGES),
                                             item[2], item[0]))
    for number, (key, _stage, _position) in enumerate(ranked, start=1):
        db.execute("UPDATE checklist_items SET id = :id WHERE key = :key", {"id": number, "key": key})
    db.execute("CREATE UNIQUE INDEX checklist_items_id ON checklist_items(id)")


@migration()
def m016_saved_views(db: Handle) -> None:
    """Saved views: a named link to one page with the query parameters it keeps
    (``params``: JSON of name -> values, the snapshot day included), owned by the
    person who saved it (``owner``, and ``name_key`` to keep one owner's names
    distinct), personal or shared with the team (``shared``)."""
    run_script(
        db,
        """
        CREATE TABLE saved_views (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL,
            name_key TEXT NOT NULL,
            owner TEXT NOT NULL,
            shared INTEGER NOT NULL DEFAULT 0,
            page TEXT NOT NULL,
            params TEXT NOT NULL,
            saved_at TEXT NOT NULL,
            UNIQUE (owner, name_key)
        );
        CREATE INDEX saved_views_shared ON saved_views(shared)
        """,
    )


@migration()
def m017_follow_ups(db: Handle) -> None:
    """``follow_ups``: a follow-up of the advice "give next": who (``owner``, a person's
    name) is to deliver which checklist item (``item_key``) to which customer by when
    (``due_on``), made on ``created_on`` by ``created_by``. It is ``open`` until done
    (by hand, or by a response logged for the customer that addresses the item, named in
    ``closed_by_response``) or ``cancelled``, on ``closed_on``. Ids are never reused
    (``AUTOINCREMENT``: the audit trail names them, see m012)."""
    run_script(
        db,
        """
        CREATE TABLE follow_ups (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
            item_key TEXT NOT NULL REFERENCES checklist_items(key),
            owner TEXT NOT NULL,
            due_on TEXT NOT NULL,
            created_on TEXT NOT NULL,
            created_by TEXT,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
            closed_on TEXT,
            closed_by_response INTEGER REFERENCES responses(id) ON DELETE SET NULL,
            note TEXT
        );
        CREATE INDEX follow_ups_customer ON follow_ups(customer_id, item_key, status);
        CREATE INDEX follow_ups_due ON follow_ups(status, due_on);
        CREATE INDEX follow_ups_response ON follow_ups(closed_by_response)
        """,
    )


@migration(rebuilds_summaries=True)
def m019_risk_summary(db: Handle) -> None:
    """``risk_summary``: per customer, what the live at-risk signs need that only writes
    change, so a view compares it with the moment instead of recomputing it: the day the
    customer entered its current stage (``entered_on``), the moment the first running
    clock of an open service case passes its target (``breach_at``, ISO text to the
    microsecond), the earliest due day of an open promise (``promise_due_on``), the last
    day a promise was broken (``broken_on``) and the earliest due day of an open
    follow-up (``follow_up_due_on``). Refreshed in every write's transaction that changes
    them; filled by the rebuild it asks for."""
    run_script(
        db,
        """
        CREATE TABLE risk_summary (
            customer_id INTEGER PRIMARY KEY,
            entered_on TEXT,
            breach_at TEXT,
            promise_due_on TEXT,
            broken_on TEXT,
            follow_up_due_on TEXT
        )
        """,
    )


@migration()
def m020_change_scopes(db: Handle) -> None:
    """``change_scopes``: per scope of what writes touch (``storage.PORTFOLIO``, one
    customer's ``customer:<id>``, ``settings``...) and slot (as the change counter's), how
    many committed write transactions touched it (``n``; the scope's version is the sum
    over its slots). Caches keyed on these versions refresh only when a write touched
    what they show. Starts empty: every scope at version 0."""
    run_script(
        db,
        """
        CREATE TABLE change_scopes (
            scope TEXT NOT NULL,
            slot INTEGER NOT NULL,
            n INTEGER NOT NULL,
            PRIMARY KEY (scope, slot)
        )
        """,
    )


@migration(rebuilds_summaries=True)
def m021_judged_summary(db: Handle) -> None:
    """``judged_summary``: per customer and stage it gave an opinion of, its latest opinion
    of the stage (``opinion_on``, ``score``) and what it had been given in the stage by
    that day, a bit each: ``items`` (bit = the active checklist item's position) and
    ``modes`` (bit = the mode's place in ``catalogue.MODES``). What "what moves opinion"
    sums per item and mode; read from the base rows it cost 60-80 ms at 10,000 customers
    (a seek for the latest opinion and two for what came before it, per customer).
    Refreshed in every write's transaction that changes it; filled by the rebuild it asks for."""
    run_script(
        db,
        """
        CREATE TABLE judged_summary (
            customer_id INTEGER NOT NULL,
            stage TEXT NOT NULL,
            opinion_on TEXT NOT NULL,
            score INTEGER NOT NULL,
            items BIGINT NOT NULL,
            modes BIGINT NOT NULL,
            PRIMARY KEY (customer_id, stage)
        )
        """,
    )


@migration(rebuilds_summaries=True)
def m022_stage_coverage(db: Handle) -> None:
    """``stage_coverage``: per customer and stage it was given an item of, the active
    checklist items of the stage it was given, a bit each (bit = the item's position), and
    the last day one of them was (``last_on``). What the live checklist gaps read; counted
    from ``item_coverage`` per customer it cost 60 ms at 10,000 customers. Refreshed in
    every write's transaction that changes it; filled by the rebuild it asks for."""
    run_script(
        db,
        """
        CREATE TABLE stage_coverage (
            customer_id INTEGER NOT NULL,
            stage TEXT NOT NULL,
            items BIGINT NOT NULL,
            last_on TEXT NOT NULL,
            PRIMARY KEY (customer_id, stage)
        )
        """,
    )


def run_script(db: Handle, script: str) -> None:
    """Run statements one by one (``executescript`` would commit the migration's
    transaction), each as the dialect reads it."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(db.dialect.ddl(statement))


def _ensure_record(db: Handle) -> str:
    """The table of applied migrations (created when missing); returns its name."""
    table = db.dialect.MIGRATIONS_TABLE
    run_script(db, f"""
        CREATE TABLE IF NOT EXISTS {table} (
            id INTEGER PRIMARY KEY, migration_set TEXT, name TEXT, applied_at TEXT);
        CREATE UNIQUE INDEX IF NOT EXISTS idx_{table}_migration_set_name ON {table} (migration_set, name)
        """)
    return table


def apply(db: Handle, stop_before: str | None = None) -> bool:
    """Apply pending migrations (all, or those before ``stop_before``) in the caller's
    transaction, each recorded as it is applied. Returns whether one of them asks for
    the summaries to be rebuilt (``rebuilds_summaries``)."""
    table = _ensure_record(db)
    applied_now = []
    for name in pending(db):
        if name == stop_before:
            break
        MIGRATIONS[name](db)
        db.execute(f"INSERT INTO {table} (migration_set, name, applied_at) VALUES (:set, :name, :at)",
                   {"set": MIGRATION_SET, "name": name, "at": str(dt.datetime.now(dt.timezone.utc))})
        applied_now.append(name)
    return bool(set(applied_now) & _REBUILDS_SUMMARIES)


def applied(db: Handle) -> list[str]:
    """Names of the migrations applied to ``db``, in order (none for a new database)."""
    table = db.dialect.MIGRATIONS_TABLE
    if table not in db.dialect.table_names(db.conn):
        return []
    return [name for (name,) in db.execute(
        f"SELECT name FROM {table} WHERE migration_set = :set ORDER BY id", {"set": MIGRATION_SET})]


def unknown(db: Handle) -> list[str]:
    """Names of applied migrations this code does not know (a newer app wrote the database)."""
    return [name for name in applied(db) if name not in MIGRATIONS]


def pending(db: Handle) -> list[str]:
    """Names of the migrations not yet applied to ``db``."""
    done = set(applied(db))
    return [name for name in MIGRATIONS if name not in done]
