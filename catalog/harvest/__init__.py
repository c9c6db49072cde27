"""Harvesting partners over OAI-PMH: sources, runs, and which record came from which source."""
