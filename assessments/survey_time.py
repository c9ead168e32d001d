"""How long a survey takes a careful reader, from its length alone (pure, no ORM).

A question is a statement of about twenty words and a choice among the scale's points plus
"don't know" and "not applicable": 9 to 12 seconds for someone who reads it properly (the first
wave's "about five minutes" for 40 questions was the skimmer's time). Comment boxes are optional
and left out.
"""

from __future__ import annotations

import math

SECONDS_PER_QUESTION = (9, 12)


def survey_minutes(questions: int) -> tuple[int, int]:
    """The range of whole minutes a survey of this many questions takes, shortest first."""
    fast, careful = SECONDS_PER_QUESTION
    low = max(1, round(questions * fast / 60))
    return low, max(low, math.ceil(questions * careful / 60))
