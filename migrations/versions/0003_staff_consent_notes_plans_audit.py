"""staff, teams, invites, consent, notes, care plans and the audit log

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 04:34:39.357660
"""

from alembic import op
import sqlalchemy as sa

import webapp.db

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', webapp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_actor_user_id'), ['actor_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_person_id'), ['person_id'], unique=False)

    op.create_table('teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('created_at', webapp.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teams')),
    sa.UniqueConstraint('name', name=op.f('uq_teams_name'))
    )
    op.create_table('staff_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.Enum('coach', 'team_lead', name='staff_role', native_enum=False, length=20), nullable=True),
    sa.Column('job_title', sa.String(length=120), nullable=True),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.Column('created_at', webapp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deactivated_at', webapp.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('totp_secret', sa.String(length=64), nullable=True),
    sa.Column('totp_enabled_at', webapp.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('totp_last_step', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_staff_members_team_id_teams')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_staff_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_members')),
    sa.UniqueConstraint('user_id', name=op.f('uq_staff_members_user_id'))
    )
    with op.batch_alter_table('staff_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_members_team_id'), ['team_id'], unique=False)

    op.create_table('care_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('what_matters', sa.Text(), nullable=True),
    sa.Column('support_agreed', sa.Text(), nullable=True),
    sa.Column('contacts', sa.Text(), nullable=True),
    sa.Column('review_on', sa.Date(), nullable=True),
    sa.Column('created_at', webapp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', webapp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['users.id'], name=op.f('fk_care_plans_person_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_care_plans_team_id_teams')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['staff_members.id'], name=op.f('fk_care_plans_updated_by_id_staff_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_plans')),
    sa.UniqueConstraint('person_id', 'team_id', name=op.f('uq_care_plans_person_id_team_id'))
    )
    with op.batch_alter_table('care_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_plans_person_id'), ['person_id'], unique=False)

    op.create_table('coach_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('annotates_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', webapp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('edited_at', webapp.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['annotates_id'], ['coach_notes.id'], name=op.f('fk_coach_notes_annotates_id_coach_notes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['staff_members.id'], name=op.f('fk_coach_notes_author_id_staff_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['users.id'], name=op.f('fk_coach_notes_person_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_coach_notes_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coach_notes'))
    )
    with op.batch_alter_table('coach_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coach_notes_annotates_id'), ['annotates_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coach_notes_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coach_notes_team_id'), ['team_id'], unique=False)

    op.create_table('invites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('person_label', sa.String(length=120), nullable=False),
    sa.Column('created_at', webapp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', webapp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', webapp.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('claimed_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', webapp.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['claimed_by_id'], ['users.id'], name=op.f('fk_invites_claimed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff_members.id'], name=op.f('fk_invites_created_by_id_staff_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_invites_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invites')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invites_token_hash'))
    )
    with op.batch_alter_table('invites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invites_team_id'), ['team_id'], unique=False)

    op.create_table('recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=255), nullable=False),
    sa.Column('used_at', webapp.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_members.id'], name=op.f('fk_recovery_codes_staff_id_staff_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes'))
    )
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_codes_staff_id'), ['staff_id'], unique=False)

    op.create_table('consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('coach_id', sa.Integer(), nullable=True),
    sa.Column('invite_id', sa.Integer(), nullable=True),
    sa.Column('wording_version', sa.String(length=20), nullable=False),
    sa.Column('granted_at', webapp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', webapp.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['coach_id'], ['staff_members.id'], name=op.f('fk_consents_coach_id_staff_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invite_id'], ['invites.id'], name=op.f('fk_consents_invite_id_invites'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['users.id'], name=op.f('fk_consents_person_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_consents_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consents'))
    )
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consents_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consents_team_id'), ['team_id'], unique=False)
        batch_op.create_index('uq_consents_active_person_team', ['person_id', 'team_id'], unique=True, sqlite_where=sa.text('withdrawn_at IS NULL'), postgresql_where=sa.text('withdrawn_at IS NULL'))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_sign_ins', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_until', webapp.db.UTCDateTime(timezone=True), nullable=True))

    _make_audit_log_append_only()


def _make_audit_log_append_only() -> None:
    """The database itself refuses to change or remove an audit event, whatever the app does."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'the audit log cannot be changed';
            END;
            $$ LANGUAGE plpgsql
        """)
        op.execute("""
            CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
            FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()
        """)
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER audit_events_no_{event.lower()} BEFORE {event} ON audit_events
                BEGIN SELECT RAISE(ABORT, 'the audit log cannot be changed'); END
            """)



def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION audit_events_append_only()")
    else:
        op.execute("DROP TRIGGER audit_events_no_update")
        op.execute("DROP TRIGGER audit_events_no_delete")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_sign_ins')

    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_index('uq_consents_active_person_team', sqlite_where=sa.text('withdrawn_at IS NULL'), postgresql_where=sa.text('withdrawn_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_consents_team_id'))
        batch_op.drop_index(batch_op.f('ix_consents_person_id'))

    op.drop_table('consents')
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_codes_staff_id'))

    op.drop_table('recovery_codes')
    with op.batch_alter_table('invites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invites_team_id'))

    op.drop_table('invites')
    with op.batch_alter_table('coach_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coach_notes_team_id'))
        batch_op.drop_index(batch_op.f('ix_coach_notes_person_id'))
        batch_op.drop_index(batch_op.f('ix_coach_notes_annotates_id'))

    op.drop_table('coach_notes')
    with op.batch_alter_table('care_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_plans_person_id'))

    op.drop_table('care_plans')
    with op.batch_alter_table('staff_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_members_team_id'))

    op.drop_table('staff_members')
    op.drop_table('teams')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_person_id'))
        batch_op.drop_index(batch_op.f('ix_audit_events_at'))
        batch_op.drop_index(batch_op.f('ix_audit_events_actor_user_id'))
        batch_op.drop_index(batch_op.f('ix_audit_events_action'))

    op.drop_table('audit_events')
