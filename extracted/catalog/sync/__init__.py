"""Filling and following the catalog: ``backfill`` copies it, ``sync`` drains the outbox."""
