"""Every projection the workers keep, by name."""

from __future__ import annotations

from collections.abc import Mapping

from services.projections.base import ProjectionFactory
from services.projections.inbox import InboxProjection
from services.projections.overview import OverviewProjection
from services.projections.scores import ScoresProjection
from services.projections.timeline import TimelineProjection

PROJECTIONS: Mapping[str, ProjectionFactory] = {
    "scores": ScoresProjection,
    "overview": OverviewProjection,
    "inbox": InboxProjection,
    "timeline": TimelineProjection,
}
VERSIONS: Mapping[str, int] = {
    "scores": ScoresProjection.version,
    "overview": OverviewProjection.version,
    "inbox": InboxProjection.version,
    "timeline": TimelineProjection.version,
}


class UnknownProjection(KeyError):
    def __init__(self, name: str) -> None:
        super().__init__(f"no projection named {name!r}; known: {', '.join(PROJECTIONS)}")


def factory(name: str) -> ProjectionFactory:
    try:
        return PROJECTIONS[name]
    except KeyError:
        raise UnknownProjection(name) from None
