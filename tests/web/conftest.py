"""Fixtures shared by the web tests of the staff side: a team, its coach, and the coach signed in.

Test modules that need a different team or coach define their own fixtures of these names, which
take precedence over these.
"""

from __future__ import annotations

import pytest

from tests.conftest import make_staff, make_team, sign_in


@pytest.fixture
def team(app) -> int:
    return make_team(app)


@pytest.fixture
def coach(app, team) -> int:
    return make_staff(app, "casey@example.org", team_id=team, name="Casey Jones",
                      job_title="Health and wellbeing coach")


@pytest.fixture
def coach_client(app, coach):
    client = app.test_client()
    assert sign_in(client, "casey@example.org").status_code == 302
    return client
