"""Search behind one interface (backend.py: SearchBackend, results.py: what it answers) and its
Whoosh implementation (whoosh_backend.py over analysis, schema, documents, writer, query). Imports
catalog."""
