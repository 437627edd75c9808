"""Documents attached to a case, voucher, praktijkverklaring or placement (see docs/documents.md).

The content lives in the database (``document_blob``), one row per version; the owner of a
document is a generic ``(owner_type, owner_id)`` whose types are registered in
:mod:`rmt.documents.owners` when the app starts.
"""
