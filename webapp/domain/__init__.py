"""Capable's pure domain layer: questionnaire definitions, scoring and the capability profile.

Nothing in this package imports Flask or touches a database. It depends only on the standard
library, PyYAML and jsonschema, so it can be tested on its own and reused by command-line tools.

- :mod:`webapp.domain.questionnaires`: the definition model, the YAML loader and its checks,
  answer parsing and ``enable_when``.
- :mod:`webapp.domain.scoring`: the scoring engine (sum, mean, value sets, lookup tables, cut
  points, levels and bands).
- :mod:`webapp.domain.capability`: the capability profile (priority, barrier, choice, strength)
  and Capable's provisional capability index.
"""
