"""indexes for reports: completed responses by questionnaire and date, scores by scale

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 05:50:00
"""

from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.create_index(
            'ix_responses_completed', ['questionnaire_id', 'authored_at'], unique=False,
            postgresql_include=['person_id', 'questionnaire_version', 'id'],
            postgresql_where=sa.text("status = 'completed'"), sqlite_where=sa.text("status = 'completed'"),
        )
    with op.batch_alter_table('scores', schema=None) as batch_op:
        batch_op.create_index('ix_scores_scale_id', ['scale_id', 'response_id'], unique=False,
                              postgresql_include=['value', 'level'])


def downgrade() -> None:
    with op.batch_alter_table('scores', schema=None) as batch_op:
        batch_op.drop_index('ix_scores_scale_id')
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_index('ix_responses_completed')
