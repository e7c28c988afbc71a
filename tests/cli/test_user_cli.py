"""``benzodetox user add``: usernames validated like the web, no silent promotion of an existing
member, and every account, membership and role change in the audit log; ``benzodetox user
reset-link``: a one-time link, audited (issue 12, item 4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benzodetox.cli.main import cli
from benzodetox.web.accounts.models import ResetLink
from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.programmes.models import Membership
from benzodetox.web.programmes.scoping import unscoped

PASSWORD = "a long enough passphrase\n"

pytestmark = pytest.mark.django_db(transaction=True)


def add(*args: str, password: str = PASSWORD):
    return CliRunner().invoke(cli, ["user", "add", *args], input=password)


def events(action: str) -> list[AuditEvent]:
    with unscoped():
        return list(AuditEvent.objects.filter(action=action).order_by("id"))


def role_of(username: str, programme: str) -> str:
    return Membership.objects.get(user__username=username, programme__name=programme).role


def test_adding_a_new_user_audits_the_account_and_the_membership():
    """account.created and member.added, by the OS account that ran the command, with the role."""
    result = add("kim", "--role", "nurse", "--programme", "North")
    assert result.exit_code == 0, result.output
    (created,) = events("account.created")
    (added,) = events("member.added")
    assert created.username.startswith("cli:") and created.detail["member"] == "kim"
    assert added.programme.name == "North" and added.detail["role"] == "nurse"


def test_an_existing_member_is_not_promoted_without_change_role():
    """'--role admin' for a nurse is refused with exit 2, the role stays and nothing is audited."""
    add("kim", "--role", "nurse", "--programme", "North")
    result = add("kim", "--role", "admin", "--programme", "North")
    assert result.exit_code == 2
    assert "already nurse in North" in result.output and "--change-role" in result.output
    assert role_of("kim", "North") == "nurse"
    assert events("member.role_changed") == []


def test_change_role_changes_the_role_and_audits_from_and_to():
    """With --change-role the nurse becomes admin; the event says from nurse to admin."""
    add("kim", "--role", "nurse", "--programme", "North")
    result = add("kim", "--role", "admin", "--programme", "North", "--change-role")
    assert result.exit_code == 0, result.output
    assert role_of("kim", "North") == "admin"
    (changed,) = events("member.role_changed")
    assert changed.detail["from"] == "nurse" and changed.detail["to"] == "admin"
    assert changed.programme.name == "North"


def test_the_same_role_again_changes_nothing_and_audits_nothing():
    """Re-running the same command is harmless: no new event, exit 0."""
    add("kim", "--role", "nurse", "--programme", "North")
    result = add("kim", "--role", "nurse", "--programme", "North")
    assert result.exit_code == 0 and "nothing changed" in result.output
    assert len(events("member.added")) == 1


def test_an_existing_user_joining_another_programme_is_a_new_audited_membership():
    """No --change-role needed to join a second programme; member.added is recorded there."""
    add("kim", "--role", "nurse", "--programme", "North")
    result = add("kim", "--role", "prescriber", "--programme", "South", password="")
    assert result.exit_code == 0, result.output
    assert role_of("kim", "South") == "prescriber" and role_of("kim", "North") == "nurse"
    assert [e.programme.name for e in events("member.added")] == ["North", "South"]


@pytest.mark.parametrize(
    "username", ["<script>x</script>", "a" * 151, "a" * 300, "with space", "semi;colon", ""]
)
def test_a_username_the_web_would_refuse_is_refused_with_status_2(django_user_model, username):
    """Django's username validator and the 150-character limit, one line, no traceback."""
    result = add(username, "--role", "nurse", "--programme", "North")
    assert result.exit_code == 2, result.output
    assert "username" in result.output and "Traceback" not in result.output
    assert not django_user_model.objects.exists()
    assert events("account.created") == []


def test_a_programme_name_longer_than_the_field_is_refused(django_user_model):
    """A 300-character programme name is refused before anything is written."""
    result = add("kim", "--role", "nurse", "--programme", "P" * 300)
    assert result.exit_code == 2 and "--programme" in result.output
    assert not django_user_model.objects.exists()


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(username=st.text(max_size=160))
def test_any_username_is_either_accepted_as_the_web_would_or_refused_with_status_2(
    django_user_model, username
):
    """Whatever is typed, the command exits 0 with the username stored as Django stores it
    (NFKC-normalised; valid for the web) or 2 naming the username; never 1, never a traceback —
    also when its normal form is a user added by an earlier example."""
    from django.core.exceptions import ValidationError

    stored = django_user_model.normalize_username(username)  # NFKC, as Django saves it
    try:  # the web's UsernameField normalises first, then validates
        django_user_model._meta.get_field("username").clean(stored, None)
        valid = True
    except ValidationError:
        valid = False
    before = django_user_model.objects.count()
    result = CliRunner().invoke(
        cli,
        ["user", "add", "--role", "nurse", "--programme", "North", "--", username],
        input=PASSWORD,
    )
    if valid:
        assert result.exit_code == 0, result.output
        assert django_user_model.objects.filter(username=stored).exists()
    else:
        assert result.exit_code == 2 and "username" in result.output, result.output
        # counted, not looked up: PostgreSQL refuses a query with a NUL character in it
        assert django_user_model.objects.count() == before


def test_a_username_whose_normal_form_exists_joins_that_user_instead_of_failing(
    django_user_model,
):
    """'ªo' is stored by Django as 'ao' (NFKC): adding 'ªo' after 'ao' finds that user and adds
    the membership (exit 0), instead of an IntegrityError on the unique username."""
    first = CliRunner().invoke(
        cli, ["user", "add", "--role", "nurse", "--programme", "North", "ao"], input=PASSWORD
    )
    again = CliRunner().invoke(
        cli, ["user", "add", "--role", "nurse", "--programme", "South", "ªo"], input=PASSWORD
    )
    assert first.exit_code == 0 and again.exit_code == 0, again.output
    assert django_user_model.objects.filter(username="ao").count() == 1
    assert django_user_model.objects.get(username="ao").memberships.count() == 2


def test_user_reset_link_prints_a_working_link_and_audits_it():
    """`benzodetox user reset-link NAME` prints the link; its creation names the OS account,
    the link opens the set-password page and lasts 24 hours."""
    add("clinician", "--role", "nurse", "--programme", "North")
    result = CliRunner().invoke(
        cli, ["user", "reset-link", "clinician", "--base-url", "https://detox.example"]
    )
    assert result.exit_code == 0, result.output
    url = result.stdout.strip().splitlines()[0]
    assert url.startswith("https://detox.example/accounts/reset/")
    (event,) = events("account.reset_link_created")
    assert event.username.startswith("cli:") and event.detail["member"] == "clinician"
    path = url.removeprefix("https://detox.example")
    assert Client().get(path).status_code == 200
    link = ResetLink.objects.get()
    assert link.expires_at - link.created_at == timedelta(hours=24)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody"], "no such user"),
        (["clinician", "--base-url", "ftp://x"], "--base-url"),
    ],
)
def test_user_reset_link_refuses_bad_input_with_one_line(args, message):
    """Unknown user or a base URL that is not http(s): exit 2 and the field named."""
    add("clinician", "--role", "nurse", "--programme", "North")
    result = CliRunner().invoke(cli, ["user", "reset-link", *args])
    assert result.exit_code == 2 and message in result.output


def test_user_unlock_clears_the_delay_and_audits_it(settings):
    """After the failure limit the right password waits; `user unlock` clears it at once."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    add("clinician", "--role", "nurse", "--programme", "North")
    browser = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        browser.post("/accounts/login/", {"username": "clinician", "password": "wrong"})
    right = {"username": "clinician", "password": PASSWORD.strip()}
    assert browser.post("/accounts/login/", right).status_code == 429
    result = CliRunner().invoke(cli, ["user", "unlock", "clinician"])
    assert result.exit_code == 0 and "delays cleared" in result.output
    (event,) = events("account.unlocked")
    assert event.username.startswith("cli:") and event.detail["member"] == "clinician"
    assert browser.post("/accounts/login/", right).status_code == 302
    assert CliRunner().invoke(cli, ["user", "unlock", "nobody"]).exit_code == 2
