"""Scanned material in: page images, PDFs and ZIPs become digital objects with pages, derivatives
and OCR text. The only place that imports Pillow and pypdfium2 and runs tesseract."""
