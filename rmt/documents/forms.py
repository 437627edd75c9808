"""The upload, replace and delete forms. Dutch messages; the checks of the content are in
:mod:`rmt.documents.storage` (through the service)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField

from rmt.documents.models import DocumentKind
from rmt.forms import max_length, required
from rmt.web.forms import Choice, FormMixin

FILE_HELP = ("PDF, PNG, JPEG, Word (DOCX), Excel (XLSX) of OpenDocument-tekst (ODT), "
             "hoogstens {limit}.")


class UploadForm(FormMixin, FlaskForm):
    kind = Choice("Soort document", choices=[("", "Kies het soort"), *DocumentKind.choices()],
                  validators=[required("Kies het soort document.")])
    file = FileField("Bestand", validators=[FileRequired("Kies een bestand.")])


class VersionForm(FormMixin, FlaskForm):
    file = FileField("Nieuwe versie", validators=[FileRequired("Kies een bestand.")])


class DeleteForm(FormMixin, FlaskForm):
    reason = StringField("Reden van verwijderen",
                         validators=[required("Geef een reden waarom het document wordt "
                                              "verwijderd."), max_length(500)],
                         description="Het document verdwijnt uit de lijst; het blijft "
                                     "bewaard tot de bewaartermijn verstrijkt.")
