"""The PostgreSQL full-text search backend (issue 19): search documents in the catalogue's own
database (catalog.pgsearch.models), written in the same transaction as the records they show
(upkeep.py), searched with tsvector/tsquery, GIN indexes and pg_trgm (query.py)."""
