from assessments.models.maturity import Dimension, MaturityModel, Question
from assessments.models.responses import Answer, Comment, Participation, Response
from assessments.models.rounds import Round
from assessments.models.scores import (
    DimensionComment,
    DimensionScore,
    QuestionDistribution,
    TargetLevel,
    TeamScore,
)

__all__ = [
    "Answer",
    "Comment",
    "Dimension",
    "DimensionComment",
    "DimensionScore",
    "MaturityModel",
    "Participation",
    "Question",
    "QuestionDistribution",
    "Response",
    "Round",
    "TargetLevel",
    "TeamScore",
]
