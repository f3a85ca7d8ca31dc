"""Command routes: one POST per act of the core, at the path this table gives it.

A route parses (path, headers, the act's input shape), calls ``Core.execute`` and renders ``Accepted``. The
input shapes, roles and summaries are the core's (``services.app.acts``); only the paths live here.
"""

import inspect
from collections.abc import Mapping
from typing import Annotated, Any, NamedTuple

from litestar import Request, Response, post
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, HeaderParameter, JSONBody

from domain.shared.identity import Role
from services.api.auth import allow
from services.api.problems import WRITE_ERRORS
from services.app.acts import ACT_LIST, Act
from services.app.core import Accepted, Call, Core
from services.identity.accounts import User

C = "/campaigns/{campaign_id:str}"
D = "/documents/{document_id:str}"
T = D + "/tasks/{task_id:str}"
PATHS: Mapping[str, str] = {
    "openCampaign": "/campaigns",
    "registerUnits": C + "/units",
    "assignIndicators": C + "/indicators",
    "reviseIndicators": C + "/indicators/revisions",
    "recordWorkStep": C + "/work-steps",
    "setReportTemplate": C + "/report-templates",
    "issueDeployment": C + "/deployment",
    "openCollection": C + "/collection",
    "startDetermination": C + "/determination",
    "submitData": C + "/submissions",
    "resubmitData": C + "/submissions/{submission_id:str}",
    "reviewSubmission": C + "/submissions/{submission_id:str}/review",
    "determineScore": C + "/scores",
    "confirmNoDeduction": C + "/no-deduction",
    "proposeDeduction": C + "/deductions",
    "confirmDeduction": C + "/deductions/{deduction_id:str}/confirm",
    "rejectDeduction": C + "/deductions/{deduction_id:str}/reject",
    "awardBonus": C + "/bonuses",
    "applyVeto": C + "/vetoes",
    "adjustScore": C + "/adjustments",
    "openConsultation": C + "/consultations",
    "giveOpinion": C + "/consultations/{consultation_id:str}/opinions",
    "closeConsultation": C + "/consultations/{consultation_id:str}/close",
    "publishResults": C + "/publication",
    "fileAppeal": C + "/appeals",
    "decideAppeal": C + "/appeals/{appeal_id:str}/decision",
    "closeAppeals": C + "/appeals/close",
    "reopenScores": C + "/reopening",
    "archiveCampaign": C + "/archive",
    "draftDocument": "/documents",
    "reviseDraft": D + "/revisions",
    "submitDraft": D + "/submit",
    "withdrawSubmission": D + "/withdraw",
    "approveTask": T + "/approve",
    "disagreeTask": T + "/disagree",
    "returnTask": T + "/return",
    "claimTask": T + "/claim",
    "unclaimTask": T + "/unclaim",
    "delegateTask": T + "/delegate",
    "resolveDelegation": T + "/resolve",
    "transferTask": T + "/transfer",
    "addSigner": T + "/signers",
    "assignNumber": T + "/number",
    "dispatchDocument": T + "/dispatch",
    "acknowledgeReceipt": D + "/receipt",
    "reopenDocument": D + "/reopen",
    "openRegister": "/registers",
    "declareYearCalendar": "/calendar/years",
}
IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key", description="Retries with the same key replay the first response."
    ),
]
IfMatch = Annotated[
    str | None,
    HeaderParameter(name="If-Match", description="The stream version you read (ETag); 412 if stale."),
]


class Route(NamedTuple):
    """An act at its path."""

    path: str
    act: Act

    @property
    def roles(self) -> tuple[Role, ...]:
        return self.act.roles


def call_of(
    request: Request[Any, Any, Any], idempotency_key: str | None, if_match: str | None = None
) -> Call:
    return Call(
        request_id=request.scope.get("state", {}).get("request_id"),
        correlation_id=request.headers.get("x-correlation-id"),
        idempotency_key=idempotency_key,
        if_match=if_match,
    )


def accepted_response(accepted: Accepted, replayed: bool, status: int) -> Response[Accepted]:
    headers = {"ETag": f'"{accepted.stream_version}"'}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(accepted, status_code=status, headers=headers)


def build_handler(act: Act, path: str) -> HTTPRouteHandler:
    shape = act.input_shape()
    target_names = ([] if act.creates else [act.key]) + list(act.address)
    created = 201 if act.chosen_id else 200

    def handler(**kwargs: Any) -> Response[Accepted]:
        request: Request[User, Any, Any] = kwargs["request"]
        core: Core = kwargs["core"]
        target = {name: kwargs[name] for name in target_names}
        call = call_of(request, kwargs.get("idempotency_key"), kwargs.get("if_match"))
        outcome = core.execute(request.user, act.name, target, kwargs["data"], call)
        return accepted_response(outcome.accepted, outcome.replayed, 201 if outcome.created else 200)

    keyword = inspect.Parameter.KEYWORD_ONLY
    params = [
        inspect.Parameter("request", keyword, annotation=Request),
        inspect.Parameter("core", keyword, annotation=NamedDependency[Core]),
        inspect.Parameter("data", keyword, annotation=Annotated[shape, JSONBody.__metadata__[0]]),
        *[inspect.Parameter(p, keyword, annotation=FromPath[str]) for p in target_names],
        inspect.Parameter("idempotency_key", keyword, annotation=IdempotencyKey, default=None),
        inspect.Parameter("if_match", keyword, annotation=IfMatch, default=None),
    ]
    handler.__signature__ = inspect.Signature(params, return_annotation=Response[Accepted])  # type: ignore[attr-defined]
    handler.__annotations__ = {p.name: p.annotation for p in params} | {"return": Response[Accepted]}
    handler.__name__ = act.name
    handler.__doc__ = act.summary
    return post(
        path,
        sync_to_thread=True,
        guards=[allow(*act.roles)],
        operation_id=act.name,
        summary=act.summary,
        description=f"Allowed roles: {', '.join(r.value for r in act.roles)}.",
        tags=[act.tag],
        responses=WRITE_ERRORS,
        status_code=created,
    )(handler)


def command_handlers() -> list[HTTPRouteHandler]:
    return [build_handler(route.act, route.path) for route in ROUTES]


def _routes() -> tuple[Route, ...]:
    missing = {act.name for act in ACT_LIST} - set(PATHS)
    if missing:
        raise RuntimeError(f"acts without an API path: {', '.join(sorted(missing))}")
    return tuple(Route(PATHS[act.name], act) for act in ACT_LIST)


ROUTES = _routes()


__all__ = ["PATHS", "ROUTES", "call_of", "command_handlers"]
