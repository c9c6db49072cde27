"""MARC21 in and out: reading ISO 2709 and MARCXML, mapping to records, duplicates, export."""
