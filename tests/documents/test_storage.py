"""The checks of an upload, without the web: type from the content, size, file name, PDF."""

from __future__ import annotations

import pytest

from rmt.documents import storage
from rmt.errors_domain import DomainError
from tests.documents.conftest import BAD, GOOD, PDF


@pytest.mark.parametrize("kind", sorted(GOOD))
def test_allowed_types_are_recognised_from_the_content(kind):
    filename, data, content_type = GOOD[kind]
    checked = storage.check(data, filename, 10_000)
    assert checked.content_type == content_type
    assert checked.filename == filename


@pytest.mark.parametrize(("name", "filename", "data", "word"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused_with_a_dutch_message_at_the_file(name, filename, data, word):
    with pytest.raises(DomainError) as refused:
        storage.check(data, filename, 100_000)
    assert refused.value.field == "file"
    assert word.lower() in refused.value.message.lower()


def test_oversized_file_is_refused():
    with pytest.raises(DomainError, match="te groot: maximaal 0,5 MB"):
        storage.check(PDF + b" " * (512 * 1024), "cv.pdf", 512 * 1024)


def test_a_renamed_file_gets_the_extension_of_its_content():
    assert storage.check(PDF, "cv.html", 10_000).filename == "cv.html.pdf"
    assert storage.check(PDF, "cv", 10_000).filename == "cv.pdf"
    assert storage.check(PDF, "CV.PDF", 10_000).filename == "CV.PDF"


def test_long_names_are_shortened_and_keep_their_extension():
    name = storage.check(PDF, "a" * 300 + ".pdf", 10_000).filename
    assert len(name) == storage.MAX_FILENAME and name.endswith("a.pdf")


def test_names_are_trimmed_and_not_left_empty():
    assert storage.check(PDF, "  cv .pdf. ", 10_000).filename == "cv.pdf"
    with pytest.raises(DomainError, match="geen naam"):
        storage.check(PDF, " .. . ", 10_000)


def test_an_openaction_without_javascript_is_allowed():
    data = PDF.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction [3 0 R /Fit]")
    assert storage.check(data, "cv.pdf", 10_000).content_type == "application/pdf"


def test_megabytes_in_dutch_notation():
    assert storage.megabytes(10 * 1024 * 1024) == "10 MB"
    assert storage.megabytes(1536 * 1024) == "1,5 MB"
