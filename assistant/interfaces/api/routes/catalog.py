"""GET /v1/editions and /v1/scenarios: what the corpus, the rules and the scenario guide hold."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from assistant.interfaces.api import models
from assistant.interfaces.api.deps import ServiceDep
from assistant.knowledge.scenarios import Edition

router = APIRouter(prefix="/v1", tags=["检索"])


@router.get("/editions", response_model=models.Editions, summary="可用版本")
async def editions(service: ServiceDep) -> models.Editions:
    return models.Editions(
        editions=service.editions(),
        rule_editions=service.rule_editions(),
        scenario_editions=sorted(service.catalog.editions),
    )


@router.get("/scenarios", response_model=models.ScenariosResponse, summary="场景指引目录")
async def scenarios(
    service: ServiceDep,
    edition: Annotated[
        str | None, Query(max_length=16, description="指引版本，如 2025；缺省返回全部")
    ] = None,
) -> models.ScenariosResponse:
    chosen = service.drafting.scenario_editions(edition or None)
    return models.ScenariosResponse(
        links=list(service.catalog.links), editions=[_edition_out(e) for e in chosen]
    )


def _edition_out(e: Edition) -> models.ScenarioEdition:
    return models.ScenarioEdition(
        edition=e.edition,
        status=e.status,
        source=e.source,
        note=e.note,
        link_mapping_status=e.link_mapping_status,
        clause_ids=list(e.clause_ids),
        segments=[
            models.SegmentOut(name=s.name, link=s.link, clause_id=s.clause_id, extra=s.extra)
            for s in e.segments.values()
        ],
        scenarios=[
            models.ScenarioOut(
                name=s.name, segment=s.segment, link=s.link, clause_id=s.clause_id, multi_link=s.multi_link
            )
            for s in e.scenarios.values()
        ],
    )
