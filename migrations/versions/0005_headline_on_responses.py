"""each response's headline score and level on the response, for reports

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 06:05:00
"""

from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

responses = sa.table(
    'responses',
    sa.column('id', sa.Integer), sa.column('status', sa.String), sa.column('result', sa.JSON),
    sa.column('headline_score', sa.Float), sa.column('headline_level', sa.Integer),
)
scores = sa.table(
    'scores',
    sa.column('response_id', sa.Integer), sa.column('scale_id', sa.String),
    sa.column('value', sa.Float), sa.column('level', sa.Integer),
)


def upgrade() -> None:
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('headline_score', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('headline_level', sa.Integer(), nullable=True))
        batch_op.drop_index('ix_responses_completed')
        batch_op.create_index(
            'ix_responses_completed', ['questionnaire_id', 'person_id', 'authored_at', 'id'], unique=False,
            postgresql_include=['headline_score', 'headline_level'],
            postgresql_where=sa.text("status = 'completed'"), sqlite_where=sa.text("status = 'completed'"),
        )
    _fill_in_headlines()


def _fill_in_headlines() -> None:
    """What ``webapp.domain.results.headline`` gives, for every response completed so far: the
    headline scale's score and level, else the capability index, else the first scale."""
    completed = responses.c.status == 'completed'
    headline_scale = responses.c.result['headline'].as_string()

    def score_of(column, scale_id):
        return (sa.select(column).where(scores.c.response_id == responses.c.id, scores.c.scale_id == scale_id)
                .scalar_subquery())

    op.execute(responses.update().where(completed, headline_scale.is_not(None)).values(
        headline_score=score_of(scores.c.value, headline_scale),
        headline_level=score_of(scores.c.level, headline_scale),
    ))
    op.execute(responses.update().where(completed, headline_scale.is_(None)).values(
        headline_score=score_of(scores.c.value, 'capability-index'),
    ))
    # The rest (no headline scale and no capability profile): rare, so read them one by one.
    from webapp.domain.results import headline
    from webapp.domain.scoring import ScoreResult

    bind = op.get_bind()
    rest = bind.execute(sa.select(responses.c.id, responses.c.result).where(
        completed, responses.c.headline_score.is_(None), headline_scale.is_(None),
        score_of(scores.c.value, 'capability-index').is_(None),
    )).all()
    for response_id, result in rest:
        summary = headline(ScoreResult.from_dict(result)) if result else None
        if summary is not None and summary.value is not None:
            bind.execute(responses.update().where(responses.c.id == response_id).values(
                headline_score=summary.value, headline_level=summary.level))


def downgrade() -> None:
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_index('ix_responses_completed')
        batch_op.create_index(
            'ix_responses_completed', ['questionnaire_id', 'authored_at'], unique=False,
            postgresql_include=['person_id', 'questionnaire_version', 'id'],
            postgresql_where=sa.text("status = 'completed'"), sqlite_where=sa.text("status = 'completed'"),
        )
        batch_op.drop_column('headline_level')
        batch_op.drop_column('headline_score')
