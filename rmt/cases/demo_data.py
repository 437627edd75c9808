"""Word lists for the demo cases (rmt.cases.demo): postcodes per gemeente and Dutch texts.

Plain data only. Texts read like short real coaching notes; ``{first}``, ``{sector}``,
``{occupation}`` and ``{referrer}`` are filled in per case.
"""

from __future__ import annotations

from rmt.cases.models import NoteKind
from rmt.process import CaseState, ExitReason

#: Plausible four-digit postcode areas per gemeente, and a rough population weight (thousands).
POSTCODE_AREAS: dict[str, tuple[tuple[int, ...], int]] = {
    # Midden-Utrecht
    "Bunnik": ((3981, 3984, 3985), 15),
    "De Bilt": ((3721, 3722, 3723, 3731, 3732, 3737, 3738), 43),
    "De Ronde Venen": ((3641, 3642, 3645, 3646, 3648), 45),
    "Houten": ((3991, 3992, 3993, 3994, 3995, 3998), 50),
    "IJsselstein": ((3401, 3402, 3403, 3404), 34),
    "Lopik": ((3411, 3412, 3413), 14),
    "Montfoort": ((3417, 3461), 14),
    "Nieuwegein": (tuple(range(3431, 3439)), 64),
    "Oudewater": ((3421,), 10),
    "Stichtse Vecht": ((3601, 3602, 3603, 3604, 3605, 3606, 3621, 3632), 65),
    "Utrecht": (tuple(range(3511, 3586)), 370),
    "Utrechtse Heuvelrug": ((3941, 3945, 3951, 3956, 3958, 3971, 3972), 50),
    "Vijfheerenlanden": ((4131, 4132, 4133, 4141, 4142), 58),
    "Wijk bij Duurstede": ((3961, 3962), 24),
    "Woerden": ((3441, 3442, 3443, 3444, 3445, 3446, 3447), 53),
    "Zeist": ((3701, 3702, 3703, 3704, 3705, 3706, 3707, 3708, 3709), 66),
    # Regio Amersfoort
    "Amersfoort": (tuple(range(3811, 3830)), 160),
    "Baarn": ((3741, 3742, 3743, 3744), 25),
    "Bunschoten": ((3751, 3752, 3754), 22),
    "Leusden": ((3831, 3832, 3833), 31),
    "Soest": ((3761, 3762, 3763, 3764, 3766, 3768, 3769), 47),
    "Woudenberg": ((3931,), 14),
    # Gooi- en Vechtstreek
    "Blaricum": ((1261, 1262), 12),
    "Eemnes": ((3755,), 9),
    "Gooise Meren": ((1398, 1401, 1402, 1403, 1404, 1405, 1406, 1411, 1412), 59),
    "Hilversum": (tuple(range(1211, 1224)), 92),
    "Huizen": ((1271, 1272, 1273, 1274, 1275, 1276, 1277), 42),
    "Laren": ((1251,), 11),
    "Wijdemeren": ((1231, 1241, 1243, 1244, 1394), 24),
    # Foodvalley
    "Barneveld": ((3771, 3772, 3773, 3774, 3781), 62),
    "Ede": ((6711, 6712, 6713, 6714, 6715, 6716, 6717, 6718, 6721, 6741), 120),
    "Nijkerk": ((3861, 3862, 3863, 3864), 45),
    "Renswoude": ((3927,), 6),
    "Rhenen": ((3911, 3921), 20),
    "Scherpenzeel": ((3925,), 10),
    "Veenendaal": ((3901, 3902, 3903, 3904, 3905, 3906, 3907), 68),
    "Wageningen": ((6701, 6702, 6703, 6704, 6705, 6706, 6708), 40),
}

#: For a gemeente the admin added later: one area per region (e.g. Utrecht 35xx).
REGION_POSTCODE_AREAS: dict[str, tuple[int, ...]] = {
    "MU": (3511, 3521, 3531), "AM": (3811, 3821), "GV": (1211, 1221), "FV": (6711, 6717),
}

#: Area code for the few landline numbers.
REGION_AREA_CODES = {"MU": "030", "AM": "033", "GV": "035", "FV": "0318"}

#: Extra demo coaches, so caseloads differ: ``coach2.<region>`` and ``coach3.<region>``.
EXTRA_COACHES: dict[str, tuple[str, str]] = {
    "MU": ("Ilse van Leeuwen", "Mohamed Bouzid"),
    "AM": ("Kees Hoekstra", "Marloes Verbeek"),
    "GV": ("Anouk Brouwer", "Ruben Kramer"),
    "FV": ("Gerrit van de Pol", "Samira Haddou"),
}

#: Neighbouring region a person typically moves to.
NEIGHBOUR_REGIONS = {"MU": ("AM", "GV"), "AM": ("MU", "FV"), "GV": ("MU", "AM"),
                     "FV": ("AM", "MU")}

#: "Aanmelding via ... ontvangen", per verwijzer.
REFERRER_PHRASES = {
    "uwv": "het UWV", "gemeente": "de gemeente", "spt": "het Servicepunt Techniek",
    "leerwerkloket": "het Leerwerkloket", "werkgever": "de werkgever", "maakjestap": "MaakJeStap",
    "zelf": "het aanmeldformulier op de website", "overig": "het wijkteam",
}

SECTORS: dict[str, tuple[str, ...]] = {
    "zorg en welzijn": ("helpende zorg en welzijn", "verzorgende IG",
                        "begeleider gehandicaptenzorg", "medewerker thuiszorg"),
    "techniek en installatie": ("monteur elektrotechniek", "servicemonteur installatietechniek",
                                "operator productie", "onderhoudsmonteur"),
    "logistiek": ("heftruckchauffeur", "medewerker warehouse", "planner logistiek",
                  "vrachtwagenchauffeur"),
    "onderwijs en kinderopvang": ("onderwijsassistent", "pedagogisch medewerker",
                                  "leraar basisonderwijs (zij-instroom)"),
    "ICT": ("servicedeskmedewerker", "junior developer", "systeembeheerder"),
    "bouw en infra": ("timmerman", "grondwerker", "werkvoorbereider bouw"),
    "administratie": ("administratief medewerker", "medewerker salarisadministratie",
                      "klantcontactmedewerker"),
    "groen en voedsel": ("hovenier", "medewerker voedselproductie", "teeltmedewerker",
                         "procesoperator levensmiddelen"),
    "overheid": ("handhaver openbare ruimte", "medewerker burgerzaken"),
    "detailhandel en horeca": ("verkoopmedewerker", "kok", "teamleider winkel"),
}

#: Earlier jobs as (job, employer) pairs that belong together.
FORMER_WORK = (
    ("orderpicker", "een distributiecentrum"), ("kassamedewerker", "een supermarkt"),
    ("productiemedewerker", "een vleesverwerkend bedrijf"), ("chauffeur", "een transportbedrijf"),
    ("administratief medewerker", "een accountantskantoor"),
    ("schoonmaker", "een schoonmaakbedrijf"), ("klantenservicemedewerker", "een energiebedrijf"),
    ("kapper", "een kapsalon"), ("beveiliger", "een beveiligingsbedrijf"),
    ("pakketbezorger", "een pakketdienst"), ("medewerker bediening", "een hotel"),
    ("automonteur", "een garage"), ("verkoper", "een bouwmarkt"),
    ("magazijnmedewerker", "een groothandel"), ("receptionist", "een zorginstelling"),
    ("drukker", "een drukkerij"), ("baliemedewerker", "de gemeente"),
    ("operator", "een zuivelfabriek"), ("kok", "een restaurant"),
)
#: Trades for the work history of a zzp'er.
ZZP_TRADES = ("schilder", "fotograaf", "klusjesman", "tekstschrijver", "hovenier",
              "taxichauffeur", "schoonheidsspecialiste", "grafisch ontwerper")

#: Motivation per doelgroep (TargetGroup value).
MOTIVATIONS: dict[str, tuple[str, ...]] = {
    "werkenden": (
        "Baan loopt af door een reorganisatie; wil op tijd iets nieuws vinden.",
        "Fysiek zwaar werk lukt niet meer; zoekt werk dat past bij de gezondheid.",
        "Werkt al lang in dezelfde functie en zoekt een nieuwe uitdaging.",
        "Wil een diploma halen om door te kunnen groeien.",
    ),
    "werkzoekenden": (
        "Wil na de WW-periode graag snel weer aan de slag.",
        "Wil na jaren thuis voor de kinderen weer aan het werk.",
        "Contract is niet verlengd; wil niet in de bijstand terechtkomen.",
        "Zit al lang thuis en wil graag weer meedoen.",
    ),
    "zzp": (
        "Opdrachten als zzp'er lopen terug, zoekt een vaste baan.",
        "Wil naast de eigen zaak een paar dagen in loondienst werken.",
    ),
    "uitzendkrachten": (
        "Wil meer zekerheid dan flexwerk via het uitzendbureau.",
        "Uitzendcontract stopt binnenkort; zoekt iets vasts.",
    ),
    "zonder_startkwalificatie": (
        "Is uitgevallen op school en wil alsnog een startkwalificatie halen.",
        "Werkt zonder diploma en wil een mbo-2-diploma halen naast het werk.",
    ),
}
WISHES = (
    "Werk met mensen, 24 tot 32 uur per week.",
    "Technisch werk, buiten mag ook. Vaste werkdagen.",
    "Een opleiding met baangarantie (BBL).",
    "Werk dicht bij huis, hooguit een half uur reizen.",
    "Kantoorwerk, deels thuis.",
    "Werken in ploegendienst is geen probleem, liefst vast contract.",
    "Praktisch werk, liefst met de handen.",
    "Parttime werk onder schooltijden.",
)
OBSTACLES = (
    "Geen rijbewijs; afhankelijk van het openbaar vervoer.",
    "Kinderopvang nog niet geregeld.",
    "Nederlands op niveau B1; schrijven gaat moeizaam.",
    "Rugklachten; geen zwaar tilwerk.",
    "Schulden; heeft contact met de schuldhulpverlening.",
    "Geen bijzondere belemmeringen.",
    "Weinig digitale vaardigheden.",
    "Mantelzorg voor moeder op woensdag.",
    "Diploma uit het buitenland wordt hier niet erkend.",
)

GOALS = (
    "Duurzaam werk als {occupation} binnen zes maanden.",
    "Via een BBL-opleiding doorstromen naar een baan als {occupation}.",
    "Behoud van werk: overstap naar een functie als {occupation} bij de huidige werkgever.",
    "Een vaste baan in de {sector}, minimaal 24 uur per week.",
    "Startkwalificatie halen en daarna aan het werk als {occupation}.",
)
#: (text, service type code, delivering partner) of a plan activity.
ACTIVITIES = (
    ("Loopbaantest en adviesgesprek", "loopbaanadvies", "Leerwerkloket"),
    ("Cv en LinkedIn-profiel bijwerken", "bemiddeling", "UWV"),
    ("BBL-opleiding {occupation}", "praktijkleren", "Mbo-school"),
    ("Sollicitatietraining (3 bijeenkomsten)", "werk_naar_werk", "Private partner"),
    ("Meeloopdag bij een werkgever in de {sector}", "bemiddeling", "Gemeente"),
    ("Praktijkverklaring {occupation}", "praktijkleren", "Mbo-school"),
    ("Taaltraining Nederlands B1", "taal_digitaal", "Gemeente"),
    ("EVC-traject: ervaringscertificaat aanvragen", "ontwikkeladvies", "Leerwerkloket"),
    ("Drie netwerkgesprekken voeren", "werk_naar_werk", "UWV"),
    ("Cursus VCA-basis", "scholing", "O&O-fonds"),
    ("Workshop digitale vaardigheden", "taal_digitaal", "Servicepunt Techniek"),
)

BACK_REASONS: dict[CaseState, tuple[str, ...]] = {
    CaseState.AANGEMELD: ("Intake uitgesteld: kandidaat is de komende weken niet beschikbaar.",),
    CaseState.INTAKE: ("Intake aangevuld: nieuwe informatie over de gezondheid.",
                       "Tweede intakegesprek nodig; eerste gesprek was te kort."),
    CaseState.DIAGNOSE: ("Richting nog niet duidelijk; extra loopbaantest nodig.",
                         "Kandidaat twijfelt over de sector; diagnose opnieuw bekijken."),
    CaseState.PLAN: ("Opleiding sluit niet aan; trajectplan wordt bijgesteld.",
                     "Opleider heeft de start uitgesteld; plan aanpassen."),
    CaseState.UITVOERING: ("Kandidaat mist nog een certificaat; eerst de cursus afronden.",
                           "Bemiddeling te vroeg gestart; eerst meer werkervaring opdoen."),
}
PAUSE_REASONS = (
    "Kandidaat is ziek.", "Zwangerschapsverlof.", "Mantelzorg voor een ouder.",
    "Tijdelijk werk aangenomen.", "Lang verblijf in het buitenland.",
    "Persoonlijke omstandigheden.",
)
OVERIG_TEXTS = (
    "Kandidaat is met pensioen gegaan.",
    "Kandidaat zorgt voltijds voor een ziek familielid.",
    "Kandidaat is overleden.",
    "Traject gestopt op verzoek van de werkgever.",
)

#: Note templates per step the case was in on the contact date.
NOTES: dict[CaseState, tuple[tuple[NoteKind, str], ...]] = {
    CaseState.AANGEMELD: (
        (NoteKind.TELEFOON, "Aanmelding via {referrer} ontvangen. {first} gebeld, intake "
                            "ingepland."),
        (NoteKind.TELEFOON, "{first} twee keer gebeld, geen gehoor. Voicemail ingesproken."),
        (NoteKind.EMAIL, "Bevestiging van de aanmelding en uitleg over het RMT gemaild."),
    ),
    CaseState.INTAKE: (
        (NoteKind.GESPREK, "Intakegesprek gevoerd. {first} is gemotiveerd en wil graag de "
                           "{sector} in."),
        (NoteKind.GESPREK, "Intake op kantoor. Situatie thuis besproken; kinderopvang is een "
                           "punt van aandacht."),
        (NoteKind.NOTITIE, "{first} niet verschenen op de afspraak. Nieuwe afspraak per mail "
                           "voorgesteld."),
    ),
    CaseState.DIAGNOSE: (
        (NoteKind.GESPREK, "Uitslag loopbaantest besproken. Sterk in samenwerken en "
                           "nauwkeurigheid; interesse in de {sector}."),
        (NoteKind.GESPREK, "Cv samen doorgenomen; werkervaring beter zichtbaar maken."),
        (NoteKind.TELEFOON, "Kort gebeld over de test. {first} heeft hem bijna af."),
        (NoteKind.BEZOEK, "Meegelopen bij een werkgever in de {sector}. {first} was enthousiast."),
    ),
    CaseState.PLAN: (
        (NoteKind.GESPREK, "Trajectplan besproken: werk als {occupation}. {first} kan zich er "
                           "goed in vinden."),
        (NoteKind.EMAIL, "Concept-trajectplan gemaild; graag reactie voor vrijdag."),
        (NoteKind.NOTITIE, "Scholingsvoucher afgestemd met de coördinator."),
    ),
    CaseState.UITVOERING: (
        (NoteKind.TELEFOON, "Opleiding gestart. Eerste weken gaan goed, wel pittig naast het "
                            "huidige werk."),
        (NoteKind.GESPREK, "Tussenevaluatie: {first} is gemotiveerd, de stage bevalt goed."),
        (NoteKind.TELEFOON, "{first} vindt de theorie zwaar; extra begeleiding afgesproken."),
        (NoteKind.EMAIL, "Presentielijst van de opleider ontvangen; geen bijzonderheden."),
    ),
    CaseState.BEMIDDELING: (
        (NoteKind.EMAIL, "Drie vacatures als {occupation} doorgestuurd. {first} reageert op "
                         "twee."),
        (NoteKind.GESPREK, "Sollicitatiegesprek voorbereid; STAR-methode geoefend."),
        (NoteKind.TELEFOON, "Terugkoppeling van de werkgever: goed gesprek, tweede ronde "
                            "volgende week."),
        (NoteKind.TELEFOON, "Afwijzing ontvangen. Samen besproken wat beter kan."),
    ),
    CaseState.GEPAUZEERD: (
        (NoteKind.TELEFOON, "Even contact gehad. {first} is nog niet zover; over een maand "
                            "weer bellen."),
        (NoteKind.NOTITIE, "Traject staat stil. Afspraak gemaakt om in de zomer te evalueren."),
    ),
    CaseState.GEPLAATST: (
        (NoteKind.TELEFOON, "{first} is begonnen als {occupation}. Eerste week goed bevallen."),
        (NoteKind.GESPREK, "Evaluatie na de eerste weken: {first} voelt zich op de plek."),
    ),
}

#: The closing note, by group of exit reasons.
CLOSING_NOTES: dict[ExitReason, str] = {
    ExitReason.WERK_LOONDIENST: "Eindgesprek: {first} is aan de slag als {occupation}. "
                                "Tevreden over de begeleiding.",
    ExitReason.WERK_ZELFSTANDIG: "Eindgesprek: {first} start als zelfstandige. Tips over het "
                                 "ondernemersloket meegegeven.",
    ExitReason.BEHOUD_WERK: "{first} kan blijven bij de huidige werkgever in een andere functie.",
    ExitReason.SCHOLING_REGULIER: "{first} start met een reguliere opleiding; traject afgerond.",
    ExitReason.DOORVERWEZEN: "Doorverwezen naar de gemeente voor passende ondersteuning.",
    ExitReason.UITVAL_EIGEN_KEUZE: "{first} wil op dit moment niet verder met het traject.",
    ExitReason.UITVAL_ONBEREIKBAAR: "Na meerdere pogingen geen contact gekregen. Brief gestuurd, "
                                    "traject gesloten.",
    ExitReason.VERHUISD_BUITEN_REGIO: "{first} verhuist buiten de provincie; informatie over het "
                                      "RMT daar meegegeven.",
    ExitReason.OVERIG: "Traject afgesloten; zie de toelichting bij de uitstroomreden.",
}

#: Task titles for the step a case is in.
TASKS: dict[CaseState, tuple[str, ...]] = {
    CaseState.AANGEMELD: ("Intakeafspraak inplannen", "Aanmelder terugbellen"),
    CaseState.INTAKE: ("Intakeformulier afronden", "Kopie diploma's opvragen"),
    CaseState.DIAGNOSE: ("Uitslag loopbaantest bespreken", "Cv nalopen en terugsturen"),
    CaseState.PLAN: ("Trajectplan laten ondertekenen", "Offerte opleiding opvragen"),
    CaseState.UITVOERING: ("Tussenevaluatie met opleider plannen", "Aanwezigheid opleiding "
                                                                   "controleren"),
    CaseState.BEMIDDELING: ("Vacatures doorsturen", "Werkgever bellen na sollicitatiegesprek"),
    CaseState.GEPAUZEERD: ("Contact opnemen over hervatten",),
    CaseState.GEPLAATST: ("Eindgesprek plannen",),
}
