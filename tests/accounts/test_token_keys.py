"""PyJWT checks the server's HMAC key once, and still checks every other key and every signature."""

import jwt
import pytest
from jwt.algorithms import HMACAlgorithm
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken

from accounts.tokens import HMACKeyCheckedOnce

PEM_KEY = b"-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n"


def test_tokens_are_signed_and_verified_by_the_algorithm_that_checks_its_key_once(monkeypatch):
    algorithm = jwt.get_algorithm_by_name("HS256")
    assert isinstance(algorithm, HMACKeyCheckedOnce)
    AccessToken(str(AccessToken()))  # simplejwt prepares its key once, on first use
    checks: list[object] = []
    real = HMACAlgorithm.prepare_key
    monkeypatch.setattr(HMACAlgorithm, "prepare_key", lambda self, key: checks.append(key) or real(self, key))
    monkeypatch.setattr(algorithm, "_checked", None)  # as in a fresh process
    tokens = []
    for user_id in range(3):
        token = AccessToken()
        token["user_id"] = user_id
        tokens.append(str(token))
    assert [AccessToken(token)["user_id"] for token in tokens] == [0, 1, 2]
    assert len(checks) == 1


def test_a_tampered_token_and_an_asymmetric_key_are_still_refused():
    token = str(AccessToken())
    header, payload, signature = token.split(".")
    forged = f"{header}.{payload}.{signature[:-4]}AAAA"
    with pytest.raises(TokenError):
        AccessToken(forged)
    algorithm = jwt.get_algorithm_by_name("HS256")
    with pytest.raises(jwt.InvalidKeyError):
        algorithm.prepare_key(PEM_KEY)
    with pytest.raises(jwt.InvalidKeyError):
        algorithm.prepare_key(PEM_KEY)  # a key that failed is not kept
