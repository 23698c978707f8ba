"""The audit action vocabulary with Chinese labels (the audit page filters by these)."""

from __future__ import annotations

ACTION_LABELS: dict[str, str] = {
    "auth.login": "登录成功",
    "auth.login_failed": "登录失败",
    "auth.lockout": "账户锁定",
    "auth.logout": "退出登录",
    "auth.session_expired": "会话超时",
    "auth.password_changed": "修改密码",
    "auth.unlock": "解除锁定",
    "user.create": "创建用户",
    "user.update": "修改用户",
    "user.set_roles": "分配角色",
    "user.activate": "启用用户",
    "user.deactivate": "停用用户",
    "user.reset_password": "重置密码",
    "user.reset_password_request": "申请重置管理员密码",
    "user.reset_password_approve": "批准重置管理员密码",
    "account.login_after_reset": "重置后登录（他人设置的密码）",
    "token.create": "创建 API 令牌",
    "token.revoke": "吊销 API 令牌",
    "org.create": "创建单位",
    "org.update": "修改单位",
    "org.move": "调整上级单位",
    "regions.load": "加载行政区划",
    "demo.load": "加载演示数据",
    "access.denied": "越权访问被拒绝",
}


def label_for(action: str) -> str:
    """Return the Chinese label of `action`, or the code itself when unknown."""
    return ACTION_LABELS.get(action, action)


def register(action: str, label: str) -> None:
    """Add a module's action to the vocabulary (called at import by each domain app)."""
    ACTION_LABELS.setdefault(action, label)
