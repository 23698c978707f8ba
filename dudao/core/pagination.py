"""The API's one pagination: limit/offset with both bounded (dudao/core/bounds.py), so a huge
limit or offset is a 422 with the allowed range in the schema, never a 500."""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

from dudao.core.bounds import MAX_OFFSET, MAX_PAGE_SIZE

DEFAULT_LIMIT = 50


class Pagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_PAGE_SIZE, description="每页条数")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过的条数")
