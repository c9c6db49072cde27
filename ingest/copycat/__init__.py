"""Copy cataloguing as a client: SRU and Z39.50 searches of other catalogues, each run in a child
process with a hard time limit (worker.py), their records read into drafts by ingest/marc."""
