"""The tables of the PostgreSQL search backend (search_index.postgresql)."""
