"""Password rules and Argon2id hashing (pure functions)."""

from nup.accounts import passwords

PARAMS = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


def test_refuses_short_passwords():
    assert passwords.password_problems("Ab1!xyz") == ["too_short"]


def test_accepts_eight_characters_when_not_guessable():
    assert passwords.password_problems("q7#Vm2!z") == []


def test_accepts_long_passphrases_beyond_sixty_four_characters():
    phrase = "green tiger walks slowly across the frozen river at dawn " * 2
    assert len(phrase) > 64
    assert passwords.password_problems(phrase) == []


def test_refuses_over_the_cap():
    assert passwords.password_problems("x" * 129) == ["too_long"]


def test_refuses_common_passwords():
    for common in ("password", "password123", "qwerty123", "12345678", "iloveyou1"):
        assert passwords.password_problems(common) == ["common"], common


def test_refuses_a_password_built_from_the_users_own_email():
    assert passwords.password_problems("kimminjun2026", user_inputs=("kimminjun2026@example.kr", "kimminjun2026")) == [
        "common"
    ]


def test_hash_is_argon2id_and_verifies():
    stored = passwords.hash_password("q7#Vm2!z", parameters=PARAMS)
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(stored, "q7#Vm2!z", parameters=PARAMS)
    assert not passwords.verify_password(stored, "q7#Vm2!Z", parameters=PARAMS)


def test_same_password_hashes_differently_each_time():
    assert passwords.hash_password("q7#Vm2!z", parameters=PARAMS) != passwords.hash_password(
        "q7#Vm2!z", parameters=PARAMS
    )


def test_missing_or_broken_hash_never_verifies():
    assert not passwords.verify_password(None, "anything", parameters=PARAMS)
    assert not passwords.verify_password("not-a-hash", "anything", parameters=PARAMS)


def test_weaker_parameters_ask_for_a_rehash():
    stored = passwords.hash_password("q7#Vm2!z", parameters=PARAMS)
    stronger = {"time_cost": 2, "memory_cost": 2048, "parallelism": 1}
    assert passwords.needs_rehash(stored, parameters=stronger)
    assert not passwords.needs_rehash(stored, parameters=PARAMS)
