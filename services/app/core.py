"""The application core: every act of every adapter (API, pages, command line, demo) is run here.

An adapter parses its input, calls ``Core.execute`` (or a query on ``Core.queries``) and renders the answer.
Here, and only here, a request becomes a domain command: the role and own-unit checks, the input checked
against the act's shape, the server's fields (time, actor, role, injected values), ids minted from the
idempotency key, and the use case that appends it. After-commit work (waking the projections, sending
reports to render) hangs on the runner's ``after_append`` hook, wired in ``services.bootstrap``.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec

from domain import reports
from domain.campaign.state import CampaignState
from domain.campaign.templates import SetReportTemplate
from domain.shared.calendar import WorkCalendar
from domain.shared.errors import NotFound
from services.app import access
from services.app.acts import ACTS, Act, Context, act_named
from services.app.calendar import current_calendar
from services.app.commands import Actor, CommandResult, CommandRunner, RequestInfo, fingerprint
from services.app.errors import FieldProblem, InvalidInput
from services.app.queries import Queries
from services.app.reports import REPORT
from services.app.usecases import CAMPAIGN, DOCUMENT, UseCases
from services.identity.accounts import User

MAX_KEY_CHARS = 150


class Accepted(msgspec.Struct):
    """What every write returns: the stream it changed, its new version and the log position."""

    stream_id: str
    stream_version: int
    position: int
    id: str | None = None


@dataclass(frozen=True)
class Outcome:
    accepted: Accepted
    replayed: bool
    created: bool
    """A new resource was named (a create, or a new submission, deduction, appeal, …)."""


@dataclass(frozen=True)
class Call:
    """How the act was asked for: ids for the logs, the caller's retry key and the version they read."""

    request_id: str | None = None
    correlation_id: str | None = None
    idempotency_key: str | None = None
    """Unscoped: the core scopes it to the user, so two officials never share a key."""
    if_match: str | None = None
    """An ETag as sent (``"3"``, ``W/"3"``) or a bare version."""


TemplateCheck = Callable[[str, str], str | None]
"""(report type, template) → None, or why the template cannot be used (services/letters/check.py)."""


class Core:
    """The acts (``execute``, ``request_report``) and the queries (``queries``) every adapter calls.

    A plain class, not a dataclass: Litestar hands it to handlers as a dependency and would otherwise try
    to validate its fields.
    """

    def __init__(
        self, runner: CommandRunner, queries: Queries, template_check: TemplateCheck | None = None
    ) -> None:
        self.runner = runner
        self.queries = queries
        self.template_check = template_check
        """Tries a campaign's own report template before it is recorded (None: not tried)."""

    @property
    def use_cases(self) -> UseCases:
        return UseCases(self.runner)

    def calendar(self) -> WorkCalendar:
        return current_calendar(self.runner.store)

    @staticmethod
    def may(user: User | None, name: str) -> bool:
        """Whether the user's role may ask for this act at all (its route's guard says the same)."""
        return user is not None and user.role in act_named(name).roles

    @staticmethod
    def decode_input(name: str, raw: bytes) -> msgspec.Struct:
        """An act's input from JSON, checked exactly as the API checks its request body."""
        shape = act_named(name).input_shape()
        try:
            decoded: msgspec.Struct = msgspec.json.decode(raw, type=shape)
        except msgspec.DecodeError as exc:
            raise InvalidInput(_problem(str(exc))) from None
        return decoded

    def execute(
        self, user: User, name: str, target: Mapping[str, str], data: Any, call: Call | None = None
    ) -> Outcome:
        """Run the act ``name`` on ``target`` (its key and address fields) with input ``data``.

        ``data`` is the act's input shape (the API decodes it) or a mapping (pages, command line), which is
        checked against that shape here.
        """
        call = call or Call()
        act = act_named(name)
        access.require(user, act.roles)
        body = _as_input(act, data)
        values = msgspec.structs.asdict(body)
        chosen = values.pop(act.chosen_id, None) if act.chosen_id else None
        at = values.pop("at", None)
        extras = {n for n, _, _ in act.extra}
        fields = {k: v for k, v in values.items() if k not in extras}
        state = self._campaign_of(act, target)
        if state is not None and isinstance(fields.get("unit"), str):
            fields["unit"] = values["unit"] = access.resolve_unit(state, fields["unit"])
        if act.own_unit_field:
            access.check_own_unit(act.own_unit_field, user, fields, state or CampaignState())
        context = Context(user, values, self, state)
        fields.update({field: make(context) for field, make in act.inject.items()})
        fields.update({field: make(context) for field, make in act.refine.items()})
        key = scoped_key(user, call.idempotency_key)
        new_id = chosen or (mint_id(key) if act.chosen_id else None)
        stream_key = new_id if act.creates and new_id else _target(target, act.key)
        fields.update({a: _target(target, a) for a in act.address})
        names = {f.name for f in dataclasses.fields(act.command)}
        if act.key in names:
            fields[act.key] = stream_key
        if act.new_id:
            fields[act.new_id] = new_id
        fields.update(at=access.business_time(user, at), actor=user.name)
        if "role" in names:
            fields["role"] = user.role.value
        command = act.command(**fields)
        if isinstance(command, SetReportTemplate) and self.template_check is not None:
            refused = self.template_check(command.report_type, command.template)
            if refused:
                raise InvalidInput.field("text", refused)
        if act.key_of is not None:
            stream_key = act.key_of(command)
        info = RequestInfo(
            request_id=call.request_id,
            correlation_id=call.correlation_id,
            idempotency_key=key,
            fingerprint=fingerprint(
                act.name, *(f"{k}={v}" for k, v in sorted(target.items())), msgspec.json.encode(body)
            ),
            if_match=parse_if_match(call.if_match),
        )
        runs = getattr(self.use_cases, act.use_case or act.aggregate.name)
        result: CommandResult = runs(stream_key, command, actor_of(user), info)
        if act.creates:
            new_id = result.stream_id.removeprefix(f"{act.aggregate.name}-")
        accepted = Accepted(result.stream_id, result.stream_version, result.position, new_id)
        return Outcome(accepted, result.replayed, new_id is not None)

    def _campaign_of(self, act: Act, target: Mapping[str, str]) -> CampaignState | None:
        """The campaign an act on a campaign addresses (units are resolved and checked against it)."""
        if act.aggregate is not CAMPAIGN or act.creates or "campaign_id" not in target:
            return None
        state, _ = self.runner.load(CAMPAIGN, CAMPAIGN.stream_id(target["campaign_id"]))
        return state

    def request_report(
        self, user: User, campaign_id: str, as_of: int | None = None, mode: str | None = None,
        call: Call | None = None,
    ) -> Outcome:  # fmt: skip
        """Record a request for the letter and its scoring tables as of a position (default: now).

        The report is final when the letter has its 文号 at that position, else a draft. A worker renders it
        once the request is committed (the runner's after-append hook sends it).
        """
        call = call or Call()
        access.require(user, access.STAFF)
        head = self.runner.store.head().position
        position = head if as_of is None else as_of
        if not 0 <= position <= head:
            raise reports.InvalidReportRequest(f"as_of must be a position from 0 to {head}", as_of=position)
        state, _ = self.runner.load_as_of(CAMPAIGN, CAMPAIGN.stream_id(campaign_id), position)
        if state.stage is None:
            raise NotFound(f"no campaign {campaign_id} (as of position {position})")
        document_id = state.report.document_id if state.report else None
        numbered = False
        if document_id:
            doc, _ = self.runner.load_as_of(DOCUMENT, DOCUMENT.stream_id(document_id), position)
            numbered = doc.number is not None
        final = reports.ReportMode.FINAL if numbered else reports.ReportMode.DRAFT
        chosen = reports.ReportMode(mode) if mode else final
        key = scoped_key(user, call.idempotency_key)
        report_id = mint_id(key)
        command = reports.RequestReport(
            at=datetime.now(UTC), actor=user.name, report_id=report_id, campaign_id=campaign_id,
            as_of_position=position, mode=chosen, document_id=document_id,
        )  # fmt: skip
        info = RequestInfo(
            request_id=call.request_id,
            correlation_id=call.correlation_id,
            idempotency_key=key,
            fingerprint=fingerprint("requestReport", campaign_id, str(as_of), str(mode)),
        )
        result = self.runner.execute(REPORT, report_id, command, actor_of(user), info)
        report_id = result.stream_id.removeprefix("report-")
        accepted = Accepted(result.stream_id, result.stream_version, result.position, report_id)
        return Outcome(accepted, result.replayed, True)

    def cancel_report(self, user: User, report_id: str, reason: str, call: Call | None = None) -> Outcome:
        """Give up a queued, rendering or failed report (a rendering that ends later records nothing)."""
        call = call or Call()
        access.require(user, access.STAFF)
        key = scoped_key(user, call.idempotency_key)
        info = RequestInfo(
            request_id=call.request_id,
            correlation_id=call.correlation_id,
            idempotency_key=key,
            fingerprint=fingerprint("cancelReport", report_id, reason),
        )
        command = reports.CancelReport(at=datetime.now(UTC), actor=user.name, reason=reason.strip())
        result = self.runner.execute(REPORT, report_id, command, actor_of(user), info)
        accepted = Accepted(result.stream_id, result.stream_version, result.position, report_id)
        return Outcome(accepted, result.replayed, False)


def _as_input(act: Act, data: Any) -> msgspec.Struct:
    shape = act.input_shape()
    if isinstance(data, shape):
        return data
    try:
        converted: msgspec.Struct = msgspec.convert(dict(data), shape, strict=False)
    except msgspec.ValidationError as exc:
        raise InvalidInput(_problem(str(exc))) from None
    return converted


def _problem(message: str) -> FieldProblem:
    """msgspec says ``Expected `int`, got `str` - at `$.year```: name the field."""
    found = re.search(r" - at `\$\.?([^`]*)`$", message)
    field = found.group(1) if found and found.group(1) else "body"
    text = message[: found.start()] if found else message
    unknown = re.match(r"Object contains unknown field `(.+)`", message)
    if unknown:
        return FieldProblem(unknown.group(1), "unknown field")
    missing = re.match(r"Object missing required field `(.+)`", text)
    if missing:
        return FieldProblem(
            missing.group(1) if field == "body" else f"{field}.{missing.group(1)}", "required"
        )
    return FieldProblem(field, text)


def _target(target: Mapping[str, str], name: str) -> str:
    try:
        return target[name]
    except KeyError:
        raise InvalidInput.field(name, "required") from None


def actor_of(user: User) -> Actor:
    return Actor(user.name, user.name, user.role.value, user.unit)


def scoped_key(user: User, key: str | None) -> str | None:
    """Keys are per user: two officials choosing the same key never see each other's responses."""
    if key is None:
        return None
    if not key.strip() or len(key) > MAX_KEY_CHARS:
        raise InvalidInput.field("Idempotency-Key", f"1 to {MAX_KEY_CHARS} characters")
    return f"{user.id}:{key}"


def mint_id(scoped: str | None) -> str:
    """With a key, a retried create mints the same id, so the replayed response names the same resource."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, scoped)) if scoped else str(uuid.uuid4())


def parse_if_match(value: str | None) -> int | None:
    if value is None:
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit() or len(text) > 18:
        raise InvalidInput.field("If-Match", 'give the stream version (the ETag of your last read), e.g. "3"')
    return int(text)


__all__ = ["ACTS", "Accepted", "Call", "Core", "Outcome"]
