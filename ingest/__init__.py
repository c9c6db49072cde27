"""Getting material in: MARC (the only place that imports pymarc), scans and OCR. Imports catalog."""
