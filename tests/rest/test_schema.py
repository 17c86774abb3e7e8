"""The OpenAPI schema: valid, documented at /api/docs/, and a property-based run of the whole API
against it (schemathesis, positive and negative data) finds no server error."""

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode, checks

from tests.helpers import access_token_for, make_group, make_user
from tests.rest.support import Api

SCHEMA_PATH = "/api/schema/?format=json"
EXAMPLES = 8


@pytest.mark.django_db
def test_schema_is_valid_openapi_and_documents_every_route():
    response = Api().get(SCHEMA_PATH)
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)  # OpenAPI 3.0 JSON schema
    assert schema["openapi"].startswith("3.")
    expected = {
        ("/users", "post"),
        ("/users", "get"),
        ("/users/login", "post"),
        ("/users/me", "get"),
        ("/users/me", "put"),
        ("/users/me", "delete"),
        ("/users/me/logout", "post"),
        ("/users/me/changePassword", "put"),
        ("/users/{id}", "get"),
        ("/chats", "get"),
        ("/chats", "post"),
        ("/chats/{id}", "get"),
        ("/chats/{id}", "put"),
        ("/chats/{id}", "delete"),
        ("/chats/{id}/settings", "put"),
        ("/chats/{id}/images", "post"),
        ("/chats/{id}/images/{image_id}", "delete"),
        ("/chats/{id}/users", "post"),
        ("/chats/{id}/users", "delete"),
        ("/chats/{id}/users/blocked", "get"),
        ("/chats/{id}/users/{user_id}/block", "put"),
        ("/chats/{id}/users/{user_id}/unblock", "put"),
        ("/chats/{id}/me", "delete"),
        ("/chats/{id}/block", "put"),
        ("/chats/{id}/unblock", "put"),
        ("/chats/{id}/notify", "post"),
        ("/chats/{chat_pk}/messages", "get"),
        ("/chats/{chat_pk}/messages", "post"),
        ("/chats/{chat_pk}/messages", "delete"),
        ("/chats/{chat_pk}/messages/{id}", "put"),
        ("/chats/{chat_pk}/messages/{id}", "delete"),
        ("/chats/{chat_pk}/messages/{id}/read", "put"),
        ("/files/{name}.{file_type}", "get"),
        ("/files/{name}.{file_type}", "post"),
        ("/files/{name}.{file_type}", "put"),
    }
    documented = {(path, method) for path, item in schema["paths"].items() for method in item}
    assert documented == expected
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            assert "400" in operation["responses"] and "401" in operation["responses"], (path, method)
            assert operation["responses"]["400"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"
            }
    assert set(schema["components"]["securitySchemes"]) == {"bearerAuth", "basicAuth", "tokenQuery"}


def test_schema_generation_has_no_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


@pytest.mark.django_db
def test_docs_page_is_served():
    response = Api().get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger-ui" in response.content and b"/api/schema/" in response.content


def _user_with_a_chat():
    """A user with a chat and a message, so that small ids hit real objects now and then."""
    from messaging.sending import message_send

    alice, bob = make_user(), make_user()
    conversation = make_group(alice, bob)
    message_send(alice, conversation_id=conversation.pk, body="hello")
    return alice


CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


def _fuzz(operation, mode: GenerationMode, headers: dict):
    """A Hypothesis test sending generated requests to one operation and checking the answers."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck)
    )
    def run(case) -> None:
        case.validate_response(case.call(headers=headers), checks=CHECKS)

    return run


@pytest.fixture
def keep_db_connection():
    """Requests go through the plain WSGI handler, whose end-of-request hook would close the test's
    database connection (and with it the test transaction); Django's own test client unhooks it too."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_property_based_run_finds_no_server_error(keep_db_connection):
    """Every operation, with schema-conforming and with broken data; bounded to a few seconds each."""
    schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, get_wsgi_application())
    user = _user_with_a_chat()
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        # a fresh session for each operation: logging out must not end the run for the others
        headers = {"Authorization": f"Bearer {access_token_for(user, f'fuzz-{operations}')}"}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz(operation, mode, headers)()
            except (Exception, BaseExceptionGroup) as error:  # collect every failure, report them all
                failures.append(f"{operation.label} ({mode.value}): {error}")
    assert operations == 35
    assert not failures, "\n\n".join(failures)
