"""Use cases. Each takes the SQLAlchemy session it works in; views commit nothing themselves."""
