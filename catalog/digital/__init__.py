"""Digital objects (scans, PDFs), their pages and page text, and the licence rule."""
