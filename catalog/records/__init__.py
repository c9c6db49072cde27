"""Bibliographic records: the model, cataloguing, duplicates and merging, import runs, what the index reads."""
