from assessments.models.maturity import Dimension, MaturityModel, Question
from assessments.models.reminders import ReminderBatch, ReminderDelivery
from assessments.models.responses import Answer, Comment, Participation, Response
from assessments.models.rounds import Round
from assessments.models.schedules import Schedule
from assessments.models.scores import (
    DimensionComment,
    DimensionReliability,
    DimensionScore,
    QuestionDistribution,
    QuestionReliability,
    TargetLevel,
    TeamScore,
)

__all__ = [
    "Answer",
    "Comment",
    "Dimension",
    "DimensionComment",
    "DimensionReliability",
    "DimensionScore",
    "MaturityModel",
    "Participation",
    "Question",
    "QuestionDistribution",
    "QuestionReliability",
    "ReminderBatch",
    "ReminderDelivery",
    "Response",
    "Round",
    "Schedule",
    "TargetLevel",
    "TeamScore",
]
