"""Never imported: a list of msgids for ``pybabel extract``.

Some Dutch text lives in plain dicts and strings that are translated only where a template
shows them (``_(title)`` in errors/error.html, ``_(current_user.role.label)`` in base.html,
form-level errors, field labels and flashed messages via the escaping lookup in _forms.html and
base.html). The extractor cannot see those, so they are repeated here, marked with ``N_``.
tests/test_i18n.py fails when one of them changes in the code but not here.
"""


def N_(message: str) -> str:
    return message


# rmt/errors.py: TITLES, the fallback title, EXPLANATIONS and the CSRF explanation
N_("Verzoek niet te verwerken")
N_("Niet aangemeld")
N_("Geen toegang")
N_("Pagina niet gevonden")
N_("Methode niet toegestaan")
N_("Conflict")
N_("Verzoek te groot")
N_("Verkeerd formaat")
N_("Invoer onjuist")
N_("Te veel verzoeken")
N_("Er ging iets mis")
N_("Tijdelijk niet beschikbaar")
N_("Fout")
N_("Het verzoek kon niet worden verwerkt. Controleer de invoer en probeer het opnieuw.")
N_("U bent niet aangemeld.")
N_("De database is even niet bereikbaar of te druk. Uw wijziging is niet opgeslagen. "
   "Probeer het over enkele seconden opnieuw.")
N_("Dit conflicteert met gegevens die intussen door iemand anders zijn opgeslagen. Er is niets "
   "opgeslagen; haal de gegevens opnieuw op en probeer het nog eens.")
N_("U hebt geen toegang tot deze pagina.")
N_("De pagina bestaat niet of u hebt er geen toegang toe.")
N_("Deze actie is op deze pagina niet mogelijk.")
N_("De gegevens zijn intussen gewijzigd of de actie is nu niet toegestaan.")
N_("Het verzoek is groter dan toegestaan (maximaal 1 MB).")
N_("Het verzoek heeft een formaat dat niet wordt ondersteund.")
N_("De invoer is niet juist.")
N_("U hebt te veel verzoeken gedaan. Wacht even en probeer het opnieuw.")
N_(
    "Er ging aan onze kant iets mis. Uw wijziging is niet opgeslagen. "
    "Probeer het later opnieuw."
)
N_(
    "Het formulier is verlopen of ongeldig. Laad de pagina opnieuw en probeer het "
    "nog eens; uw invoer is niet opgeslagen."
)

# rmt/auth/models.py: ROLE_LABELS
N_("Loopbaancoach")
N_("Werkgeversadviseur")
N_("Regiocoördinator")
N_("Functioneel beheerder")

# Sign-in: LoginForm labels (rmt/auth/forms.py), the wrong-credentials error
# (rmt/auth/views.py) and Flask-Login's login_message (rmt/__init__.py)
N_("E-mailadres")
N_("Wachtwoord")
N_("Het e-mailadres of het wachtwoord klopt niet. Na een aantal mislukte pogingen moet u "
   "steeds iets langer wachten voordat een nieuwe poging wordt gecontroleerd (hooguit een "
   "kwartier).")
N_("Log in met het account van uw organisatie (de knop hieronder). Inloggen met een "
   "RMT-wachtwoord is alleen nog mogelijk voor de functioneel beheerder.")
N_("Log in om deze pagina te bekijken.")
