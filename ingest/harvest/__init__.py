"""Dublin Core files and OAI-PMH harvesting: reading, mapping to MARC, the HTTP client."""
