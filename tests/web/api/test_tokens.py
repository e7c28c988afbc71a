"""API tokens: creation (key shown once, stored hashed), expiry, revocation, scopes, the
token's user's membership, the per-token rate limit, and the plain-view decorator."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.http import HttpRequest, JsonResponse
from django.test import RequestFactory
from django.utils import timezone

from benzodetox.core.errors import InputError
from benzodetox.web.api.auth import (
    ApiAuthError,
    authenticate,
    create_token,
    hash_key,
    revoke_token,
    token_required,
)
from benzodetox.web.api.models import ApiToken
from benzodetox.web.patients.models import Patient
from benzodetox.web.programmes.models import Membership
from benzodetox.web.programmes.scoping import unscoped


def _request(key: str | None) -> HttpRequest:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key is not None else {}
    return RequestFactory().get("/api/v1/patients", **headers)


def _refusal(key: str | None, scope: str = "read") -> ApiAuthError:
    with pytest.raises(ApiAuthError) as caught:
        authenticate(_request(key), scope)
    return caught.value


def test_the_key_is_returned_once_and_only_its_hash_is_stored(programme_a: Any, nurse: Any) -> None:
    token, key = create_token(programme_a, nurse, "ehr", "read,write", days=30)
    assert key.startswith("bzd_") and len(key) > 40
    assert token.key_hash == hash_key(key) and key not in token.key_hash
    assert token.prefix == key[:12]
    assert token.scopes == ["read", "write"]
    with unscoped():
        stored = ApiToken.objects.get(pk=token.pk)
    assert all(key not in str(value) for value in vars(stored).values())


def test_a_valid_token_authenticates_as_its_user_and_notes_the_use(
    programme_a: Any, nurse: Any
) -> None:
    token, key = create_token(programme_a, nurse, "ehr", "read", days=30)
    request = _request(key)
    assert authenticate(request, "read").pk == token.pk
    assert request.api_token.pk == token.pk  # type: ignore[attr-defined]
    assert request.user == nurse
    with unscoped():
        assert ApiToken.objects.get(pk=token.pk).last_used_at is not None


def test_missing_unknown_expired_and_revoked_tokens_are_401(programme_a: Any, nurse: Any) -> None:
    assert _refusal(None).status == 401
    assert _refusal("bzd_not-a-key").status == 401
    token, key = create_token(programme_a, nurse, "old", "read", days=1)
    with unscoped():
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(1))
    expired = _refusal(key)
    assert expired.status == 401 and "expired" in expired.message
    token, key = create_token(programme_a, nurse, "gone", "read", days=1)
    revoke_token(token)
    revoked = _refusal(key)
    assert revoked.status == 401 and "revoked" in revoked.message


def test_a_scope_the_token_lacks_is_403_naming_it(programme_a: Any, nurse: Any) -> None:
    _, key = create_token(programme_a, nurse, "reader", "read", days=1)
    refusal = _refusal(key, "write")
    assert refusal.status == 403 and "'write'" in refusal.message


def test_a_user_who_left_the_programme_loses_the_token(programme_a: Any, nurse: Any) -> None:
    _, key = create_token(programme_a, nurse, "ehr", "read", days=1)
    Membership.objects.filter(user=nurse).delete()
    nurse.refresh_from_db()
    assert _refusal(key).status == 403


def test_over_the_rate_is_429_with_retry_after(
    programme_a: Any, nurse: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("BENZODETOX_API_RATE_PER_MINUTE", "3")
    _, key = create_token(programme_a, nurse, "busy", "read", days=1)
    for _ in range(3):
        authenticate(_request(key), "read")
    refusal = _refusal(key)
    assert refusal.status == 429 and refusal.retry_after > 0


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("name", {"name": ""}),
        ("scope", {"scopes": "read,admin"}),
        ("scope", {"scopes": ""}),
        ("days", {"days": 0}),
        ("days", {"days": 10_000}),
    ],
)
def test_bad_token_requests_name_the_field(
    programme_a: Any, nurse: Any, field: str, kwargs: dict[str, Any]
) -> None:
    arguments: dict[str, Any] = {"name": "x", "scopes": "read", "days": 30, **kwargs}
    with pytest.raises(InputError) as caught:
        create_token(programme_a, nurse, **arguments)
    assert caught.value.field == field


def test_names_are_unique_per_programme_and_users_must_be_members(
    programme_a: Any, programme_b: Any, nurse: Any, other_clinician: Any
) -> None:
    create_token(programme_a, nurse, "ehr", "read")
    with pytest.raises(InputError) as taken:
        create_token(programme_a, nurse, "ehr", "read")
    assert taken.value.field == "name"
    create_token(programme_b, other_clinician, "ehr", "read")  # another programme may
    with pytest.raises(InputError) as stranger:
        create_token(programme_b, nurse, "x", "read")
    assert stranger.value.field == "user"


def test_the_decorator_answers_json_and_scopes_to_the_tokens_programme(
    programme_a: Any, nurse: Any, patient_a: Any, patient_b: Any
) -> None:
    @token_required("read")
    def view(request: HttpRequest) -> JsonResponse:
        return JsonResponse({"refs": [p.reference for p in Patient.objects.all()]})

    _, key = create_token(programme_a, nurse, "ehr", "read")
    assert view(_request(key)).content == b'{"refs": ["A-001"]}'
    refused = view(_request(None))
    assert refused.status_code == 401 and b"detail" in refused.content
    assert refused["WWW-Authenticate"].startswith("Bearer")
