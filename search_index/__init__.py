"""The Whoosh side: analysis, schema, documents, writer, query. Imports catalog."""
