"""The organizer console: who may enter, granting and revoking roles, and units."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from contest.accounts.models import Role, Unit, User, UserRole
from contest.audit import AuditEvent
from contest.extensions import db
from tests.conftest import PASSWORD, login


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def flashes(response) -> list[str]:
    return re.findall(r'<p class="alert alert-\w+">(.*?)</p>', text(response), re.S)


def field_error(response, name: str) -> str:
    match = re.search(rf'<p class="error" id="{name}-error">(.*?)</p>', text(response), re.S)
    return match.group(1).strip() if match else ""


def roles_of(user_id: int) -> set[str]:
    db.session.expire_all()
    return set(db.session.execute(select(UserRole.role).where(UserRole.user_id == user_id))
               .scalars())


def events(action: str | None = None) -> list[AuditEvent]:
    db.session.expire_all()
    stmt = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return list(db.session.execute(stmt).scalars())


def change(client, user_id: int, role: str, action: str, reason: str = ""):
    return client.post(f"/organizer/users/{user_id}/roles",
                       data={"role": role, "action": action, "reason": reason},
                       follow_redirects=True)


@pytest.fixture
def organizer(login_as):
    c = login_as(Role.ORGANIZER)
    c.set_cookie("lang", "en")
    return c


@pytest.fixture
def admin(login_as):
    c = login_as(Role.ADMIN)
    c.set_cookie("lang", "en")
    return c


# --- who may enter ---------------------------------------------------------------------------


@pytest.mark.parametrize("roles", [(), (Role.JOURNALIST,), (Role.JUDGE,),
                                   (Role.UNIT_COORDINATOR,)])
@pytest.mark.parametrize("path", ["/organizer/", "/organizer/users", "/organizer/units",
                                  "/organizer/units/new", "/organizer/audit",
                                  "/organizer/audit.csv", "/organizer/audit.xlsx"])
def test_other_accounts_get_403(login_as, roles, path):
    c = login_as(*roles)
    response = c.get(path)
    assert response.status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get("/organizer/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.ADMIN])
def test_organizers_and_admins_enter(login_as, role):
    c = login_as(role)
    for path in ("/organizer/", "/organizer/users", "/organizer/units", "/organizer/units/new"):
        assert c.get(path).status_code == 200, path


def test_entrant_cannot_change_roles(login_as, make_user):
    target = make_user()
    c = login_as()
    response = c.post(f"/organizer/users/{target.id}/roles",
                      data={"role": Role.ORGANIZER, "action": "grant"})
    assert response.status_code == 403
    response = c.post(f"/organizer/users/{c.user.id}/roles",
                      data={"role": Role.ADMIN, "action": "grant"})
    assert response.status_code == 403
    assert roles_of(target.id) == set() and roles_of(c.user.id) == set()
    assert events() == []


# --- roles -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.JOURNALIST, Role.JUDGE, Role.ORGANIZER])
def test_organizer_grants_and_revokes(organizer, make_user, role):
    target = make_user()
    response = change(organizer, target.id, role, "grant", "Jury of 2026")
    assert response.status_code == 200
    assert "Roles updated." in flashes(response)
    assert roles_of(target.id) == {role}
    [granted] = events("role.grant")
    assert granted.actor_id == organizer.user.id
    assert granted.subject_type == "user" and granted.subject_id == str(target.id)
    assert granted.details == {"role": role}
    assert granted.reason == "Jury of 2026"
    db.session.expire_all()
    row = db.session.execute(select(UserRole).where(UserRole.user_id == target.id)).scalar_one()
    assert row.granted_by_id == organizer.user.id

    response = change(organizer, target.id, role, "revoke")
    assert "Roles updated." in flashes(response)
    assert roles_of(target.id) == set()
    [revoked] = events("role.revoke")
    assert revoked.details == {"role": role} and revoked.actor_id == organizer.user.id


def test_granting_twice_changes_nothing(organizer, make_user):
    target = make_user(Role.JUDGE)
    response = change(organizer, target.id, Role.JUDGE, "grant")
    assert response.status_code == 200
    assert roles_of(target.id) == {Role.JUDGE}
    assert events() == []


def test_only_an_admin_grants_admin(organizer, admin, make_user):
    target = make_user()
    response = change(organizer, target.id, Role.ADMIN, "grant")
    assert "Only an administrator can grant or revoke the administrator role." in flashes(response)
    assert roles_of(target.id) == set()
    assert events() == []

    response = change(admin, target.id, Role.ADMIN, "grant")
    assert "Roles updated." in flashes(response)
    assert roles_of(target.id) == {Role.ADMIN}
    [event] = events("role.grant")
    assert event.actor_id == admin.user.id


def test_organizer_cannot_revoke_an_admin(organizer, make_user):
    make_user(Role.ADMIN)
    target = make_user(Role.ADMIN)
    response = change(organizer, target.id, Role.ADMIN, "revoke")
    assert "Only an administrator" in " ".join(flashes(response))
    assert roles_of(target.id) == {Role.ADMIN}


def test_organizer_cannot_make_itself_admin(organizer):
    response = change(organizer, organizer.user.id, Role.ADMIN, "grant")
    assert "Only an administrator" in " ".join(flashes(response))
    assert roles_of(organizer.user.id) == {Role.ORGANIZER}


@pytest.mark.parametrize("role", [Role.JOURNALIST, Role.JUDGE, Role.ORGANIZER, Role.ADMIN])
def test_role_needing_email_refused_for_phone_only_account(admin, make_user, role):
    target = make_user(email=None)
    response = change(admin, target.id, role, "grant")
    assert "This role needs an e-mail address; the account has none." in flashes(response)
    assert roles_of(target.id) == set()
    assert events() == []


def test_last_admin_cannot_be_removed(admin, make_user):
    response = change(admin, admin.user.id, Role.ADMIN, "revoke")
    assert "The last administrator cannot be removed." in flashes(response)
    assert roles_of(admin.user.id) == {Role.ADMIN}
    assert events() == []

    second = make_user(Role.ADMIN)
    response = change(admin, second.id, Role.ADMIN, "revoke")
    assert "Roles updated." in flashes(response)
    assert roles_of(second.id) == set()
    # and now the remaining one is the last again
    response = change(admin, admin.user.id, Role.ADMIN, "revoke")
    assert "The last administrator cannot be removed." in flashes(response)
    assert roles_of(admin.user.id) == {Role.ADMIN}


def test_unknown_role_and_bad_action_are_refused(admin, make_user):
    target = make_user()
    response = change(admin, target.id, "emperor", "grant")
    assert "There is no such role." in flashes(response)
    response = admin.post(f"/organizer/users/{target.id}/roles",
                          data={"role": Role.JUDGE, "action": "promote"})
    assert response.status_code == 400
    assert roles_of(target.id) == set()


def test_roles_of_an_unknown_account(admin):
    response = admin.post("/organizer/users/999999/roles",
                          data={"role": Role.JUDGE, "action": "grant"})
    assert response.status_code == 404


def test_user_page_shows_the_roles(organizer, make_user):
    target = make_user(Role.JUDGE, full_name="Trần Văn Khánh")
    page = text(organizer.get(f"/organizer/users/{target.id}"))
    assert "Trần Văn Khánh" in page
    assert re.search(r'value="judge">\s*<span class="badge badge-ok">Judge</span>', page)


def test_user_search(organizer, make_user):
    make_user(full_name="Trần Văn Khánh", phone="+84912000111", email="khanh@example.org")
    make_user(full_name="Lô Thị Mai", phone="+84987000222", email=None)
    for query, found, missing in [("khánh", "Trần Văn Khánh", "Lô Thị Mai"),
                                  ("0987 000 222", "Lô Thị Mai", "Trần Văn Khánh"),
                                  ("KHANH@example", "Trần Văn Khánh", "Lô Thị Mai")]:
        page = text(organizer.get("/organizer/users", query_string={"q": query}))
        assert found in page and missing not in page, query


# --- units -----------------------------------------------------------------------------------


def unit_form(**changes: str) -> dict[str, str]:
    data = {"code": "D01", "name": "Huyện Tương Dương", "kind": "district", "parent_id": "",
            "size": "1200", "active": "y"}
    data.update(changes)
    return data


def unit_by_code(code: str) -> Unit | None:
    db.session.expire_all()
    return db.session.execute(select(Unit).where(Unit.code == code)).scalar_one_or_none()


def unit_count() -> int:
    return db.session.execute(select(func.count()).select_from(Unit)).scalar_one()


def test_organizer_creates_and_edits_a_unit(organizer):
    response = organizer.post("/organizer/units/new", data=unit_form())
    assert response.status_code == 302
    assert response.headers["Location"] == "/organizer/units"
    unit = unit_by_code("D01")
    assert (unit.name, unit.kind, unit.size, unit.active) == ("Huyện Tương Dương", "district",
                                                              1200, True)
    [event] = events("unit.save")
    assert event.actor_id == organizer.user.id and event.subject_id == str(unit.id)

    assert "Huyện Tương Dương" in text(organizer.get("/organizer/units"))
    page = text(organizer.get(f"/organizer/units/{unit.id}"))
    assert 'value="Huyện Tương Dương"' in page

    edited = unit_form(name="Huyện Tương Dương mới", size="")
    del edited["active"]  # an unticked box is not sent
    response = organizer.post(f"/organizer/units/{unit.id}", data=edited)
    assert response.status_code == 302
    unit = unit_by_code("D01")
    assert (unit.name, unit.size, unit.active) == ("Huyện Tương Dương mới", None, False)
    assert unit_count() == 1
    assert len(events("unit.save")) == 2


def test_unit_with_a_parent(organizer):
    organizer.post("/organizer/units/new", data=unit_form(code="NA", name="Tỉnh", kind="province"))
    province = unit_by_code("NA")
    response = organizer.post("/organizer/units/new",
                              data=unit_form(parent_id=str(province.id)))
    assert response.status_code == 302
    assert unit_by_code("D01").parent_id == province.id


def test_duplicate_unit_code_is_refused(organizer):
    organizer.post("/organizer/units/new", data=unit_form())
    response = organizer.post("/organizer/units/new", data=unit_form(name="Another"))
    assert response.status_code == 400
    assert "Another unit already has this code." in field_error(response, "code")
    assert unit_count() == 1

    organizer.post("/organizer/units/new", data=unit_form(code="D02", name="Second"))
    second = unit_by_code("D02")
    response = organizer.post(f"/organizer/units/{second.id}", data=unit_form(name="Second"))
    assert response.status_code == 400
    assert "Another unit already has this code." in field_error(response, "code")
    assert unit_by_code("D02") is not None
    assert unit_by_code("D01").name == "Huyện Tương Dương"


@pytest.mark.parametrize("field_changes", [{"code": ""}, {"code": "has space"}, {"name": ""},
                                           {"size": "-3"}, {"kind": "empire"}])
def test_bad_unit_input_is_refused(organizer, field_changes):
    response = organizer.post("/organizer/units/new", data=unit_form(**field_changes))
    assert response.status_code == 400
    assert unit_count() == 0


def test_unit_cannot_become_its_own_descendant(organizer):
    organizer.post("/organizer/units/new", data=unit_form(code="A", name="A", kind="province"))
    a = unit_by_code("A")
    organizer.post("/organizer/units/new", data=unit_form(code="B", name="B",
                                                          parent_id=str(a.id)))
    b = unit_by_code("B")
    organizer.post("/organizer/units/new", data=unit_form(code="C", name="C", kind="commune",
                                                          parent_id=str(b.id)))
    c = unit_by_code("C")

    for descendant in (b, c):
        response = organizer.post(f"/organizer/units/{a.id}",
                                  data=unit_form(code="A", name="A", kind="province",
                                                 parent_id=str(descendant.id)))
        assert response.status_code == 400
        assert "A unit cannot belong to one of its own sub-units." in field_error(response,
                                                                                  "parent_id")
        assert unit_by_code("A").parent_id is None

    # nor its own parent
    response = organizer.post(f"/organizer/units/{a.id}",
                              data=unit_form(code="A", name="A", kind="province",
                                             parent_id=str(a.id)))
    assert response.status_code == 400
    assert unit_by_code("A").parent_id is None

    # moving a leaf elsewhere is fine
    response = organizer.post(f"/organizer/units/{c.id}",
                              data=unit_form(code="C", name="C", kind="commune",
                                             parent_id=str(a.id)))
    assert response.status_code == 302
    assert unit_by_code("C").parent_id == a.id


def test_unknown_unit_is_404(organizer):
    assert organizer.get("/organizer/units/999999").status_code == 404


def test_entrant_cannot_create_units(login_as):
    c = login_as()
    response = c.post("/organizer/units/new", data=unit_form())
    assert response.status_code == 403
    assert unit_count() == 0


def test_dashboard_counts(organizer, make_user):
    make_user()
    page = text(organizer.get("/organizer/"))
    assert "2 accounts" in page
    assert "0 units" in page


def test_user_roles_are_in_the_user_list(organizer, make_user):
    make_user(Role.JOURNALIST, full_name="Phạm Thu Trang")
    page = text(organizer.get("/organizer/users"))
    assert re.search(r"Phạm Thu Trang.*?<span class=\"badge\">Journalist</span>", page, re.S)


def test_erased_users_are_not_counted_or_listed(organizer, app, make_user):
    person = make_user(full_name="Hà Thị Xuân")
    c = app.test_client()
    login(c, person)
    c.post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    db.session.expire_all()
    assert db.session.get(User, person.id).erased_at is not None
    assert "Hà Thị Xuân" not in text(organizer.get("/organizer/users"))
    assert "1 accounts" in text(organizer.get("/organizer/"))
