"""overview tallies: per-village counters behind the dashboard overview, kept by triggers

Three tables, each a set of counters that database triggers keep exact under every writer (the
same idea as contact_summary, but by adding and subtracting instead of recomputing):

- contact_month_tallies (village, first of month): successful, non-voided contacts and how
  many of them were home visits, by the contacted person's current village. The 12-month trend.
- latest_contact_tallies (village, first of month): active persons whose newest successful
  contact (contact_summary a1 of official 0) falls in that month, and those whose newest home
  visit (h1) does. While no person's newest contact lies after a period's end, "contacted in
  the period" is the sum over the period's months.
- village_tallies (village): active persons, special-hardship ones, ones with an open
  assignment (festival targets), open needs and urgent open needs.

Triggers on contact_records, contact_summary, persons (village, active, hardship), assignments
(person, end date) and needs (person, status, urgency) apply the change's delta. On PostgreSQL
they are statement-level (transition tables), group the delta per counter row and upsert in key
order; those that read a person's village first lock the persons involved (as contact_summary's
do), so a concurrent move of the person waits and the later statement sees it.

The SQL is frozen here on purpose; `storage.overview_tallies` holds the same backfill for bulk
loaders (a test checks that both agree).

Revision ID: 0007_overview_tallies
Revises: 0006_assignment_summary
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_overview_tallies"
down_revision = "0006_assignment_summary"
branch_labels = None
depends_on = None

OPEN_NEEDS = "('open', 'in_progress')"


def month(column: str, pg: bool) -> str:
    return (f"CAST(date_trunc('month', {column}) AS DATE)" if pg
            else f"date({column}, 'start of month')")


def backfill_sql(pg: bool) -> list[str]:
    """INSERT … SELECT of every tally from the current rows (contact_summary must be exact)."""
    m = month("c.contact_date", pg)
    return [
        f"""INSERT INTO contact_month_tallies (village_id, month_start, contacts, home_visits)
        SELECT p.village_id, {m}, COUNT(*),
               SUM(CASE WHEN c.channel = 'home_visit' THEN 1 ELSE 0 END)
        FROM contact_records c JOIN persons p ON p.id = c.person_id
        WHERE c.voided = FALSE AND c.status <> 'unreachable'
        GROUP BY p.village_id, {m}""",
        f"""INSERT INTO latest_contact_tallies (village_id, month_start, contacted, visited)
        SELECT village_id, month_start, SUM(contacted), SUM(visited) FROM (
            SELECT p.village_id, {month("s.a1", pg)} AS month_start, 1 AS contacted, 0 AS visited
            FROM contact_summary s JOIN persons p ON p.id = s.person_id
            WHERE s.official_id = 0 AND p.active = TRUE AND s.a1 IS NOT NULL
            UNION ALL
            SELECT p.village_id, {month("s.h1", pg)}, 0, 1
            FROM contact_summary s JOIN persons p ON p.id = s.person_id
            WHERE s.official_id = 0 AND p.active = TRUE AND s.h1 IS NOT NULL
        ) latest GROUP BY village_id, month_start""",
        f"""INSERT INTO village_tallies
            (village_id, persons, special, assigned, open_needs, urgent_needs)
        SELECT village_id, SUM(persons), SUM(special), SUM(assigned), SUM(open_needs),
               SUM(urgent_needs) FROM (
            SELECT p.village_id, 1 AS persons,
                   CASE WHEN p.special_hardship = TRUE THEN 1 ELSE 0 END AS special,
                   CASE WHEN EXISTS (SELECT 1 FROM assignments a WHERE a.person_id = p.id
                                     AND a.end_date IS NULL) THEN 1 ELSE 0 END AS assigned,
                   0 AS open_needs, 0 AS urgent_needs
            FROM persons p WHERE p.active = TRUE
            UNION ALL
            SELECT p.village_id, 0, 0, 0, 1, CASE WHEN n.urgency = 'urgent' THEN 1 ELSE 0 END
            FROM needs n JOIN persons p ON p.id = n.person_id
            WHERE n.status IN {OPEN_NEEDS}
        ) counts GROUP BY village_id""",
    ]


# --- the deltas: each takes rows of signed changes and upserts them, grouped, in key order ---

def _upsert(table: str, keys: list[str], counters: list[str], grouped: str) -> str:
    cols = ", ".join(keys + counters)
    nonzero = " OR ".join(f"{c} <> 0" for c in counters)
    sets = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in counters)
    return (f"INSERT INTO {table} ({cols}) SELECT * FROM ({grouped}) delta"
            f" WHERE {nonzero} ORDER BY {', '.join(keys)}"
            f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}")


def contact_delta(rows: str, pg: bool) -> str:
    """rows: (village_id, contact_date, channel, sign) of successful contacts."""
    m = month("d.contact_date", pg)
    return _upsert("contact_month_tallies", ["village_id", "month_start"],
                   ["contacts", "home_visits"],
                   f"SELECT d.village_id, {m} AS month_start, SUM(d.sign) AS contacts,"
                   f" SUM(CASE WHEN d.channel = 'home_visit' THEN d.sign ELSE 0 END)"
                   f" AS home_visits FROM ({rows}) d GROUP BY d.village_id, {m}")


def latest_delta(rows: str, pg: bool) -> str:
    """rows: (village_id, day, contacted, visited) with signed counts."""
    m = month("d.day", pg)
    return _upsert("latest_contact_tallies", ["village_id", "month_start"],
                   ["contacted", "visited"],
                   f"SELECT d.village_id, {m} AS month_start, SUM(d.contacted) AS contacted,"
                   f" SUM(d.visited) AS visited FROM ({rows}) d GROUP BY d.village_id, {m}")


VILLAGE_COUNTERS = ["persons", "special", "assigned", "open_needs", "urgent_needs"]


def village_delta(rows: str) -> str:
    """rows: (village_id, persons, special, assigned, open_needs, urgent_needs), signed."""
    sums = ", ".join(f"SUM(d.{c}) AS {c}" for c in VILLAGE_COUNTERS)
    return _upsert("village_tallies", ["village_id"], VILLAGE_COUNTERS,
                   f"SELECT d.village_id, {sums} FROM ({rows}) d GROUP BY d.village_id")


VILLAGE_COLS = "village_id, persons, special, assigned, open_needs, urgent_needs"
OK = "{r}.voided = FALSE AND {r}.status <> 'unreachable'"


def _person_share(x: str, sign: str) -> str:
    """Select-list of a person's village_tallies contribution (x: a persons row)."""
    active = f"{x}.active = TRUE"
    return (f"{x}.village_id AS village_id,"
            f" {sign} * CASE WHEN {active} THEN 1 ELSE 0 END AS persons,"
            f" {sign} * CASE WHEN {active} AND {x}.special_hardship = TRUE THEN 1 ELSE 0 END"
            f" AS special,"
            f" {sign} * CASE WHEN {active} AND EXISTS (SELECT 1 FROM assignments a"
            f" WHERE a.person_id = {x}.id AND a.end_date IS NULL) THEN 1 ELSE 0 END AS assigned,"
            f" {sign} * (SELECT COUNT(*) FROM needs n WHERE n.person_id = {x}.id"
            f" AND n.status IN {OPEN_NEEDS}) AS open_needs,"
            f" {sign} * (SELECT COUNT(*) FROM needs n WHERE n.person_id = {x}.id"
            f" AND n.status IN {OPEN_NEEDS} AND n.urgency = 'urgent') AS urgent_needs")


def _need_share(x: str, sign: str) -> str:
    return (f"p.village_id AS village_id, 0 AS persons, 0 AS special, 0 AS assigned,"
            f" {sign} * CASE WHEN {x}.status IN {OPEN_NEEDS} THEN 1 ELSE 0 END AS open_needs,"
            f" {sign} * CASE WHEN {x}.status IN {OPEN_NEEDS} AND {x}.urgency = 'urgent'"
            f" THEN 1 ELSE 0 END AS urgent_needs")


def _open_change(counts: str) -> str:
    """Select-list of an assigned delta: open assignments now (c.n) against before (c.n …)."""
    return (f"p.village_id AS village_id, 0 AS persons, 0 AS special,"
            f" CASE WHEN c.n > 0 THEN 1 ELSE 0 END - CASE WHEN c.n {counts} > 0 THEN 1 ELSE 0 END"
            f" AS assigned, 0 AS open_needs, 0 AS urgent_needs")


# --- SQLite: row-level triggers, OLD and NEW ---

def _sqlite_contact_rows(r: str, sign: str) -> str:
    return (f"SELECT p.village_id AS village_id, {r}.contact_date AS contact_date,"
            f" {r}.channel AS channel, {sign} AS sign FROM persons p"
            f" WHERE p.id = {r}.person_id AND {OK.format(r=r)}")


def _sqlite_summary_rows(r: str, sign: str) -> str:
    person = f"FROM persons p WHERE p.id = {r}.person_id AND p.active = TRUE AND {r}.official_id = 0"
    return (f"SELECT p.village_id AS village_id, {r}.a1 AS day, {sign} AS contacted, 0 AS visited"
            f" {person} AND {r}.a1 IS NOT NULL"
            f" UNION ALL SELECT p.village_id, {r}.h1, 0, {sign} {person} AND {r}.h1 IS NOT NULL")


def _sqlite_moved_contacts(r: str, sign: str) -> str:
    return (f"SELECT {r}.village_id AS village_id, c.contact_date AS contact_date,"
            f" c.channel AS channel, {sign} AS sign FROM contact_records c"
            f" WHERE c.person_id = NEW.id AND {OK.format(r='c')}"
            f" AND OLD.village_id <> NEW.village_id")


def _sqlite_moved_summary(r: str, sign: str) -> str:
    person = (f"FROM contact_summary s WHERE s.person_id = NEW.id AND s.official_id = 0"
              f" AND {r}.active = TRUE"
              f" AND (OLD.village_id <> NEW.village_id OR OLD.active <> NEW.active)")
    return (f"SELECT {r}.village_id AS village_id, s.a1 AS day, {sign} AS contacted,"
            f" 0 AS visited {person} AND s.a1 IS NOT NULL"
            f" UNION ALL SELECT {r}.village_id, s.h1, 0, {sign} {person} AND s.h1 IS NOT NULL")


def _sqlite_assigned_rows(person: str, before: str, extra: str = "") -> str:
    """before: how the person's open-assignment count c.n differed before the change."""
    return (f"SELECT {_open_change(before)} FROM persons p,"
            f" (SELECT COUNT(*) AS n FROM assignments a WHERE a.person_id = {person}"
            f" AND a.end_date IS NULL) c WHERE p.id = {person} AND p.active = TRUE{extra}")


def _sqlite_assignment_update() -> str:
    rows = []
    for person, extra in (("OLD.person_id", ""),
                          ("NEW.person_id", " AND NEW.person_id <> OLD.person_id")):
        before = (f"- CASE WHEN NEW.end_date IS NULL AND NEW.person_id = {person} THEN 1 ELSE 0 END"
                  f" + CASE WHEN OLD.end_date IS NULL AND OLD.person_id = {person}"
                  f" THEN 1 ELSE 0 END")
        rows.append(_sqlite_assigned_rows(person, before, extra))
    return " UNION ALL ".join(rows)


def _sqlite_trigger(name: str, event: str, table: str, when: str | None, body: list[str]) -> str:
    guard = f" WHEN {when}" if when else ""
    statements = "".join(f"{sql};\n" for sql in body)
    return f"CREATE TRIGGER {name} AFTER {event} ON {table}{guard}\nBEGIN\n{statements}END"


def sqlite_triggers() -> list[str]:
    pg = False
    new_ok, old_ok = OK.format(r="NEW"), OK.format(r="OLD")
    needs_new = f"NEW.status IN {OPEN_NEEDS}"
    needs_old = f"OLD.status IN {OPEN_NEEDS}"
    return [
        _sqlite_trigger("trg_overview_contacts_insert", "INSERT", "contact_records", new_ok,
                        [contact_delta(_sqlite_contact_rows("NEW", "1"), pg)]),
        _sqlite_trigger("trg_overview_contacts_update",
                        "UPDATE OF person_id, channel, status, contact_date, voided",
                        "contact_records", None,
                        [contact_delta(f"{_sqlite_contact_rows('OLD', '-1')} UNION ALL"
                                       f" {_sqlite_contact_rows('NEW', '1')}", pg)]),
        _sqlite_trigger("trg_overview_contacts_delete", "DELETE", "contact_records", old_ok,
                        [contact_delta(_sqlite_contact_rows("OLD", "-1"), pg)]),
        _sqlite_trigger("trg_overview_summary_insert", "INSERT", "contact_summary",
                        "NEW.official_id = 0", [latest_delta(_sqlite_summary_rows("NEW", "1"), pg)]),
        _sqlite_trigger("trg_overview_summary_update", "UPDATE", "contact_summary", None,
                        [latest_delta(f"{_sqlite_summary_rows('OLD', '-1')} UNION ALL"
                                      f" {_sqlite_summary_rows('NEW', '1')}", pg)]),
        _sqlite_trigger("trg_overview_summary_delete", "DELETE", "contact_summary",
                        "OLD.official_id = 0", [latest_delta(_sqlite_summary_rows("OLD", "-1"), pg)]),
        _sqlite_trigger("trg_overview_persons_insert", "INSERT", "persons", None,
                        [village_delta(f"SELECT {_person_share('NEW', '1')}")]),
        _sqlite_trigger("trg_overview_persons_update",
                        "UPDATE OF village_id, active, special_hardship", "persons", None,
                        [village_delta(f"SELECT {_person_share('OLD', '-1')} UNION ALL"
                                       f" SELECT {_person_share('NEW', '1')}"),
                         contact_delta(f"{_sqlite_moved_contacts('OLD', '-1')} UNION ALL"
                                       f" {_sqlite_moved_contacts('NEW', '1')}", pg),
                         latest_delta(f"{_sqlite_moved_summary('OLD', '-1')} UNION ALL"
                                      f" {_sqlite_moved_summary('NEW', '1')}", pg)]),
        _sqlite_trigger("trg_overview_persons_delete", "DELETE", "persons", None,
                        [village_delta(f"SELECT {_person_share('OLD', '-1')}")]),
        _sqlite_trigger("trg_overview_assignments_insert", "INSERT", "assignments",
                        "NEW.end_date IS NULL",
                        [village_delta(_sqlite_assigned_rows("NEW.person_id", "- 1"))]),
        _sqlite_trigger("trg_overview_assignments_update", "UPDATE OF person_id, end_date",
                        "assignments", None,
                        [village_delta(_sqlite_assignment_update())]),
        _sqlite_trigger("trg_overview_assignments_delete", "DELETE", "assignments",
                        "OLD.end_date IS NULL",
                        [village_delta(_sqlite_assigned_rows("OLD.person_id", "+ 1"))]),
        _sqlite_trigger("trg_overview_needs_insert", "INSERT", "needs", needs_new,
                        [village_delta(f"SELECT {_need_share('NEW', '1')} FROM persons p"
                                       f" WHERE p.id = NEW.person_id")]),
        _sqlite_trigger("trg_overview_needs_update", "UPDATE OF person_id, status, urgency",
                        "needs", None,
                        [village_delta(f"SELECT {_need_share('OLD', '-1')} FROM persons p"
                                       f" WHERE p.id = OLD.person_id UNION ALL"
                                       f" SELECT {_need_share('NEW', '1')} FROM persons p"
                                       f" WHERE p.id = NEW.person_id")]),
        _sqlite_trigger("trg_overview_needs_delete", "DELETE", "needs", needs_old,
                        [village_delta(f"SELECT {_need_share('OLD', '-1')} FROM persons p"
                                       f" WHERE p.id = OLD.person_id")]),
    ]


# --- PostgreSQL: statement-level triggers over the transition tables old_rows / new_rows ---

def _lock(ids: str) -> str:
    return f"PERFORM 1 FROM persons WHERE id IN ({ids}) ORDER BY id FOR NO KEY UPDATE"


def _pg_contact_rows(tt: str, sign: str) -> str:
    return (f"SELECT p.village_id, c.contact_date, c.channel, {sign} AS sign FROM {tt} c"
            f" JOIN persons p ON p.id = c.person_id WHERE {OK.format(r='c')}")


def _pg_summary_rows(tt: str, sign: str) -> str:
    person = (f"FROM {tt} s JOIN persons p ON p.id = s.person_id"
              f" WHERE p.active = TRUE AND s.official_id = 0")
    return (f"SELECT p.village_id, s.a1 AS day, {sign} AS contacted, 0 AS visited {person}"
            f" AND s.a1 IS NOT NULL UNION ALL"
            f" SELECT p.village_id, s.h1, 0, {sign} {person} AND s.h1 IS NOT NULL")


def _pg_need_rows(tt: str, sign: str) -> str:
    return f"SELECT {_need_share('x', sign)} FROM {tt} x JOIN persons p ON p.id = x.person_id"


def _pg_assigned_rows(parts: list[tuple[str, str]]) -> str:
    opened = " UNION ALL ".join(
        f"SELECT person_id, {1 if sign == '1' else 0} AS added, {1 if sign != '1' else 0}"
        f" AS removed FROM {tt} WHERE end_date IS NULL" for tt, sign in parts)
    return (f"SELECT {_open_change('- x.added + x.removed')}"
            f" FROM (SELECT person_id, SUM(added) AS added, SUM(removed) AS removed"
            f" FROM ({opened}) u GROUP BY person_id) x"
            f" JOIN persons p ON p.id = x.person_id"
            f" CROSS JOIN LATERAL (SELECT COUNT(*) AS n FROM assignments a"
            f" WHERE a.person_id = x.person_id AND a.end_date IS NULL) c"
            f" WHERE p.active = TRUE")


def _pg_moved(kind: str) -> str:
    """Persons whose village (and, for the summary, activity) changed: their old and new share."""
    changed = "o.village_id <> n.village_id"
    joined = "FROM old_rows o JOIN new_rows n ON n.id = o.id"
    if kind == "contacts":
        return " UNION ALL ".join(
            f"SELECT {r}.village_id, c.contact_date, c.channel, {sign} AS sign {joined}"
            f" JOIN contact_records c ON c.person_id = n.id"
            f" WHERE {changed} AND {OK.format(r='c')}" for r, sign in (("o", "-1"), ("n", "1")))
    changed = "(o.village_id <> n.village_id OR o.active <> n.active)"
    return " UNION ALL ".join(
        f"SELECT {r}.village_id, s.{col} AS day, {sign if col == 'a1' else '0'} AS contacted,"
        f" {sign if col == 'h1' else '0'} AS visited {joined}"
        f" JOIN contact_summary s ON s.person_id = n.id AND s.official_id = 0"
        f" WHERE {changed} AND {r}.active = TRUE AND s.{col} IS NOT NULL"
        for r, sign in (("o", "-1"), ("n", "1")) for col in ("a1", "h1"))


def _pg_function(name: str, body: list[str]) -> str:
    statements = "".join(f"    {sql};\n" for sql in body)
    return (f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $fn$\nBEGIN\n"
            f"{statements}    RETURN NULL;\nEND $fn$")


PARTS = {"insert": [("new_rows", "1")], "delete": [("old_rows", "-1")],
         "update": [("old_rows", "-1"), ("new_rows", "1")]}
TABLES = {"contacts": "contact_records", "summary": "contact_summary", "persons": "persons",
          "assignments": "assignments", "needs": "needs"}


def _pg_body(kind: str, op_: str) -> list[str]:
    parts = PARTS[op_]
    union = lambda rows: " UNION ALL ".join(rows(tt, sign) for tt, sign in parts)  # noqa: E731
    ids = " UNION ".join(f"SELECT person_id FROM {tt}" for tt, _ in parts)
    if kind == "contacts":
        ok_ids = " UNION ".join(f"SELECT person_id FROM {tt} c WHERE {OK.format(r='c')}"
                                for tt, _ in parts)
        return [_lock(ok_ids), contact_delta(union(_pg_contact_rows), True)]
    if kind == "summary":
        return [latest_delta(union(_pg_summary_rows), True)]
    if kind == "needs":
        return [_lock(ids), village_delta(union(_pg_need_rows))]
    if kind == "assignments":
        return [_lock(ids), village_delta(_pg_assigned_rows(parts))]
    # persons: the rows themselves are locked by the statement that changed them
    if op_ != "update":
        tt, sign = parts[0]
        return [village_delta(f"SELECT {_person_share('x', sign)} FROM {tt} x")]
    changed = ("SELECT n.id FROM old_rows o JOIN new_rows n ON n.id = o.id"
               " WHERE (o.village_id, o.active, o.special_hardship)"
               " IS DISTINCT FROM (n.village_id, n.active, n.special_hardship)")
    shares = " UNION ALL ".join(f"SELECT {_person_share('x', sign)} FROM {tt} x"
                                f" WHERE x.id IN ({changed})" for tt, sign in parts)
    return [village_delta(shares), contact_delta(_pg_moved("contacts"), True),
            latest_delta(_pg_moved("summary"), True)]


def pg_functions() -> list[str]:
    return [_pg_function(f"overview_{kind}_after_{op_}", _pg_body(kind, op_))
            for kind in TABLES for op_ in PARTS]


def pg_triggers() -> list[str]:
    refs = {"insert": "NEW TABLE AS new_rows", "delete": "OLD TABLE AS old_rows",
            "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows"}
    return [f"CREATE TRIGGER trg_overview_{kind}_{op_} AFTER {op_.upper()} ON {table}"
            f" REFERENCING {refs[op_]} FOR EACH STATEMENT"
            f" EXECUTE FUNCTION overview_{kind}_after_{op_}()"
            for kind, table in TABLES.items() for op_ in PARTS]


def upgrade() -> None:
    # No foreign key to regions: the counters are derived data, and a row left at zero must not
    # stop a village from being deleted.
    def table(name: str, keys: list[sa.Column], counters: list[str]) -> None:
        op.create_table(
            name,
            sa.Column("village_id", sa.Integer(), nullable=False),
            *keys,
            *(sa.Column(c, sa.Integer(), nullable=False) for c in counters),
            sa.PrimaryKeyConstraint("village_id", *(k.name for k in keys), name=op.f(f"pk_{name}")),
            sqlite_with_rowid=False,
        )

    month_start = lambda: sa.Column("month_start", sa.Date(), nullable=False)  # noqa: E731
    table("contact_month_tallies", [month_start()], ["contacts", "home_visits"])
    table("latest_contact_tallies", [month_start()], ["contacted", "visited"])
    table("village_tallies", [], VILLAGE_COUNTERS)
    pg = op.get_bind().dialect.name == "postgresql"
    for sql in (pg_functions() + pg_triggers()) if pg else sqlite_triggers():
        op.execute(sql)
    for sql in backfill_sql(pg):
        op.execute(sql)


def downgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    for kind, table in TABLES.items():
        for op_ in PARTS:
            if pg:
                op.execute(f"DROP TRIGGER trg_overview_{kind}_{op_} ON {table}")
                op.execute(f"DROP FUNCTION overview_{kind}_after_{op_}()")
            else:
                op.execute(f"DROP TRIGGER trg_overview_{kind}_{op_}")
    for table in ("village_tallies", "latest_contact_tallies", "contact_month_tallies"):
        op.drop_table(table)
