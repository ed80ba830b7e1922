"""The exceptions of reinnervate: each carries the field, the value and what was expected."""

from __future__ import annotations

from typing import Optional


class ReinnervateError(Exception):
    """An error of the engine. ``field``, ``value`` and ``expected`` are set when known."""

    def __init__(
        self,
        message: str,
        field: Optional[str] = None,
        value: Optional[str] = None,
        expected: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.value = value
        self.expected = expected


class InputError(ReinnervateError, ValueError):
    """The request is invalid: a case, findings, calibration or cohort file, or an argument."""


class NotApplicableError(ReinnervateError, ValueError):
    """The operation does not apply to this case (e.g. a prognosis for a rat experiment)."""


class CancelledError(ReinnervateError):
    """The operation was cancelled before it finished."""


_KINDS = {
    "input": InputError,
    "not_applicable": NotApplicableError,
    "cancelled": CancelledError,
}


def _typed(native: Exception) -> ReinnervateError:
    """The typed exception of a ``NativeError(message, kind, field, value, expected)``."""
    args = tuple(native.args) + (None,) * 5
    message, kind, field, value, expected = args[:5]
    cls = _KINDS.get(kind, ReinnervateError)
    return cls(str(message), field, value, expected)
