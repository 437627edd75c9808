"""Running an import: read, map, check every row through the kind's own service, and either
keep everything (one unit of work) or nothing.

A dry run does exactly what the import does, inside a savepoint that is rolled back at the
end: the same rules, duplicates and counts, and nothing written. An import with any row in
error writes nothing either (all or nothing); its report names every row and column.

Kinds with a :class:`rmt.imports.kinds.RowBatch` (candidates) check their new rows against
look-ups made once for the file and write them together at the end, so 10,000 rows take a
few dozen queries instead of twenty per row; a dry run of such rows checks and writes nothing.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import current_app
from openpyxl import Workbook

from rmt import audit, exports
from rmt.access import Action, allowed_regions, require, scoped
from rmt.auth.models import Role, User
from rmt.enums import label_of
from rmt.errors_domain import DomainError, NotFound
from rmt.extensions import db
from rmt.imports import kinds
from rmt.imports.files import read_table
from rmt.imports.kinds import CREATED, UPDATED, ImportKind
from rmt.imports.models import ImportMapping, ImportRecord, ImportRun
from rmt.regions import REGION_CODES

PREVIEW_ROWS = 5
REFUSED = "U mag geen gegevens importeren."


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    kind: str
    region_code: str
    filename: str
    sha256: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    preview: list[list[str]] = field(default_factory=list)
    preview_headings: list[str] = field(default_factory=list)
    run_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts_text(self) -> str:
        verb = "zou" if self.dry_run else ""
        text = (f"{self.rows} rijen: {self.created} nieuw, {self.updated} bijgewerkt, "
                f"{self.skipped} overgeslagen (bestaan al), {len(self.errors)} fouten")
        return f"{text} ({verb} niets opgeslagen)".replace(" ()", "") if self.dry_run else text


def get_kind(name: str) -> ImportKind:
    kind = kinds.get(name)
    if kind is None:
        raise NotFound("Deze soort import bestaat niet.")
    return kind


def importable_regions(user: User) -> list[str]:
    """The regions ``user`` may import into: their own (rmt.access); the admin, who has no
    regions of their own, any."""
    if user.role == Role.ADMIN:
        return list(REGION_CODES)
    allowed = allowed_regions(user, Action.IMPORT_DATA)
    return [code for code in REGION_CODES if code in allowed]


def check_region(user: User, region_code: str) -> None:
    require(user, Action.IMPORT_DATA, message=REFUSED)
    if region_code not in importable_regions(user):
        raise DomainError("U kunt alleen importeren in uw eigen regio.", field="region_code")


def limits() -> tuple[int, int]:
    return (current_app.config["RMT_IMPORT_MAX_ROWS"], current_app.config["RMT_IMPORT_MAX_BYTES"])


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------------------------------------
# Mapping


def saved_mapping(region_code: str, kind: ImportKind) -> ImportMapping | None:
    return db.session.scalar(sa.select(ImportMapping).where(
        ImportMapping.region_code == region_code, ImportMapping.kind == kind.name))


def initial_mapping(kind: ImportKind, headings: list[str], region_code: str) -> dict[str, int]:
    """The region's saved mapping where its headings occur in this file, else automatic."""
    mapping = kinds.auto_mapping(kind, headings)
    saved = saved_mapping(region_code, kind)
    if saved is not None:
        for column, heading in saved.columns.items():
            if kind.column(column) is None:
                continue
            if heading == "":
                mapping.pop(column, None)
            elif heading in headings:
                mapping[column] = headings.index(heading)
    return mapping


def save_mapping(user: User, region_code: str, kind: ImportKind, headings: list[str],
                 mapping: dict[str, int]) -> ImportMapping:
    """Remember the mapping for the region (by heading text), for the next file."""
    check_region(user, region_code)
    record = saved_mapping(region_code, kind) or ImportMapping(region_code=region_code,
                                                               kind=kind.name)
    record.columns = {c.name: headings[mapping[c.name]] if c.name in mapping else ""
                      for c in kind.columns}
    record.saved_by_id = user.id
    db.session.add(record)
    db.session.flush()
    audit.record("import.mapping_save", object_type="import_mapping", object_id=record.id,
                 region_code=region_code, summary=kind.name, user=user)
    return record


def check_mapping(kind: ImportKind, headings: list[str], mapping: dict[str, int]) -> None:
    for name, index in mapping.items():
        if kind.column(name) is None or not 0 <= index < len(headings):
            raise DomainError("Deze koppeling past niet bij het bestand.", field=name)
    missing = [c.heading for c in kind.columns if c.required and c.name not in mapping]
    if missing:
        raise DomainError("Koppel een kolom aan: " + ", ".join(missing) + ".",
                          field="mapping", code="mapping_incomplete")


# ---------------------------------------------------------------------------------------------
# The run


def run_import(user: User, kind: ImportKind, region_code: str, filename: str, data: bytes, *,
               mapping: dict[str, int] | None = None, dry_run: bool = True,
               update: bool = False) -> ImportResult:
    """Check (dry run) or import a file. Raises DomainError when the file or mapping as a whole
    is refused; row problems are in the result's ``errors``. With ``update``, rows whose key
    was imported before update that record (when the kind offers it) instead of being skipped.

    All or nothing: the rows run in one savepoint, released only when no row failed and this is
    not a dry run (each row in a savepoint of its own, so one refusal leaves nothing of it)."""
    check_region(user, region_code)
    max_rows, max_bytes = limits()
    table = read_table(filename, data, max_rows=max_rows, max_bytes=max_bytes)
    if mapping is None:
        mapping = initial_mapping(kind, table.headings, region_code)
    check_mapping(kind, table.headings, mapping)
    run = _Run(user, kind, region_code, mapping, update, ImportResult(
        kind=kind.name, region_code=region_code, filename=filename, sha256=sha256(data),
        dry_run=dry_run, rows=len(table.rows)))
    with kinds.run_cache(), db.session.begin_nested() as rows_savepoint:
        parsed = [(number, *run.parse(cells)) for number, cells in table.rows]
        if kind.batch is not None:
            run.batch = kind.batch(user, region_code,
                                   [values for _n, values, errors in parsed if not errors])
        for number, values, cell_errors in parsed:
            run.row(number, values, cell_errors)
        if not (dry_run or run.result.errors):
            run.write_batch()
        if dry_run or run.result.errors:
            rows_savepoint.rollback()
            return run.result
    run.result.run_id = _record_run(user, kind, region_code, table.headings, mapping, run.result,
                                    run.made)
    return run.result


class _Run:
    """One pass over the rows of a file: parse, check the key, apply, count."""

    def __init__(self, user: User, kind: ImportKind, region_code: str, mapping: dict[str, int],
                 update: bool, result: ImportResult) -> None:
        self.user, self.kind, self.region_code, self.update = user, kind, region_code, update
        self.mapping, self.result = mapping, result
        self.mapped = [c for c in kind.columns if c.name in mapping]
        result.preview_headings = [c.heading for c in self.mapped]
        self.made: list[tuple[int, str | None, kinds.RowOutcome]] = []
        self.seen_keys: dict[str, int] = {}
        self.existing_keys = _existing_keys(kind, region_code)
        self.batch: kinds.RowBatch | None = None
        self.batched: list[tuple[int, str | None]] = []

    def parse(self, cells: list[Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        values, cell_errors = _parse_row(self.kind, self.mapped, self.mapping, cells)
        self._preview(cells, values)
        return values, cell_errors

    def row(self, number: int, values: dict[str, Any],
            cell_errors: list[tuple[str, str]]) -> None:
        if cell_errors:
            self.result.errors.extend(RowError(number, column, message)
                                      for column, message in cell_errors)
            return
        key = (str(values[self.kind.key])
               if self.kind.key and values.get(self.kind.key) else None)
        if not self._key_is_new(number, key):
            return
        outcome = self._apply(number, key, values)
        if outcome is not None:
            self._count(number, key, outcome)

    def _preview(self, cells: list[Any], values: dict[str, Any]) -> None:
        if len(self.result.preview) >= PREVIEW_ROWS:
            return
        self.result.preview.append([
            _display(cells[self.mapping[c.name]]
                     if c.name.endswith("_id") and c.name in values
                     and self.mapping[c.name] < len(cells) else values.get(c.name))
            for c in self.mapped])

    def _key_is_new(self, number: int, key: str | None) -> bool:
        """False (and recorded) for a key seen earlier in the file or, without ``update``,
        imported before."""
        if key is None:
            return True
        if key in self.seen_keys:
            self.result.errors.append(RowError(
                number, self.kind.column(self.kind.key).heading,
                f"Staat al in dit bestand (rij {self.seen_keys[key]})."))
            return False
        self.seen_keys[key] = number
        if key in self.existing_keys and not (self.update and self.kind.update_row):
            self.result.skipped += 1
            return False
        return True

    def _apply(self, number: int, key: str | None,
               values: dict[str, Any]) -> kinds.RowOutcome | None:
        try:
            if key is not None and key in self.existing_keys:
                with db.session.begin_nested():
                    return self.kind.update_row(self.user, self.region_code, values,
                                                self.existing_keys[key])
            if self.batch is not None:
                outcome = self.batch.check(values)
                self.batched.append((number, key))
                return outcome
            with db.session.begin_nested():
                return self.kind.apply_row(self.user, self.region_code, values)
        except DomainError as error:
            self._refused(number, error)
            return None

    def _refused(self, number: int, error: DomainError) -> None:
        column = self.kind.column(error.field) if error.field else None
        self.result.errors.append(RowError(number, column.heading if column else "",
                                           error.message))

    def write_batch(self) -> None:
        """Write the rows the batch accepted (an import without errors)."""
        if self.batch is None or not self.batched:
            return
        try:
            outcomes = self.batch.write()
        except kinds.RowRefused as refused:
            self._refused(self.batched[refused.position][0], refused.error)
            return
        for (number, key), outcome in zip(self.batched, outcomes, strict=True):
            if outcome.object_id is not None:
                self.made.append((number, key, outcome))

    def _count(self, number: int, key: str | None, outcome: kinds.RowOutcome) -> None:
        if outcome.action == CREATED:
            self.result.created += 1
            if outcome.object_id is not None:
                self.made.append((number, key, outcome))
        elif outcome.action == UPDATED:
            self.result.updated += 1
        else:
            self.result.skipped += 1


def _existing_keys(kind: ImportKind, region_code: str) -> dict[str, int]:
    """Key → id of the record imported under it (the latest) in this region."""
    if not kind.key:
        return {}
    rows = db.session.execute(sa.select(ImportRecord.key, ImportRecord.object_id).where(
        ImportRecord.kind == kind.name, ImportRecord.region_code == region_code,
        ImportRecord.key.is_not(None)).order_by(ImportRecord.id))
    return {key: object_id for key, object_id in rows}


def _parse_row(kind: ImportKind, mapped: list[kinds.Column], mapping: dict[str, int],
               cells: list[Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    values: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    for column in mapped:
        index = mapping[column.name]
        raw = cells[index] if index < len(cells) else None
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if column.required:
                errors.append((column.heading, "Dit veld is verplicht."))
            continue
        try:
            values[column.name] = column.parse(raw)
        except DomainError as error:
            errors.append((column.heading, error.message))
    return values, errors


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, date):
        return f"{value:%d-%m-%Y}"
    return label_of(value)


def _record_run(user: User, kind: ImportKind, region_code: str, headings: list[str],
                mapping: dict[str, int], result: ImportResult,
                made: list[tuple[int, str | None, kinds.RowOutcome]]) -> int:
    run = ImportRun(region_code=region_code, kind=kind.name, user_id=user.id,
                    filename=result.filename[:255], sha256=result.sha256, row_count=result.rows,
                    created_count=result.created, updated_count=result.updated,
                    skipped_count=result.skipped,
                    mapping={name: headings[index] for name, index in mapping.items()})
    db.session.add(run)
    db.session.flush()
    if made:
        db.session.execute(sa.insert(ImportRecord), [
            {"run_id": run.id, "region_code": region_code, "kind": kind.name, "key": key,
             "row_number": number, "object_type": outcome.object_type,
             "object_id": outcome.object_id}
            for number, key, outcome in made])
    audit.record("import.run", object_type="import_run", object_id=run.id,
                 region_code=region_code, user=user,
                 summary=f"{kind.name}: {result.created} nieuw, {result.updated} bijgewerkt, "
                         f"{result.skipped} overgeslagen; sha256 {result.sha256[:16]}")
    return run.id


# ---------------------------------------------------------------------------------------------
# Templates, reports, runs


def csv_template(kind: ImportKind) -> str:
    """The header row of a kind as CSV (no BOM: the CLI prints it; the download adds one)."""
    return exports.csv_text([kind.headings], bom=False)


def xlsx_template(kind: ImportKind) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = kind.title[:31]
    sheet.append(kind.headings)
    sheet.append([c.example for c in kind.columns])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def error_report(errors: list[dict[str, Any]] | list[RowError]) -> str:
    """The errors as CSV (;, BOM, every cell made safe), for Excel: rij, kolom, melding."""
    rows = (error if isinstance(error, dict) else error.__dict__ for error in errors)
    return exports.csv_text([["rij", "kolom", "melding"],
                             *([row["row"], row["column"], row["message"]] for row in rows)])


def visible_runs(user: User) -> sa.Select:
    """Import runs ``user`` may see: the admin every run; coordinators the runs of their regions;
    a coach or a liaison their own runs (in their regions, through :func:`rmt.access.scoped`)."""
    query = sa.select(ImportRun)
    if user.role == Role.ADMIN:
        return query
    query = scoped(query, user, ImportRun, Action.IMPORT_DATA)
    if user.role != Role.COORDINATOR:
        query = query.where(ImportRun.user_id == user.id)
    return query


def runs_for(user: User) -> list[ImportRun]:
    """The newest import runs ``user`` may see (:func:`visible_runs`)."""
    return list(db.session.scalars(visible_runs(user).order_by(
        ImportRun.at.desc(), ImportRun.id.desc()).limit(100)))


def get_run(user: User, run_id: int) -> ImportRun | None:
    """One import run ``user`` may see, or None (the caller answers 404)."""
    return db.session.scalar(visible_runs(user).where(ImportRun.id == run_id))
