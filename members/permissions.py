"""Object-scoped roles through django-guardian.

Services grant object permissions (e.g. the proposals service gives each
co-author `proposals.change_proposal` on that proposal); views and services
ask `has_object_role` before letting someone act on the object.
"""

from __future__ import annotations

from guardian.shortcuts import get_user_perms

from members import selectors


def has_object_role(person, perm: str, obj) -> bool:
    """Whether `person` was granted `perm` ("app_label.codename") on `obj`.

    Only explicit grants to the person on this object count (groups carry no
    power in Commons). Being a superuser or holding the model-wide permission
    does not: no account carries power that the community did not grant. A
    person who is not a member in good standing (suspended, left) holds no
    role.
    """
    if person is None or not getattr(person, "is_authenticated", False):
        return False
    if not getattr(person, "is_active", False):
        return False
    app_label, _sep, codename = perm.rpartition(".")
    if app_label and app_label != obj._meta.app_label:
        return False
    if not selectors.is_member(person):
        return False
    return codename in get_user_perms(person, obj)
