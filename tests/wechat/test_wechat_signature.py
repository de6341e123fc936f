from bot.wechat.signature import compute_signature, verify_signature


def test_documented_vector():
    assert (
        compute_signature("AAAAA", "1714036504", "1514711492")
        == "f464b24fc39322e44b38aa78f5edd27bd1441696"
    )
    assert verify_signature(
        "AAAAA", "1714036504", "1514711492", "f464b24fc39322e44b38aa78f5edd27bd1441696"
    )


def test_wrong_or_missing_parts_do_not_verify():
    good = compute_signature("tok", "1", "2")
    assert not verify_signature("other", "1", "2", good)
    assert not verify_signature("tok", "1", "3", good)
    assert not verify_signature("tok", "1", "2", good.upper())
    assert not verify_signature("tok", None, "2", good)
    assert not verify_signature("tok", "1", "", good)
    assert not verify_signature("tok", "1", "2", None)
    assert not verify_signature("tok", "1", "2", "签名")  # non-ASCII must not raise


def test_msg_signature_includes_encrypt_and_is_order_independent():
    # WeChat sorts the parts, so the argument order must not matter.
    assert compute_signature("t", "1", "2", "ENC") == compute_signature("ENC", "2", "1", "t")
    assert compute_signature("t", "1", "2", "ENC") != compute_signature("t", "1", "2")
