"""The board's columns: cards grouped by stage, with each column's count and WIP limit. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from improvements import flow

# Done and Dropped keep every card ever finished: the board shows the latest few up front.
CLOSED_SHOWN = 5


@dataclass
class Column:
    stage: str
    label: str
    limit: int | None
    cards: list[Any] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.cards)

    @property
    def closed(self) -> bool:
        """Done or Dropped: its cards are finished and move no further from the board."""
        return self.stage in flow.CLOSED

    @property
    def recent(self) -> list[Any]:
        """The cards shown up front: all of an open column; the latest few of Done and Dropped."""
        if self.stage in flow.CLOSED:
            return list(reversed(self.cards))[:CLOSED_SHOWN]
        return self.cards

    @property
    def earlier(self) -> list[Any]:
        """Finished cards beyond the latest few, newest first (shown folded)."""
        if self.stage in flow.CLOSED:
            return list(reversed(self.cards))[CLOSED_SHOWN:]
        return []

    @property
    def full(self) -> bool:
        """No free place: a card moved here would be refused."""
        return self.limit is not None and self.count >= self.limit

    @property
    def over(self) -> bool:
        """More cards than the limit (the limit was lowered after they came in)."""
        return self.limit is not None and self.count > self.limit

    @property
    def free(self) -> int | None:
        return None if self.limit is None else max(0, self.limit - self.count)


def board_columns(
    cards: Iterable[Any], *, limits: Mapping[str, int | None], labels: Mapping[str, str]
) -> list[Column]:
    """One column per stage in board order; each card (anything with ``.stage``) in its column.

    Cards keep the order given (the board passes them oldest first).
    """
    columns = {
        stage: Column(stage=stage, label=labels[stage], limit=limits.get(stage)) for stage in flow.STAGES
    }
    for card in cards:
        columns[card.stage].cards.append(card)
    return list(columns.values())
