"""The proposal and vacancy lifecycles as plain data. No Flask, no database.

```
voorgesteld → gesprek | afgewezen | ingetrokken;  gesprek → aangenomen | afgewezen | ingetrokken
open → filled | closed;                            filled | closed → open
```

The status labels live on the enums (:mod:`rmt.employers.models`); the texts here are the
buttons of a step.
"""

from __future__ import annotations

from rmt.employers.models import ProposalStatus, VacancyStatus

PROPOSAL_TRANSITIONS: dict[ProposalStatus, tuple[ProposalStatus, ...]] = {
    ProposalStatus.VOORGESTELD: (ProposalStatus.GESPREK, ProposalStatus.AFGEWEZEN,
                                 ProposalStatus.INGETROKKEN),
    ProposalStatus.GESPREK: (ProposalStatus.AANGENOMEN, ProposalStatus.AFGEWEZEN,
                             ProposalStatus.INGETROKKEN),
    ProposalStatus.AANGENOMEN: (),
    ProposalStatus.AFGEWEZEN: (),
    ProposalStatus.INGETROKKEN: (),
}


OPEN_PROPOSAL_STATUSES = frozenset({ProposalStatus.VOORGESTELD, ProposalStatus.GESPREK})


#: A refusal or withdrawal needs a reason, so the liaison can learn from it later.
REASON_REQUIRED = frozenset({ProposalStatus.AFGEWEZEN, ProposalStatus.INGETROKKEN})


PROPOSAL_STEP_LABELS: dict[ProposalStatus, str] = {
    ProposalStatus.GESPREK: "Uitgenodigd voor gesprek",
    ProposalStatus.AANGENOMEN: "Aangenomen",
    ProposalStatus.AFGEWEZEN: "Afgewezen door werkgever",
    ProposalStatus.INGETROKKEN: "Voordracht ingetrokken",
}


VACANCY_TRANSITIONS: dict[VacancyStatus, tuple[VacancyStatus, ...]] = {
    VacancyStatus.OPEN: (VacancyStatus.FILLED, VacancyStatus.CLOSED),
    VacancyStatus.FILLED: (VacancyStatus.OPEN,),
    VacancyStatus.CLOSED: (VacancyStatus.OPEN,),
}


VACANCY_STEP_LABELS: dict[VacancyStatus, str] = {
    VacancyStatus.OPEN: "Heropenen",
    VacancyStatus.FILLED: "Markeren als vervuld",
    VacancyStatus.CLOSED: "Sluiten zonder vervulling",
}


def allowed_proposal_steps(status: ProposalStatus | str) -> tuple[ProposalStatus, ...]:
    """The statuses a proposal in ``status`` may move to (none for an unknown status)."""
    try:
        return PROPOSAL_TRANSITIONS[ProposalStatus(status)]
    except ValueError:
        return ()


def allowed_vacancy_steps(status: VacancyStatus | str) -> tuple[VacancyStatus, ...]:
    """The statuses a vacancy in ``status`` may move to (none for an unknown status)."""
    try:
        return VACANCY_TRANSITIONS[VacancyStatus(status)]
    except ValueError:
        return ()
