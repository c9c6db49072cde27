"""The domain: SQLAlchemy models and rules, one package per area (records, copies, circulation,
rotation, reports, accounts, digital, jobs) beside the modules every area shares (db, errors,
text, clock, libraries, audit). Imports SQLAlchemy and the standard library only."""
