"""encrypt_columns: personal data encrypted at rest, lookup hashes beside ID and phone numbers

Every value of the columns below is rewritten as an AES-GCM envelope (storage.cipher) under the
current LIANXIN_DATA_KEY, in batches of BATCH rows. Lookup-hash columns (HMAC-SHA256) are added
and filled beside the certificate number (of its 18-character ID part), the phones of persons,
guardians and officials, and binding codes; the unique constraints move from the plain columns
to them. On PostgreSQL the encrypted columns become TEXT and their old unique constraints are
dropped; SQLite keeps its declared types (it does not enforce lengths) and the old constraints,
which on random-nonce ciphertext never match (dropping them would rebuild the tables and lose
their triggers).

Revision ID: 0014_encrypt_columns
Revises: 0013_due_link_version
"""

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

from storage.cipher import keyring

revision = "0014_encrypt_columns"
down_revision = "0013_due_link_version"
branch_labels = None
depends_on = None

BATCH = 2000

# table -> (primary key, encrypted columns)
ENCRYPTED = {
    "persons": ("id", ("certificate_no", "address", "phone", "family_members", "policy_benefits",
                       "hardship_description", "planned_measures", "annual_progress")),
    "guardians": ("id", ("phone",)),
    "officials": ("id", ("phone", "office_phone")),
    "contact_records": ("id", ("raw_text", "note")),
    "needs": ("id", ("text", "resolution")),
    "need_notes": ("id", ("text",)),
    "binding_codes": ("id", ("code", "qr_url")),
    "inbound_messages": ("id", ("reply",)),
    "shared_values": ("name", ("value",)),
}
# (table, hash column, plain column, part hashed, unique, old unique constraint)
HASHES: list[tuple[str, str, str, Callable[[str], str], bool, str | None]] = [
    ("persons", "id_hash", "certificate_no", lambda v: v[:18], True, "uq_persons_certificate_no"),
    ("persons", "phone_hash", "phone", lambda v: v, False, None),
    ("guardians", "phone_hash", "phone", lambda v: v, True, "uq_guardians_phone"),
    ("officials", "phone_hash", "phone", lambda v: v, True, "uq_officials_phone"),
    ("binding_codes", "code_hash", "code", lambda v: v, True, "uq_binding_codes_code"),
]
# Columns declared VARCHAR(n) before: TEXT on PostgreSQL (an envelope is longer).
WIDENED = {
    "persons": {"certificate_no": 24, "address": 255, "phone": 32},
    "guardians": {"phone": 32},
    "officials": {"phone": 32, "office_phone": 32},
    "binding_codes": {"code": 32, "qr_url": 255},
}


def _index_name(table: str, column: str, unique: bool) -> str:
    return f"{'uq' if unique else 'ix'}_{table}_{column}"


def _rewrite(table: str, convert: Callable[[dict], dict]) -> None:
    """Rewrite every row of `table`, BATCH rows per statement, keyset-paged on the key."""
    key, columns = ENCRYPTED[table]
    hashed = [h for h in HASHES if h[0] == table]
    conn = op.get_bind()
    t = sa.table(table, sa.column(key), *(sa.column(c, sa.Text) for c in columns),
                 *(sa.column(h[1], sa.Text) for h in hashed))
    update = (
        sa.update(t)
        .where(t.c[key] == sa.bindparam("_key"))
        .values({c: sa.bindparam(f"_{c}") for c in (*columns, *(h[1] for h in hashed))})
    )
    last = None
    while True:
        query = sa.select(t.c[key], *(t.c[c] for c in columns)).order_by(t.c[key]).limit(BATCH)
        if last is not None:
            query = query.where(t.c[key] > last)
        rows = conn.execute(query).mappings().all()
        if not rows:
            return
        changes = []
        for row in rows:
            new = convert(dict(row))
            changes.append({"_key": row[key], **{f"_{c}": new[c] for c in new if c != key}})
        conn.execute(update, changes)
        last = rows[-1][key]


def upgrade() -> None:
    ring = keyring()
    is_pg = op.get_bind().dialect.name == "postgresql"
    for table, column, _plain, _part, _unique, _old in HASHES:
        op.add_column(table, sa.Column(column, sa.String(64), nullable=True))
    if is_pg:
        for table, _column, _plain, _part, _unique, old in HASHES:
            if old:
                op.drop_constraint(old, table, type_="unique")
        for table, widened in WIDENED.items():
            for column, length in widened.items():
                op.alter_column(table, column, type_=sa.Text(), existing_type=sa.String(length))

    for table, (_key, columns) in ENCRYPTED.items():
        hashed = [h for h in HASHES if h[0] == table]

        def convert(row: dict, table=table, columns=columns, hashed=hashed) -> dict:
            out = {}
            for h in hashed:
                plain = row[h[2]]
                out[h[1]] = ring.lookup_hash(h[3](plain)) if plain else None
            for c in columns:
                value = row[c]
                out[c] = None if value is None else ring.encrypt(value, f"{table}.{c}")
            return out

        _rewrite(table, convert)

    for table, column, _plain, _part, unique, _old in HASHES:
        op.create_index(_index_name(table, column, unique), table, [column], unique=unique)


def downgrade() -> None:
    ring = keyring()
    is_pg = op.get_bind().dialect.name == "postgresql"
    for table, column, _plain, _part, unique, _old in HASHES:
        op.drop_index(_index_name(table, column, unique), table_name=table)
    for table, (_key, columns) in ENCRYPTED.items():
        hashed = [h for h in HASHES if h[0] == table]

        def convert(row: dict, table=table, columns=columns, hashed=hashed) -> dict:
            out: dict = {h[1]: None for h in hashed}
            for c in columns:
                value = row[c]
                out[c] = None if value is None else ring.decrypt(value, f"{table}.{c}")
            return out

        _rewrite(table, convert)
    if is_pg:
        for table, widened in WIDENED.items():
            for column, length in widened.items():
                op.alter_column(table, column, type_=sa.String(length), existing_type=sa.Text())
        for table, _column, plain, _part, _unique, old in HASHES:
            if old:
                op.create_unique_constraint(old, table, [plain])
    for table, column, _plain, _part, _unique, _old in HASHES:
        op.drop_column(table, column)  # SQLite 3.35+ drops an unindexed column in place
