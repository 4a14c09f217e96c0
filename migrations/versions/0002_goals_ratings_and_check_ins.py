"""goals, ratings and check-ins

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 02:13:28.104200
"""

from alembic import op
import sqlalchemy as sa

import webapp.db

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('goals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.Uuid(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('own_words', sa.Text(), nullable=True),
    sa.Column('idea_id', sa.String(length=100), nullable=True),
    sa.Column('idea_library', sa.String(length=100), nullable=True),
    sa.Column('idea_version', sa.String(length=40), nullable=True),
    sa.Column('kind', sa.Enum('behaviour', 'support', name='goal_kind', native_enum=False, length=20), nullable=False),
    sa.Column('tier', sa.Integer(), nullable=True),
    sa.Column('domain', sa.String(length=100), nullable=True),
    sa.Column('what', sa.String(length=300), nullable=True),
    sa.Column('how_much', sa.String(length=200), nullable=True),
    sa.Column('when', sa.String(length=200), nullable=True),
    sa.Column('how_often', sa.String(length=200), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('importance', sa.Integer(), nullable=True),
    sa.Column('confidence', sa.Integer(), nullable=True),
    sa.Column('in_the_way', sa.Text(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'thinking', 'active', 'paused', 'achieved', 'stopped', name='goal_status', native_enum=False, length=20), nullable=False),
    sa.Column('check_in_on', sa.Date(), nullable=True),
    sa.Column('source_response_id', sa.Integer(), nullable=True),
    sa.Column('previous_goal_id', sa.Integer(), nullable=True),
    sa.Column('created_at', webapp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', webapp.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('confidence IS NULL OR (confidence BETWEEN 0 AND 10)', name=op.f('ck_goals_confidence_0_10')),
    sa.CheckConstraint('importance IS NULL OR (importance BETWEEN 0 AND 10)', name=op.f('ck_goals_importance_0_10')),
    sa.ForeignKeyConstraint(['person_id'], ['users.id'], name=op.f('fk_goals_person_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['previous_goal_id'], ['goals.id'], name=op.f('fk_goals_previous_goal_id_goals'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_response_id'], ['responses.id'], name=op.f('fk_goals_source_response_id_responses'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goals')),
    sa.UniqueConstraint('uuid', name=op.f('uq_goals_uuid'))
    )
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goals_person_id'), ['person_id'], unique=False)

    op.create_table('check_ins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.Uuid(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Enum('done', 'partly', 'not_yet', name='check_in_outcome', native_enum=False, length=20), nullable=False),
    sa.Column('helped', sa.Text(), nullable=True),
    sa.Column('got_in_the_way', sa.Text(), nullable=True),
    sa.Column('confidence', sa.Integer(), nullable=False),
    sa.Column('next_step', sa.Enum('keep', 'smaller', 'bigger', 'stop', name='check_in_next_step', native_enum=False, length=20), nullable=False),
    sa.Column('authored_at', webapp.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', webapp.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('confidence BETWEEN 0 AND 10', name=op.f('ck_check_ins_confidence_0_10')),
    sa.ForeignKeyConstraint(['goal_id'], ['goals.id'], name=op.f('fk_check_ins_goal_id_goals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_ins')),
    sa.UniqueConstraint('uuid', name=op.f('uq_check_ins_uuid'))
    )
    with op.batch_alter_table('check_ins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_ins_goal_id'), ['goal_id'], unique=False)

    op.create_table('goal_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('importance', sa.Integer(), nullable=False),
    sa.Column('confidence', sa.Integer(), nullable=False),
    sa.Column('what', sa.String(length=300), nullable=True),
    sa.Column('rated_at', webapp.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('confidence BETWEEN 0 AND 10', name=op.f('ck_goal_ratings_confidence_0_10')),
    sa.CheckConstraint('importance BETWEEN 0 AND 10', name=op.f('ck_goal_ratings_importance_0_10')),
    sa.ForeignKeyConstraint(['goal_id'], ['goals.id'], name=op.f('fk_goal_ratings_goal_id_goals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goal_ratings'))
    )
    with op.batch_alter_table('goal_ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goal_ratings_goal_id'), ['goal_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('goal_ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goal_ratings_goal_id'))

    op.drop_table('goal_ratings')
    with op.batch_alter_table('check_ins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_ins_goal_id'))

    op.drop_table('check_ins')
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goals_person_id'))

    op.drop_table('goals')
