"""login_failures and admin_users.session_version: login throttles that a stranger cannot use to
lock a real user out, and sessions that end everywhere on logout or a new password

The per-account lock-out columns (failed_logins, locked_until) go: anyone could lock any account
with them, and the lock-out message told which usernames exist.

Revision ID: 0012_login_security
Revises: 0011_bind_failures
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_login_security"
down_revision = "0011_bind_failures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_login_failures_ip_at", "login_failures", ["ip", "at"])
    op.create_index("ix_login_failures_username_at", "login_failures", ["username", "at"])
    op.add_column("admin_users", sa.Column("session_version", sa.Integer(), nullable=False,
                                           server_default="0"))
    # In place on both databases (a SQLite batch copy would trip other tables' foreign keys).
    op.execute("ALTER TABLE admin_users DROP COLUMN failed_logins")
    op.execute("ALTER TABLE admin_users DROP COLUMN locked_until")


def downgrade() -> None:
    op.add_column("admin_users", sa.Column("locked_until", sa.DateTime(), nullable=True))
    op.add_column("admin_users", sa.Column("failed_logins", sa.Integer(), nullable=False,
                                           server_default="0"))
    op.execute("ALTER TABLE admin_users DROP COLUMN session_version")
    op.drop_table("login_failures")
