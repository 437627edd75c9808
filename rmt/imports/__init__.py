"""Import from Excel and CSV: a team's existing lists brought in, with column mapping, a dry run
and nothing half-imported (docs/imports.md).

The kinds of record that can be imported are registered by their own features
(:mod:`rmt.imports.kinds`), from their ``receivers.connect()``: the import calls each feature's
own service per row, so the same rules apply as in the form and the API.
"""
