"""Append-only, hash-chained audit trail."""

from rmt.audit.service import record, verify_chain

__all__ = ["record", "verify_chain"]
