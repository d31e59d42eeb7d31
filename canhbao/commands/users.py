"""`canhbao users add|passwd|disable|enable|role|list`: console accounts (argon2id password hashes)."""

from __future__ import annotations

import argparse
import getpass
import sys

from canhbao.core.errors import CanhbaoError
from canhbao.core.home import Home

ROLES = ("analyst", "inspector", "admin")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("users", help="manage web console accounts and roles (analyst, inspector, admin)")
    acts = p.add_subparsers(dest="users_command", metavar="ACTION")
    acts.required = True
    add = acts.add_parser("add", help="create an account")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(func=run_add)
    pw = acts.add_parser("passwd", help="set a new password (ends the user's sessions)")
    pw.add_argument("name")
    pw.add_argument("--password-stdin", action="store_true")
    pw.set_defaults(func=run_passwd)
    for name, flag in (("disable", True), ("enable", False)):
        d = acts.add_parser(name, help=f"{name} an account" + (" (ends its sessions)" if flag else ""))
        d.add_argument("name")
        d.set_defaults(func=run_disable, disabled=flag)
    role = acts.add_parser("role", help="change an account's role")
    role.add_argument("name")
    role.add_argument("role", choices=ROLES)
    role.set_defaults(func=run_role)
    ls = acts.add_parser("list", help="list accounts")
    ls.set_defaults(func=run_list)


def _open(args: argparse.Namespace):
    from canhbao.console.store import ConsoleStore
    from canhbao.core.audit import AuditLog

    home = Home.resolve(args.home)
    return ConsoleStore.for_home(home), AuditLog(home.audit_log)


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        value = sys.stdin.readline().rstrip("\n")
    else:
        value = getpass.getpass("password: ")
        if getpass.getpass("again: ") != value:
            raise CanhbaoError("passwords differ")
    return value


def run_add(args: argparse.Namespace) -> int:
    from canhbao.console import accounts
    from canhbao.core.audit import current_actor

    users, audit = _open(args)
    user = accounts.add_user(users, audit, args.name.lower(), args.role, _password(args), actor=current_actor())
    print(f"{user.name}  {user.role}  added")
    return 0


def run_passwd(args: argparse.Namespace) -> int:
    from canhbao.console import accounts
    from canhbao.core.audit import current_actor

    users, audit = _open(args)
    user = accounts.set_password(users, audit, args.name.lower(), _password(args), actor=current_actor())
    print(f"{user.name}  password changed")
    return 0


def run_disable(args: argparse.Namespace) -> int:
    from canhbao.console import accounts
    from canhbao.core.audit import current_actor

    users, audit = _open(args)
    user = accounts.set_disabled(users, audit, args.name.lower(), args.disabled, actor=current_actor())
    print(f"{user.name}  {'disabled' if user.disabled else 'enabled'}")
    return 0


def run_role(args: argparse.Namespace) -> int:
    from canhbao.console import accounts
    from canhbao.core.audit import current_actor

    users, audit = _open(args)
    user = accounts.set_role(users, audit, args.name.lower(), args.role, actor=current_actor())
    print(f"{user.name}  {user.role}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    users, _ = _open(args)
    for u in users.users():
        print(f"{u.name}  {u.role}  {'disabled' if u.disabled else 'active'}  {u.created_at:%Y-%m-%d}")
    return 0
