"""Query-parameter parsing with the monolith's exact error bodies (clients see no change)."""

from rest_framework.exceptions import ValidationError
from rest_framework.request import Request


def int_param(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValidationError({name: ["A valid integer is required."]}) from None


def choice_param(request: Request, name: str, choices: list[str]) -> str | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    if raw not in choices:
        raise ValidationError({name: [f'"{raw}" is not a valid choice.']})
    return raw
