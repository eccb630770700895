"""Pages of API lists, in the range the schema documents.

Not in `config.api`: DRF's settings check imports the pagination class before
DRF's views, and `config.api` must be imported by those first."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import pagination

from kernel.errors import InvalidInput
from kernel.ids import MAX_ID, as_number


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """DRF's limit/offset pages with the range that the schema documents
    enforced: `limit` 1 to `max_limit` (default PAGE_SIZE), `offset` 0 or
    more. A value out of range, or not a whole number, is a 400 naming the
    parameter; DRF would silently serve the default page instead, or every
    row at once."""

    max_limit = 200

    def get_limit(self, request):
        return self._number(request, self.limit_query_param, self.default_limit, 1, self.max_limit)

    def get_offset(self, request):
        return self._number(request, self.offset_query_param, 0, 0, MAX_ID)

    def _number(self, request, name: str, default: int, minimum: int, maximum: int) -> int:
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            return default
        number = as_number(raw, minimum=minimum, maximum=maximum)
        if number is None:
            raise InvalidInput(
                _("“%(name)s” must be a whole number from %(min)s to %(max)s.")
                % {"name": name, "min": minimum, "max": maximum}
            )
        return number

    def get_schema_operation_parameters(self, view):
        ranges = {
            self.limit_query_param: {"minimum": 1, "maximum": self.max_limit},
            self.offset_query_param: {"minimum": 0, "maximum": MAX_ID},
        }
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"].update(ranges[parameter["name"]])
            if parameter["name"] == self.limit_query_param:
                parameter["schema"]["default"] = self.default_limit
        return parameters
