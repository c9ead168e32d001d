from delivery import tokens


def test_tokens_are_random_and_recognisable():
    first, second = tokens.generate(), tokens.generate()
    assert first != second
    assert tokens.looks_valid(first) and len(first) == tokens.LENGTH


def test_digest_is_sha256_hex():
    assert tokens.digest("gemba_x") == "326ff7a7afb43350fb77ced057774e5272912db3da5ff7e12246309d62087792"


def test_garbage_is_not_a_token():
    assert not tokens.looks_valid("Bearer x")
    assert not tokens.looks_valid("gemba_" + "x" * 10)


def test_lists_show_only_the_start():
    raw = tokens.generate()
    assert tokens.shown_part(raw) == raw[: len("gemba_") + 4]
