"""binding_codes.qr_url: the permanent QR code printed on a contact card

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("binding_codes") as batch_op:
        batch_op.add_column(sa.Column("qr_url", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("binding_codes") as batch_op:
        batch_op.drop_column("qr_url")
