"""officials.due_link_version: in every due-list link; bumping it revokes the earlier links

Revision ID: 0013_due_link_version
Revises: 0012_login_security
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_due_link_version"
down_revision = "0012_login_security"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("officials", sa.Column("due_link_version", sa.Integer(), nullable=False,
                                         server_default="0"))


def downgrade() -> None:
    op.execute("ALTER TABLE officials DROP COLUMN due_link_version")
