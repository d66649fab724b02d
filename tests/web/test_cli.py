"""Command-line tools: creating an administrator, loading units, loading the demo."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from contest.accounts.models import Role, Unit, User, UserRole
from contest.accounts.units import DEFAULT_FILE
from contest.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from contest.extensions import db
from tests.conftest import login

ADMIN_PASSWORD = "quản trị viên tỉnh nhà"


def count(model) -> int:  # noqa: ANN001
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def create_admin(runner, email: str, password: str | None = ADMIN_PASSWORD, *extra: str):
    env = {"ADMIN_PASSWORD": password} if password is not None else {}
    return runner.invoke(args=["users", "create-admin", email, *extra], env=env)


# --- users create-admin ----------------------------------------------------------------------


def test_create_admin_creates_one_admin(runner, app):
    result = create_admin(runner, "Admin@Example.org", ADMIN_PASSWORD, "--name", "Quản trị")
    assert result.exit_code == 0, result.output
    assert "admin@example.org is an administrator." in result.output
    db.session.expire_all()
    user = db.session.execute(select(User).where(User.email == "admin@example.org")).scalar_one()
    assert user.roles == frozenset({Role.ADMIN})
    assert user.full_name == "Quản trị"
    assert user.phone is None

    # the admin can log in and reach the console
    c = app.test_client()
    login(c, user, ADMIN_PASSWORD)
    assert c.get("/organizer/").status_code == 200


def test_create_admin_twice_does_not_duplicate(runner):
    assert create_admin(runner, "admin@example.org").exit_code == 0
    result = create_admin(runner, "ADMIN@example.org", "a different password here")
    assert result.exit_code == 0, result.output
    assert count(User) == 1
    assert count(UserRole) == 1


def test_create_admin_promotes_an_existing_account(runner, make_user):
    user = make_user(Role.JUDGE, email="judge@example.org")
    result = create_admin(runner, "judge@example.org", password=None)
    assert result.exit_code == 0, result.output
    assert count(User) == 1
    db.session.expire_all()
    assert db.session.get(User, user.id).roles == frozenset({Role.ADMIN, Role.JUDGE})


def test_create_admin_refuses_a_weak_password(runner):
    result = create_admin(runner, "admin@example.org", "12345678")
    assert result.exit_code != 0
    assert "password refused" in result.output
    assert count(User) == 0


def test_create_admin_refuses_a_non_address(runner):
    result = create_admin(runner, "not-an-address")
    assert result.exit_code != 0
    assert "not an e-mail address" in result.output
    assert count(User) == 0


def test_create_admin_prompts_without_the_variable(runner, monkeypatch):
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    result = runner.invoke(args=["users", "create-admin", "admin@example.org"],
                           input=f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert count(User) == 1


# --- demo load -------------------------------------------------------------------------------


def test_demo_load_is_idempotent_and_prints_the_accounts(runner, app):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    units, users, roles = count(Unit), count(User), count(UserRole)
    assert units > 0
    # One account per role, plus the demo entrants, journalists and judges of the demo rounds.
    assert users > len(DEMO_ACCOUNTS)
    phones = set(db.session.execute(select(User.phone)).scalars())
    assert {acc.phone for acc in DEMO_ACCOUNTS} <= phones

    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    assert (count(Unit), count(User), count(UserRole)) == (units, users, roles)

    for output in (first.output, second.output):
        assert DEMO_PASSWORD in output
        for account in DEMO_ACCOUNTS:
            assert account.phone in output
            if account.email:
                assert account.email in output
    assert "0 created" in second.output

    # the printed accounts work
    organizer = next(a for a in DEMO_ACCOUNTS if Role.ORGANIZER in a.roles)
    c = app.test_client()
    response = c.post("/login", data={"identifier": organizer.email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert c.get("/organizer/").status_code == 200
    entrant = next(a for a in DEMO_ACCOUNTS if not a.roles)
    c = app.test_client()
    response = c.post("/login", data={"identifier": entrant.phone, "password": DEMO_PASSWORD})
    assert response.status_code == 302


# --- units load ------------------------------------------------------------------------------


def test_units_load_the_shipped_file_twice(runner):
    rows = len(DEFAULT_FILE.read_text(encoding="utf-8").strip().splitlines()) - 1
    result = runner.invoke(args=["units", "load"])
    assert result.exit_code == 0, result.output
    assert f"{rows} created, 0 updated" in result.output
    assert count(Unit) == rows
    result = runner.invoke(args=["units", "load"])
    assert f"0 created, {rows} updated" in result.output
    assert count(Unit) == rows


def test_units_load_updates_in_place(runner, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("code,name,kind,parent_code,size\nNA,Nghệ An,province,,\n"
                    "D1,Huyện Một,district,NA,100\n", encoding="utf-8")
    assert runner.invoke(args=["units", "load", str(path)]).exit_code == 0
    path.write_text("code,name,kind,parent_code,size\nNA,Nghệ An,province,,\n"
                    "D1,Huyện Một mới,district,NA,150\n", encoding="utf-8")
    result = runner.invoke(args=["units", "load", str(path)])
    assert "0 created, 2 updated" in result.output
    db.session.expire_all()
    unit = db.session.execute(select(Unit).where(Unit.code == "D1")).scalar_one()
    assert (unit.name, unit.size, unit.parent.code) == ("Huyện Một mới", 150, "NA")


HEADER = "code,name,kind,parent_code,size\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("id,title\n1,Something\n", "header must have the columns"),
        ("", "header must have the columns"),
        (HEADER + "NA,Nghệ An,province,,\nD1,Huyện,county,NA,\n", "line 3: unknown kind"),
        (HEADER + "D1,Huyện,district,NA,\nNA,Nghệ An,province,,\n", "line 2: parent NA"),
        (HEADER + "NA,Nghệ An,province,,\nNA,Again,province,,\n", "line 3: code NA appears"),
        (HEADER + "NA,Nghệ An,province,,\nD1,,district,NA,\n", "line 3: code and name"),
        (HEADER + "NA,Nghệ An,province,,many\n", "line 2: size must be a whole number"),
        (HEADER + "NA,Nghệ An,province,,-5\n", "line 2: size must be a whole number"),
        (HEADER + "NA,Nghệ An,province,,²\n", "line 2: size must be a whole number"),
        (HEADER + "NA,Nghệ An,province,,\n" + "X" * 40 + ",Too long,commune,NA,\n",
         "line 3: code"),
        (HEADER + "NA," + "N" * 250 + ",province,,\n", "line 2: name"),
    ],
)
def test_units_load_a_bad_file_writes_nothing(runner, tmp_path, content, message):
    path = tmp_path / "units.csv"
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(args=["units", "load", str(path)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Error:" in result.output and message in result.output
    assert count(Unit) == 0


def test_units_load_a_file_in_another_encoding(runner, tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes((HEADER + "NA,Nghệ An,province,,\n").encode("utf-16"))
    result = runner.invoke(args=["units", "load", str(path)])
    assert result.exit_code == 1, result.output
    assert "Error:" in result.output and "UTF-8" in result.output
    assert count(Unit) == 0


def test_units_load_a_missing_file(runner, tmp_path):
    result = runner.invoke(args=["units", "load", str(tmp_path / "nothing.csv")])
    assert result.exit_code == 2
    assert "does not exist" in result.output
    assert count(Unit) == 0


def test_units_load_keeps_the_loaded_units_when_a_later_file_is_bad(runner, tmp_path):
    assert runner.invoke(args=["units", "load"]).exit_code == 0
    before = count(Unit)
    path = tmp_path / "units.csv"
    path.write_text(HEADER + "NEW,Mới,commune,,\nNA,Renamed,nonsense,,\n", encoding="utf-8")
    result = runner.invoke(args=["units", "load", str(path)])
    assert result.exit_code == 1
    assert count(Unit) == before
    db.session.expire_all()
    assert db.session.execute(select(Unit.name).where(Unit.code == "NA")).scalar_one() != \
        "Renamed"
