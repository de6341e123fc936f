import logging

from storage.masking import MaskingFilter, mask_id, mask_phone, mask_text


def test_mask_phone_and_id():
    assert mask_phone("13812340001") == "138****0001"
    assert mask_id("43062619600211001341") == "430626**********1341"
    assert mask_id("43062619501225012X") == "430626********012X"


def test_mask_text_finds_numbers_in_free_text():
    s = mask_text("张三 证号43062619600211001341 电话15812340000 座机0730-1234567")
    assert "43062619600211001341" not in s and "15812340000" not in s and "1234567" not in s
    assert "158****0000" in s


def test_logging_filter_masks_formatted_args(caplog):
    logger = logging.getLogger("lianxin.test")
    with caplog.at_level(logging.INFO, logger="lianxin.test"):
        caplog.handler.addFilter(MaskingFilter())
        logger.info("from %s", "13812340001")
    assert "13812340001" not in caplog.text
    assert "138****0001" in caplog.text


def test_installed_masking_covers_every_handler(caplog):
    from storage.masking import install_log_masking

    install_log_masking()
    install_log_masking()  # idempotent
    with caplog.at_level(logging.INFO, logger="lianxin.any"):
        logging.getLogger("lianxin.any").info("证号 %s", "43062619600211001341")
    assert "43062619600211001341" not in caplog.text
