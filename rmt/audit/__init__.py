"""Append-only, hash-chained audit trail."""

from rmt.audit.service import record, record_list_view, record_many, verify_chain

__all__ = ["record", "record_list_view", "record_many", "verify_chain"]
