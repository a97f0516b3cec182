"""Store verbs: template, ingest, stats, migrate."""
