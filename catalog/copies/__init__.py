"""Physical copies: the model, barcodes, status and location changes by staff."""
