"""`me` and users API (users in the caller's scope)."""

from typing import cast

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from dudao.accounts import selectors
from dudao.accounts.models import User
from dudao.core.bounds import Id
from dudao.core.pagination import Pagination
from dudao.core.roles import role_code, roles_of

router = Router(tags=["用户"])


class OrganisationRef(Schema):
    id: int
    code: str
    name: str


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    title: str
    organisation: OrganisationRef
    roles: list[str]
    role_labels: list[str]
    is_active: bool

    @staticmethod
    def resolve_roles(obj: User) -> list[str]:
        return [role_code(r) for r in roles_of(obj.roles)]


class MeOut(UserOut):
    scope_root: OrganisationRef | None
    must_change_password: bool

    @staticmethod
    def resolve_scope_root(obj: User) -> dict[str, object] | None:
        from dudao.orgs.models import Organisation

        root = Organisation.objects.filter(path=obj.organisation.scope_path).first()
        return {"id": root.pk, "code": root.code, "name": root.name} if root else None


@router.get("/me", response=MeOut, url_name="me", summary="当前用户", tags=["用户"])
def me(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@router.get("/users", response=list[UserOut], url_name="user_list", summary="数据范围内的用户")
@paginate(Pagination)
def user_list(
    request: HttpRequest, q: str = "", role: str = "", organisation: Id | None = None
) -> object:
    return selectors.list_users(cast(User, request.user), q=q, role=role, organisation=organisation)


@router.get("/users/{user_id}", response=UserOut, url_name="user_detail", summary="单个用户")
def user_detail(request: HttpRequest, user_id: Id) -> User:
    return selectors.get_user(cast(User, request.user), user_id)
