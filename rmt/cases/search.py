"""Finding a candidate or a case: by name, e-mail address, phone number or case number.

Every candidate keeps ``search_text``: first name, prefix, last name, e-mail address and phone
number, lowercased and without accents (:func:`search_text_of`). The services that write those
fields refresh it (registration, editing, import through the same services, anonymisation, the
demo seed); the migration ``c41e9a7b3d58`` filled it for existing rows.

A query matches when every word of it occurs somewhere in that text (a contains-match, as
before), accents and case ignored on both sides. The index behind it:

- PostgreSQL: a trigram GIN index (``pg_trgm``) on ``candidate.search_text``, which serves
  ``LIKE '%word%'`` directly;
- SQLite: the FTS5 table ``candidate_fts`` (trigram tokenizer, external content on
  ``candidate``, kept in step by triggers), queried with a phrase per word of three or more
  characters; shorter words fall back to ``LIKE`` on the column.

A case number finds its case: ``301``, ``Traject 301``, ``traject-301``, ``T-301``, ``#301``
or ``nr. 301``. A bare number also searches the text (a phone number); the case with that
number is then listed first (:func:`number_first`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa

from rmt.cases.models import Candidate, Case
from rmt.extensions import db

#: Longest search text kept (the five fields it is made of are at most 494 characters).
SEARCH_TEXT_LENGTH = 600
MAX_TERMS = 6

# Letters that Unicode does not decompose into a base letter plus an accent.
_FOLD = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "ı": "i", "ŧ": "t",
                       "æ": "ae", "œ": "oe", "ß": "ss", "þ": "th", "ð": "d"})
#: "Traject 301", "traject-301", "T-301", "#301", "nr. 301", "trajectnummer 301".
_EXPLICIT_NUMBER = re.compile(
    r"(?:(?:traject(?:nummer)?|nr\.?|t)\s*[-:#.]?\s*|#)(\d{1,9})", re.IGNORECASE)
_BARE_NUMBER = re.compile(r"\d{1,9}")
_PHONE_SEPARATORS = re.compile(r"[\s\-().]")
_PHONE = re.compile(r"\+?\d{3,15}")
#: The shortest word the trigram index can find (shorter words are matched with LIKE).
TRIGRAM = 3


def normalise(text: str | None) -> str:
    """Lowercase, without accents, single spaces: what is stored and what is searched."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_FOLD)
    return " ".join(plain.split())


def search_text_of(first_name: str | None, name_prefix: str | None, last_name: str | None,
                   email: str | None, phone: str | None) -> str:
    """The ``candidate.search_text`` of these details."""
    return normalise(" ".join((first_name or "", name_prefix or "", last_name or "",
                               email or "", phone or "")))[:SEARCH_TEXT_LENGTH]


def refresh(candidate: Candidate) -> None:
    """Recompute the candidate's search text after its name or contact details changed."""
    candidate.search_text = search_text_of(candidate.first_name, candidate.name_prefix,
                                           candidate.last_name, candidate.email,
                                           candidate.phone)


@dataclass(frozen=True)
class ParsedQuery:
    #: Normalised words; every one must occur in the search text.
    terms: tuple[str, ...] = ()
    #: Digits of a phone number typed with spaces or dashes ("06-1234 5678"), else "".
    phone: str = ""
    #: The case number the query names, if any.
    case_number: int | None = None
    #: The query is only a case number ("Traject 301"): no text search.
    number_only: bool = False

    @property
    def empty(self) -> bool:
        return not self.terms and not self.phone and self.case_number is None


def parse(q: str | None) -> ParsedQuery:
    """What the user typed, as words, phone digits and a case number."""
    q = (q or "").strip()
    if not q:
        return ParsedQuery()
    explicit = _EXPLICIT_NUMBER.fullmatch(q)
    if explicit:
        return ParsedQuery(case_number=int(explicit[1]), number_only=True)
    number = int(q) if _BARE_NUMBER.fullmatch(q) else None
    digits = _PHONE_SEPARATORS.sub("", q)
    phone = digits if _PHONE.fullmatch(digits) and digits != q else ""
    return ParsedQuery(terms=tuple(normalise(q).split()[:MAX_TERMS]), phone=phone,
                       case_number=number)


def _is_sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def _contains(term: str) -> sa.ColumnElement[bool]:
    """``search_text`` contains ``term``. On PostgreSQL the pattern is written into the
    statement as a quoted literal (SQLAlchemy's ``literal_execute``), not sent as a parameter:
    psycopg prepares a statement used five times, and the generic plan of a prepared statement
    cannot use the trigram index for a pattern it does not know (a search took 180 instead of 60
    ms under load). Each pattern is its own statement, planned for that pattern."""
    if _is_sqlite():
        return Candidate.search_text.contains(term, autoescape=True)
    escaped = term.replace("/", "//").replace("%", "/%").replace("_", "/_")
    pattern = sa.bindparam(None, f"%{escaped}%", type_=sa.String, literal_execute=True)
    return Candidate.search_text.like(pattern, escape="/")


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _all_terms(terms: tuple[str, ...], candidate_id: sa.ColumnElement[int]
               ) -> sa.ColumnElement[bool]:
    """Every term occurs in ``candidate.search_text`` (through the engine's index).

    For another column than ``candidate.id`` (``case_file.candidate_id`` in the case list) the
    match is a subquery on that column, never an OR across two tables: the few candidate ids
    it yields then drive the query through that column's index (PostgreSQL: a semi-join from
    the trigram index; SQLite: the FTS5 rowids), instead of walking every case of the region."""
    fts_ids = None
    conditions = []
    for term in terms:
        if _is_sqlite() and len(term) >= TRIGRAM:
            continue
        conditions.append(_contains(term))
    long_terms = [t for t in terms if len(t) >= TRIGRAM]
    if _is_sqlite() and long_terms:
        fts = sa.table("candidate_fts", sa.column("rowid"))
        fts_ids = sa.select(fts.c.rowid).where(
            sa.literal_column("candidate_fts").op("MATCH")(
                " AND ".join(_fts_phrase(t) for t in long_terms)))
    if candidate_id is Candidate.id:
        if fts_ids is not None:
            conditions.insert(0, Candidate.id.in_(fts_ids))
        return sa.and_(*conditions)
    if fts_ids is not None and not conditions:
        return candidate_id.in_(fts_ids)
    if fts_ids is not None:
        conditions.insert(0, Candidate.id.in_(fts_ids))
    return candidate_id.in_(sa.select(Candidate.id).where(*conditions))


def candidate_condition(parsed: ParsedQuery, candidate_id: sa.ColumnElement[int] | None = None
                        ) -> sa.ColumnElement[bool] | None:
    """Candidates whose text matches (words, or the phone number typed with separators);
    ``candidate_id`` is the column that names the candidate (default ``candidate.id``)."""
    column = Candidate.id if candidate_id is None else candidate_id
    alternatives = []
    if parsed.terms:
        alternatives.append(_all_terms(parsed.terms, column))
    if parsed.phone:
        alternatives.append(_all_terms((parsed.phone,), column))
    if not alternatives:
        return None
    return alternatives[0] if len(alternatives) == 1 else sa.or_(*alternatives)


def case_condition(q: str | ParsedQuery) -> sa.ColumnElement[bool] | None:
    """Cases matching ``q`` by their candidate's text or by their number (the case list, the
    API list and the header search). Region scoping is the caller's (``rmt.access.scoped``)."""
    parsed = q if isinstance(q, ParsedQuery) else parse(q)
    if parsed.empty:
        return None
    by_number = Case.id == parsed.case_number if parsed.case_number is not None else None
    if parsed.number_only:
        return by_number
    by_text = candidate_condition(parsed, Case.candidate_id)
    if by_number is None:
        return by_text
    if by_text is None:
        return by_number
    if _is_sqlite():  # SQLite reads each side of the OR from its own index (MULTI-INDEX OR)
        return sa.or_(by_number, by_text)
    # PostgreSQL filters every case of the region with an OR across the case's id and its
    # candidate; a union of the two id lists is a semi-join driven by those few ids.
    return Case.id.in_(sa.union_all(sa.select(sa.literal(parsed.case_number, sa.Integer)),
                                    sa.select(Case.id).where(by_text)))


def number_first(q: str | ParsedQuery) -> sa.ColumnElement | None:
    """An ORDER BY term that puts the case with the number typed before the text matches."""
    parsed = q if isinstance(q, ParsedQuery) else parse(q)
    if parsed.case_number is None or parsed.number_only:
        return None
    return sa.case((Case.id == parsed.case_number, 0), else_=1)
