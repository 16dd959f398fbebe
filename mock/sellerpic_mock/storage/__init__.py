"""Persistence: one SQLite database (WAL) for records and a folder tree for file bytes."""
