"""Copy cataloguing: the catalogues we copy records from (targets) and saving a copied record with
its source. The protocol clients (SRU, Z39.50) live in ingest/copycat."""
