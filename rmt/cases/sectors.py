"""Sectors in the funders' terms: the sections A–U of the CBS Standaard Bedrijfsindeling (SBI).

The sector of origin (current or last job, at the intake), the target sector (trajectplan) and
the sector of a placement are one of these sections. Whether a section is *prioritair* in a
region follows from the reference list of sectors of the employer registry: each sector there
belongs to one SBI section, and a section is prioritair in a region when one of its sectors is.

:func:`section_from_text` is the keyword table that the data migration used to code the free
text of before; the same table is copied, frozen, into that migration.
"""

from __future__ import annotations

import re
import unicodedata

from rmt.enums import LabelledEnum


class SbiSection(LabelledEnum):
    """The 21 sections of the SBI 2008 (CBS), with their Dutch names."""

    __titles__ = {
        "A": "A Landbouw, bosbouw en visserij",
        "B": "B Delfstoffenwinning",
        "C": "C Industrie",
        "D": "D Energievoorziening",
        "E": "E Waterbedrijven en afvalbeheer",
        "F": "F Bouwnijverheid",
        "G": "G Handel",
        "H": "H Vervoer en opslag",
        "I": "I Logies-, maaltijd- en drankverstrekking",
        "J": "J Informatie en communicatie",
        "K": "K Financiële dienstverlening",
        "L": "L Verhuur en handel van onroerend goed",
        "M": "M Specialistische zakelijke diensten",
        "N": "N Verhuur en overige zakelijke diensten",
        "O": "O Openbaar bestuur en overheidsdiensten",
        "P": "P Onderwijs",
        "Q": "Q Gezondheids- en welzijnszorg",
        "R": "R Cultuur, sport en recreatie",
        "S": "S Overige dienstverlening",
        "T": "T Huishoudens als werkgever",
        "U": "U Extraterritoriale organisaties",
    }

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    F = "F"
    G = "G"
    H = "H"
    I = "I"  # noqa: E741 - the SBI's own letter
    J = "J"
    K = "K"
    L = "L"
    M = "M"
    N = "N"
    O = "O"  # noqa: E741 - the SBI's own letter
    P = "P"
    Q = "Q"
    R = "R"
    S = "S"
    T = "T"
    U = "U"


#: What a case without a coded sector shows, and the row of the monitor that counts them.
TO_CHOOSE = "sector nog kiezen"

#: Keyword (a word start, lower case, without accents) -> section. The first keyword found in
#: the text wins, in this order: the specific before the general.
KEYWORDS: tuple[tuple[str, str], ...] = (
    ("kinderopvang", "P"), ("onderwijs", "P"), ("leraar", "P"), ("school", "P"),
    ("zorg", "Q"), ("welzijn", "Q"), ("verpleeg", "Q"), ("verzorg", "Q"), ("thuiszorg", "Q"),
    ("gehandicapt", "Q"), ("ziekenhuis", "Q"),
    ("logistiek", "H"), ("transport", "H"), ("distributiecentrum", "H"), ("magazijn", "H"),
    ("warehouse", "H"), ("chauffeur", "H"), ("pakket", "H"), ("orderpick", "H"),
    ("vervoer", "H"),
    ("ict", "J"), ("software", "J"), ("developer", "J"), ("telecom", "J"),
    ("bouw", "F"), ("infra", "F"), ("timmer", "F"), ("grondwerk", "F"),
    ("horeca", "I"), ("hotel", "I"), ("restaurant", "I"), ("kok", "I"), ("bediening", "I"),
    ("detailhandel", "G"), ("winkel", "G"), ("supermarkt", "G"), ("kassa", "G"),
    ("verkoop", "G"), ("groothandel", "G"), ("handel", "G"),
    ("groen", "A"), ("agri", "A"), ("landbouw", "A"), ("tuinbouw", "A"), ("teelt", "A"),
    ("hovenier", "A"),
    ("voedsel", "C"), ("food", "C"), ("levensmiddel", "C"), ("vleesverwerk", "C"),
    ("productie", "C"), ("industrie", "C"), ("techniek", "C"), ("installatie", "C"),
    ("metaal", "C"), ("monteur", "C"),
    ("energie", "D"),
    ("afval", "E"), ("water", "E"),
    ("overheid", "O"), ("gemeente", "O"), ("handhav", "O"), ("burgerzaken", "O"),
    ("bank", "K"), ("verzeker", "K"), ("financ", "K"),
    ("accountant", "M"), ("advies", "M"), ("administratie", "M"),
    ("schoonmaak", "N"), ("facilitair", "N"), ("beveilig", "N"), ("uitzend", "N"),
    ("klantcontact", "N"), ("callcenter", "N"), ("zakelijke dienstverlening", "N"),
    ("cultuur", "R"), ("sport", "R"), ("recreatie", "R"),
    ("kapper", "S"), ("kapsalon", "S"), ("schoonheid", "S"),
)


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def section_from_text(text: str) -> SbiSection | None:
    """The SBI section a free text names, if a keyword of :data:`KEYWORDS` starts a word of
    it; None when none does (the coach picks the sector)."""
    plain = _plain(text)
    if not plain.strip():
        return None
    for keyword, letter in KEYWORDS:
        if re.search(r"(?<![a-z0-9])" + re.escape(keyword), plain):
            return SbiSection(letter)
    return None


def as_section(value: object) -> SbiSection | None:
    """A section from its letter (any case), or None for an empty value."""
    if value is None or value == "":
        return None
    if isinstance(value, SbiSection):
        return value
    try:
        return SbiSection(str(value).strip().upper())
    except ValueError:
        return None


def label(value: SbiSection | None) -> str:
    """The section's Dutch name, or :data:`TO_CHOOSE`."""
    return value.label if value is not None else TO_CHOOSE
