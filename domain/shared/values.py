"""Values within their domain: the one place that says what a number in a command may be.

Nothing recorded is ever removed, so a value that could break a later computation (a report, a display,
a read model's column) is refused before it is recorded:

- **decimals** (scores, points, rates, indicator points and caps) are finite, with at most
  ``MAX_PLACES`` (2) decimal places and at most ``MAX_INTEGER_DIGITS`` (6) digits before the point,
  so every one lies within ±999999.99. NaN, sNaN, ±Infinity, ``-0``, exponents far out (``1E+999999``,
  ``1E-999999``) and overlong digits (a 35-digit score) are refused with :class:`InvalidNumber`. An
  ``int`` is taken as its decimal; ``bool`` and ``float`` are refused (events refuse floats);
- **counts** (ratings, calls, samples, sizes, rows, serials) are whole ``int`` (not ``bool``) from a lower
  bound (0 unless said) to ``MAX_COUNT`` (10^9, which also fits a 32-bit column);
- **ranges** come from the caller (an indicator's points, a rate's 0 … 100): a value outside raises the
  caller's own named error (``ScoreOutOfBounds``, ``InvalidFigures`` …) so existing codes stay stable,
  or :class:`NumberOutOfRange` when none is given.

Every refusal names the field (``error.field``, also ``details["field"]``) and starts its message with it,
e.g. ``points: 1E+999999 has more than 6 digits before the decimal point``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from domain.shared.errors import InvalidCommand

MAX_PLACES = 2
MAX_INTEGER_DIGITS = 6
MAX_COUNT = 10**9
ZERO = Decimal(0)
HUNDRED = Decimal(100)
LARGEST = Decimal(10**MAX_INTEGER_DIGITS) - Decimal(1).scaleb(-MAX_PLACES)
"""The largest decimal the precision allows: 999999.99."""
_SHOWN = 40  # characters of a refused value repeated in a message


class InvalidNumber(InvalidCommand):
    """A number is not a finite decimal of the fixed precision, or a count is not a whole number."""

    code = "invalid_number"


class NumberOutOfRange(InvalidCommand):
    """A well-formed number lies outside its range (when the caller names no more specific error)."""

    code = "number_out_of_range"


def require_decimal(value: object, field: str) -> Decimal:
    """``value`` as a finite decimal of at most 2 places and 6 integer digits; else InvalidNumber."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise InvalidNumber(
            f"{field}: a number is a decimal, not {type(value).__name__}", field=field, value=_shown(value)
        )
    number = Decimal(value)
    if not number.is_finite():
        shown = _shown(number)
        raise InvalidNumber(f"{field}: {shown} is not a finite number", field=field, value=shown)
    integer_digits, places = _shape(number)
    if places > MAX_PLACES:
        raise InvalidNumber(
            f"{field}: {_shown(number)} has more than {MAX_PLACES} decimal places",
            field=field,
            value=_shown(number),
        )
    if integer_digits > MAX_INTEGER_DIGITS:
        raise InvalidNumber(
            f"{field}: {_shown(number)} has more than {MAX_INTEGER_DIGITS} digits before the decimal point",
            field=field,
            value=_shown(number),
        )
    if number.is_zero() and number.is_signed():
        raise InvalidNumber(f"{field}: -0 is not recorded; give 0", field=field, value="-0")
    return number


def require_points(
    value: object,
    field: str,
    *,
    upper: Decimal,
    lower: Decimal = ZERO,
    positive: bool = False,
    out_of_range: type[InvalidCommand] = NumberOutOfRange,
    what: str = "",
) -> Decimal:
    """A decimal (as ``require_decimal``) from ``lower`` (exclusive when ``positive``) to ``upper``.

    ``what`` says what the bound is, for the message (e.g. "the indicator's points").
    """
    number = require_decimal(value, field)
    above = number > lower if positive else number >= lower
    if not (above and number <= upper):
        low = f"more than {_plain(lower)}" if positive else f"at least {_plain(lower)}"
        high = f"at most {_plain(upper)}" + (f" ({what})" if what else "")
        raise out_of_range(
            f"{field}: must be {low} and {high}; got {_shown(number)}",
            field=field,
            value=_shown(number),
            lower=_plain(lower),
            upper=_plain(upper),
        )
    return number


def require_rate(
    value: object, field: str, *, out_of_range: type[InvalidCommand] = NumberOutOfRange
) -> Decimal:
    """A percentage: a decimal from 0 to 100."""
    return require_points(value, field, upper=HUNDRED, out_of_range=out_of_range, what="a percentage")


def require_count(
    value: object,
    field: str,
    *,
    lower: int = 0,
    upper: int = MAX_COUNT,
    out_of_range: type[InvalidCommand] = NumberOutOfRange,
) -> int:
    """A whole number (``int``, not ``bool``) from ``lower`` to ``upper`` (10^9 unless said)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidNumber(
            f"{field}: a count is a whole number, not {type(value).__name__}",
            field=field,
            value=_shown(value),
        )
    if not lower <= value <= upper:
        raise out_of_range(
            f"{field}: must be a whole number from {lower} to {upper}; got {_shown(value)}",
            field=field,
            value=_shown(value),
            lower=lower,
            upper=upper,
        )
    return value


def _shape(number: Decimal) -> tuple[int, int]:
    """(digits before the point, decimal places) of a finite decimal, trailing zeros after the point ignored.

    Read from the digit tuple, never by arithmetic: no context rounds, overflows or traps on the way.
    """
    _, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)  # finite
    if not any(digits):
        return 0, 0
    count = len(digits)
    while exponent < 0 and digits[count - 1] == 0:
        count -= 1
        exponent += 1
    return max(0, count + exponent), max(0, -exponent)


def _plain(number: Decimal) -> str:
    return _shown(f"{number:f}" if number.is_finite() else number)


def _shown(value: object) -> str:
    """The value as text for a message, cut to a few dozen characters (a huge int is never converted)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return f"an integer of {value.bit_length()} bits"
    text = str(value)
    return text if len(text) <= _SHOWN else f"{text[: _SHOWN - 1]}…"


def void_out_of_domain(data: Mapping[str, Any], *fields: str) -> dict[str, Any]:
    """An upcaster step for a payload recorded before values were checked (schema version 1 → 2).

    Each of ``fields`` that is not a decimal of the fixed precision (``1E+999999``, ``NaN``, a 35-digit
    score …) is read as ``0`` and the payload gains ``void``: why the record counts for nothing, with the
    value as it was stored. The stored payload itself is never changed (the log and its hashes stay as they
    are); the fold skips a void record. A payload with good values gains ``void = ""``.
    """
    upcast = dict(data)
    reasons = []
    for field in fields:
        raw = data.get(field)
        try:
            require_decimal(Decimal(raw) if isinstance(raw, str) else raw, field)
        except (InvalidNumber, ArithmeticError, ValueError, TypeError):
            reasons.append(f"{field}={_shown(raw)}")
            upcast[field] = "0"
    upcast["void"] = f"记录的数值超出取值范围（{'，'.join(reasons)}），不计入" if reasons else ""
    return upcast
