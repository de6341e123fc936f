"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 04:23:43.956402
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('entity', sa.String(length=32), nullable=True),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)

    op.create_table('conversation_states',
    sa.Column('openid', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('openid', name=op.f('pk_conversation_states'))
    )
    op.create_table('guardians',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guardians')),
    sa.UniqueConstraint('phone', name=op.f('uq_guardians_phone'))
    )
    op.create_table('inbound_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=160), nullable=False),
    sa.Column('openid', sa.String(length=64), nullable=False),
    sa.Column('msg_type', sa.String(length=32), nullable=False),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_messages')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_inbound_messages_dedupe_key'))
    )
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbound_messages_openid'), ['openid'], unique=False)

    op.create_table('regions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('policy', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['regions.id'], name=op.f('fk_regions_parent_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_regions'))
    )
    with op.batch_alter_table('regions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_regions_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index('uq_regions_parent_name', ['parent_id', 'name'], unique=True)

    op.create_table('shared_values',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_shared_values'))
    )
    op.create_table('officials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('unit', sa.String(length=128), nullable=True),
    sa.Column('position', sa.String(length=64), nullable=True),
    sa.Column('rank', sa.String(length=8), nullable=True),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('office_phone', sa.String(length=32), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_officials_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_officials')),
    sa.UniqueConstraint('phone', name=op.f('uq_officials_phone'))
    )
    with op.batch_alter_table('officials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_officials_region_id'), ['region_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_officials_role'), ['role'], unique=False)

    op.create_table('persons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('gender', sa.String(length=4), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('disability_category', sa.String(length=8), nullable=True),
    sa.Column('disability_level', sa.SmallInteger(), nullable=True),
    sa.Column('certificate_no', sa.String(length=24), nullable=True),
    sa.Column('address', sa.String(length=255), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('dibao', sa.Boolean(), nullable=False),
    sa.Column('tekun', sa.Boolean(), nullable=False),
    sa.Column('multi_disabled', sa.Boolean(), nullable=False),
    sa.Column('elderly_carer', sa.Boolean(), nullable=False),
    sa.Column('living_alone', sa.Boolean(), nullable=False),
    sa.Column('poverty_monitoring', sa.Boolean(), nullable=False),
    sa.Column('special_hardship', sa.Boolean(), nullable=False),
    sa.Column('family_members', sa.Text(), nullable=True),
    sa.Column('policy_benefits', sa.Text(), nullable=True),
    sa.Column('hardship_description', sa.Text(), nullable=True),
    sa.Column('planned_measures', sa.Text(), nullable=True),
    sa.Column('annual_progress', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['village_id'], ['regions.id'], name=op.f('fk_persons_village_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_persons')),
    sa.UniqueConstraint('certificate_no', name=op.f('uq_persons_certificate_no'))
    )
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_persons_special_hardship'), ['special_hardship'], unique=False)
        batch_op.create_index(batch_op.f('ix_persons_village_id'), ['village_id'], unique=False)
        batch_op.create_index('ix_persons_village_name', ['village_id', 'name'], unique=False)

    op.create_table('assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('official_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['official_id'], ['officials.id'], name=op.f('fk_assignments_official_id_officials')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_assignments_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignments'))
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignments_official_id'), ['official_id'], unique=False)
        batch_op.create_index('ix_assignments_person_kind', ['person_id', 'kind'], unique=False)
        batch_op.create_index('uq_assignments_open', ['official_id', 'person_id', 'kind'], unique=True, sqlite_where=sa.text('end_date IS NULL'), postgresql_where=sa.text('end_date IS NULL'))

    op.create_table('binding_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('official_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['official_id'], ['officials.id'], name=op.f('fk_binding_codes_official_id_officials')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_binding_codes_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_binding_codes')),
    sa.UniqueConstraint('code', name=op.f('uq_binding_codes_code'))
    )
    with op.batch_alter_table('binding_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_binding_codes_person_id'), ['person_id'], unique=False)

    op.create_table('contact_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('official_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('contact_date', sa.Date(), nullable=False),
    sa.Column('needs', sa.JSON(), nullable=False),
    sa.Column('raw_text', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('source_msg_id', sa.String(length=64), nullable=True),
    sa.Column('voided', sa.Boolean(), nullable=False),
    sa.Column('voided_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['official_id'], ['officials.id'], name=op.f('fk_contact_records_official_id_officials')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_contact_records_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_records')),
    sa.UniqueConstraint('source_msg_id', name=op.f('uq_contact_records_source_msg_id'))
    )
    with op.batch_alter_table('contact_records', schema=None) as batch_op:
        batch_op.create_index('ix_contact_records_date', ['contact_date'], unique=False)
        batch_op.create_index('ix_contact_records_official_date', ['official_id', 'contact_date'], unique=False)
        batch_op.create_index('ix_contact_records_person_date', ['person_id', 'contact_date'], unique=False)

    op.create_table('household_bindings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('openid', sa.String(length=64), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('guardian_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('last_inbound_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['guardian_id'], ['guardians.id'], name=op.f('fk_household_bindings_guardian_id_guardians')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_household_bindings_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_bindings'))
    )
    with op.batch_alter_table('household_bindings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_bindings_openid'), ['openid'], unique=False)
        batch_op.create_index(batch_op.f('ix_household_bindings_person_id'), ['person_id'], unique=False)
        batch_op.create_index('uq_household_bindings_openid_person', ['openid', 'person_id'], unique=True)

    op.create_table('official_bindings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('openid', sa.String(length=64), nullable=False),
    sa.Column('official_id', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('last_inbound_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['official_id'], ['officials.id'], name=op.f('fk_official_bindings_official_id_officials')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_official_bindings')),
    sa.UniqueConstraint('openid', name=op.f('uq_official_bindings_openid'))
    )
    with op.batch_alter_table('official_bindings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_official_bindings_official_id'), ['official_id'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('official_id', sa.Integer(), nullable=True),
    sa.Column('openid', sa.String(length=64), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['official_id'], ['officials.id'], name=op.f('fk_outbox_official_id_officials')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbox_dedupe_key'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_official_id'), ['official_id'], unique=False)
        batch_op.create_index('ix_outbox_state_next', ['state', 'next_attempt_at'], unique=False)

    op.create_table('person_guardians',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('guardian_id', sa.Integer(), nullable=False),
    sa.Column('relation', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['guardian_id'], ['guardians.id'], name=op.f('fk_person_guardians_guardian_id_guardians')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_person_guardians_person_id_persons')),
    sa.PrimaryKeyConstraint('person_id', 'guardian_id', name=op.f('pk_person_guardians'))
    )
    op.create_table('needs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('urgency', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('owner_official_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('reporter_openid', sa.String(length=64), nullable=True),
    sa.Column('source_msg_id', sa.String(length=64), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contact_records.id'], name=op.f('fk_needs_contact_id_contact_records')),
    sa.ForeignKeyConstraint(['owner_official_id'], ['officials.id'], name=op.f('fk_needs_owner_official_id_officials')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_needs_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_needs'))
    )
    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.create_index('ix_needs_owner_status', ['owner_official_id', 'status'], unique=False)
        batch_op.create_index('ix_needs_person_status', ['person_id', 'status'], unique=False)
        batch_op.create_index('ix_needs_status_created', ['status', 'created_at'], unique=False)

    op.create_table('need_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('author', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_need_notes_need_id_needs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_need_notes'))
    )
    with op.batch_alter_table('need_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_need_notes_need_id'), ['need_id'], unique=False)

    _audit_log_append_only()


def _audit_log_append_only() -> None:
    """The audit log refuses UPDATE and DELETE at the database level."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION audit_log_refuse_change() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'audit_log is append-only';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_refuse_change()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")

    with op.batch_alter_table('need_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_need_notes_need_id'))

    op.drop_table('need_notes')
    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.drop_index('ix_needs_status_created')
        batch_op.drop_index('ix_needs_person_status')
        batch_op.drop_index('ix_needs_owner_status')

    op.drop_table('needs')
    op.drop_table('person_guardians')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_state_next')
        batch_op.drop_index(batch_op.f('ix_outbox_official_id'))

    op.drop_table('outbox')
    with op.batch_alter_table('official_bindings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_official_bindings_official_id'))

    op.drop_table('official_bindings')
    with op.batch_alter_table('household_bindings', schema=None) as batch_op:
        batch_op.drop_index('uq_household_bindings_openid_person')
        batch_op.drop_index(batch_op.f('ix_household_bindings_person_id'))
        batch_op.drop_index(batch_op.f('ix_household_bindings_openid'))

    op.drop_table('household_bindings')
    with op.batch_alter_table('contact_records', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_records_person_date')
        batch_op.drop_index('ix_contact_records_official_date')
        batch_op.drop_index('ix_contact_records_date')

    op.drop_table('contact_records')
    with op.batch_alter_table('binding_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_binding_codes_person_id'))

    op.drop_table('binding_codes')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index('uq_assignments_open', sqlite_where=sa.text('end_date IS NULL'), postgresql_where=sa.text('end_date IS NULL'))
        batch_op.drop_index('ix_assignments_person_kind')
        batch_op.drop_index(batch_op.f('ix_assignments_official_id'))

    op.drop_table('assignments')
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.drop_index('ix_persons_village_name')
        batch_op.drop_index(batch_op.f('ix_persons_village_id'))
        batch_op.drop_index(batch_op.f('ix_persons_special_hardship'))

    op.drop_table('persons')
    with op.batch_alter_table('officials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_officials_role'))
        batch_op.drop_index(batch_op.f('ix_officials_region_id'))

    op.drop_table('officials')
    op.drop_table('shared_values')
    with op.batch_alter_table('regions', schema=None) as batch_op:
        batch_op.drop_index('uq_regions_parent_name')
        batch_op.drop_index(batch_op.f('ix_regions_parent_id'))

    op.drop_table('regions')
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbound_messages_openid'))

    op.drop_table('inbound_messages')
    op.drop_table('guardians')
    op.drop_table('conversation_states')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))

    op.drop_table('audit_log')
